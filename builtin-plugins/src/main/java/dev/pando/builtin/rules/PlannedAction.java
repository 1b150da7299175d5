package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An action with its value worked out for one firing: what {@code rules.test} reports and what
 * the engine then carries out.
 *
 * @param type    {@code set}, {@code publish} or {@code delay}
 * @param target  the key or topic; null for a delay
 * @param value   the value or payload; null for a delay or a skipped action
 * @param delayMs the wait, for a delay
 * @param skipped why this action has nothing to do ({@code set_from_trigger} with no value), or null
 */
record PlannedAction(String type, String target, JsonNode value, long delayMs, String skipped) {

    static PlannedAction set(String key, JsonNode value) {
        return new PlannedAction("set", key, value, 0, null);
    }

    static PlannedAction publish(String topic, JsonNode payload) {
        return new PlannedAction("publish", topic, payload, 0, null);
    }

    static PlannedAction delay(long ms) {
        return new PlannedAction("delay", null, null, ms, null);
    }

    static PlannedAction skippedSet(String key, String why) {
        return new PlannedAction("set", key, null, 0, why);
    }

    boolean isDelay() {
        return type.equals("delay");
    }

    boolean writes() {
        return type.equals("set");
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", type);
        if (isDelay()) {
            o.put("ms", delayMs);
            return o;
        }
        o.put(writes() ? "key" : "topic", target);
        if (skipped != null) {
            o.put("skipped", skipped);
        } else {
            o.set(writes() ? "value" : "payload", value);
        }
        return o;
    }
}
