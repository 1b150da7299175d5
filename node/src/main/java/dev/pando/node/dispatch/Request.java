package dev.pando.node.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * One call: {@code {id, op, args}}. The id is the client's and is echoed back untouched (any
 * JSON scalar, or null over HTTP). Missing parts are JSON null (id, args) or the empty op name,
 * which the dispatcher refuses as {@code BAD_REQUEST}.
 */
public record Request(JsonNode id, String op, JsonNode args) {
    public Request {
        id = id == null ? NullNode.getInstance() : id;
        op = op == null ? "" : op;
        args = args == null ? NullNode.getInstance() : args;
    }
}
