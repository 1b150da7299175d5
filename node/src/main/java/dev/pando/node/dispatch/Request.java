package dev.pando.node.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * One call: {@code {id, op, args}}. The id is the client's and is echoed back untouched (any
 * JSON scalar, or null over HTTP).
 */
public record Request(JsonNode id, String op, JsonNode args) {
    public Request {
        id = id == null ? NullNode.getInstance() : id;
    }
}
