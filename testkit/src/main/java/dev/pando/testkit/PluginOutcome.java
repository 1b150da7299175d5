package dev.pando.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.node.plugins.PluginState;
import java.util.Optional;

/**
 * What a reload did to one plugin file: one entry of the {@code outcomes} of an
 * {@code admin.reload} report, as {@link TestNode#installWasm}, {@link TestNode#install} and
 * {@link TestNode#uninstall} return it.
 *
 * @param file   the plugin file's name in the plugins directory, e.g. {@code counter.wasm}
 * @param id     the plugin id; empty when the file failed before its manifest could be read
 * @param action what the reload did
 * @param error  why it failed ({@link PluginState#FAILED} only)
 * @param json   the outcome exactly as the node reported it ({@code version},
 *               {@code previousVersion}, ...)
 */
public record PluginOutcome(String file, Optional<String> id, PluginState action, Optional<String> error, JsonNode json) {

    /** Reads one element of a reload report's {@code outcomes} array. */
    public static PluginOutcome of(JsonNode outcome) {
        return new PluginOutcome(outcome.path("file").asText(), text(outcome, "id"),
                PluginState.ofReportName(outcome.path("action").asText()), text(outcome, "error"), outcome);
    }

    /** The version the file declares; empty if it was not read. */
    public Optional<String> version() {
        return text(json, "version");
    }

    /** True when the file's plugin serves after the reload: LOADED, REPLACED or UNCHANGED. */
    public boolean serving() {
        return action == PluginState.LOADED || action == PluginState.REPLACED || action == PluginState.UNCHANGED;
    }

    private static Optional<String> text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }
}
