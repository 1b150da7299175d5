package dev.pando.builtin.rules;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One condition of a rule: {@code op} applied to a subject and {@code value}. The subject is the
 * trigger's value, or the current value of {@code key} when set; {@code pointer} then selects a
 * field inside it (the empty pointer selects the whole value). All of a rule's conditions must
 * hold for it to fire.
 */
record Condition(Comparison op, JsonPointer pointer, String key, JsonNode value) {

    /** True if the condition reads another key rather than the trigger's value. */
    boolean onKey() {
        return key != null;
    }

    /** Tests the condition against {@code subject} (the trigger value or the key's value; null if absent). */
    boolean test(JsonNode subject) {
        if (subject == null) {
            return false;
        }
        return op.test(subject.at(pointer), value);
    }

    String describe() {
        return (key == null ? "trigger value" : "'" + key + "'") + (pointer.matches() ? "" : " at " + pointer)
                + " " + op.jsonName() + " " + value;
    }
}
