package dev.pando.builtin.rules;

import com.fasterxml.jackson.core.JsonPointer;
import dev.pando.api.path.PathPattern;

/** What makes a rule fire. Each kind is a record; {@link RuleParser} builds them from JSON. */
sealed interface Trigger {

    /** The JSON name of the kind ({@code on_change}, ...). */
    String type();

    /** True if {@code input} is of this trigger's kind and matches its pattern (crossing aside). */
    boolean matches(TriggerInput input);

    /** True for the kinds committed changes fire ({@code on_change}, {@code on_threshold}). */
    default boolean reactsToChanges() {
        return false;
    }

    /** Any committed change (write or delete) to a key matching {@code pattern}. */
    record OnChange(PathPattern pattern) implements Trigger {
        @Override
        public boolean reactsToChanges() {
            return true;
        }

        @Override
        public String type() {
            return "on_change";
        }

        @Override
        public boolean matches(TriggerInput input) {
            return input.kind() == TriggerInput.Kind.CHANGE && pattern.matches(input.path());
        }
    }

    /**
     * A number (the value, or the field at {@code pointer}) of a key matching {@code pattern}
     * crossing {@code value} in {@code direction}: it fires when the number goes from not beyond
     * to beyond, and re-arms only once it is back on the other side; so a value that stays
     * beyond fires once, not on every update.
     */
    record OnThreshold(PathPattern pattern, JsonPointer pointer, double value, Direction direction) implements Trigger {
        @Override
        public boolean reactsToChanges() {
            return true;
        }

        @Override
        public String type() {
            return "on_threshold";
        }

        @Override
        public boolean matches(TriggerInput input) {
            return input.kind() == TriggerInput.Kind.CHANGE && pattern.matches(input.path());
        }

        /** True if {@code x} lies beyond the threshold. */
        boolean beyond(double x) {
            return direction == Direction.ABOVE ? x > value : x < value;
        }
    }

    /** Which side of the threshold counts as crossed. */
    enum Direction {
        ABOVE,
        BELOW
    }

    /** A published event whose topic matches {@code topic}. */
    record OnEvent(PathPattern topic) implements Trigger {
        @Override
        public String type() {
            return "on_event";
        }

        @Override
        public boolean matches(TriggerInput input) {
            return input.kind() == TriggerInput.Kind.EVENT && topic.matches(input.path());
        }
    }

    /** Every {@code periodMs}, from when the rule is installed (put, enabled or loaded at start). */
    record OnInterval(long periodMs) implements Trigger {
        @Override
        public String type() {
            return "on_interval";
        }

        @Override
        public boolean matches(TriggerInput input) {
            return input.kind() == TriggerInput.Kind.TICK;
        }
    }
}
