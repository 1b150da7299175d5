package dev.pando.builtin.rules;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

/** One step of a rule's action list, run in order. */
sealed interface Action {

    String type();

    /** Writes a fixed {@code value} to {@code key}. */
    record Set(String key, JsonNode value) implements Action {
        @Override
        public String type() {
            return "set";
        }
    }

    /** Publishes {@code payload} on {@code topic}; with no payload, the trigger's value. */
    record Publish(String topic, JsonNode payload) implements Action {
        @Override
        public String type() {
            return "publish";
        }
    }

    /** Writes the trigger's value (the field at {@code pointer}), passed through {@code transform} if any. */
    record SetFromTrigger(String key, JsonPointer pointer, Transform transform) implements Action {
        @Override
        public String type() {
            return "set_from_trigger";
        }
    }

    /** Waits {@code ms} before the next action, on the plugin's scheduler. */
    record Delay(long ms) implements Action {
        @Override
        public String type() {
            return "delay";
        }
    }
}
