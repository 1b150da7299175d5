package dev.pando.api.manifest;

import dev.pando.api.Access;

/**
 * An op the plugin serves.
 *
 * @param name   full op name, {@code <pluginId>.<verb>}
 * @param export the WASM export serving it (ignored for native plugins)
 * @param scope  what the caller needs on the node to call it
 */
public record OpDecl(String name, String export, Access scope) {

    public String verb() {
        return name.substring(name.indexOf('.') + 1);
    }
}
