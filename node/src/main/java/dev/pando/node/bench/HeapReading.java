package dev.pando.node.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;

/** One {@code admin.memory} answer: the node's used heap (after a full collection when asked) and what it held then. */
public record HeapReading(long heapUsed, long sessions, long subscriptions, boolean stable, int gcRounds) {
    /** Reads the op's result; a field missing means a node without {@code admin.memory}'s fields, an error. */
    static HeapReading of(JsonNode result) {
        for (String field : new String[] {"heapUsed", "sessions", "subscriptions"}) {
            if (!result.path(field).canConvertToLong()) {
                throw new PandoException(ErrorCode.INTERNAL, "admin.memory answered without '" + field + "': " + result);
            }
        }
        return new HeapReading(result.get("heapUsed").asLong(), result.get("sessions").asLong(),
                result.get("subscriptions").asLong(), result.path("stable").asBoolean(), result.path("gcRounds").asInt());
    }

    ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("heapUsed", heapUsed).put("sessions", sessions)
                .put("subscriptions", subscriptions).put("stable", stable).put("gcRounds", gcRounds);
    }
}
