package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One call to a plugin op.
 *
 * @param op     the full op name, {@code <pluginId>.<verb>}
 * @param args   the request args (a JSON object, possibly empty)
 * @param caller who is calling
 */
public record OpCall(String op, JsonNode args, Caller caller) {

    /** The part after the plugin id: {@code incr} for {@code counter.incr}. */
    public String verb() {
        return op.substring(op.indexOf('.') + 1);
    }
}
