package dev.pando.builtin.rules;

import java.util.List;

/**
 * The outcome of evaluating a rule against one input, before cooldown and cascade depth.
 *
 * @param fires   true if the rule would act
 * @param denied  true if it would not because its author lacks a right (counted and logged)
 * @param reason  why it does not fire, or null
 * @param actions the actions it would take, in order (empty unless it fires)
 */
record Evaluation(boolean fires, boolean denied, String reason, List<PlannedAction> actions) {

    Evaluation {
        actions = List.copyOf(actions);
    }

    static Evaluation fire(List<PlannedAction> actions) {
        return new Evaluation(true, false, null, actions);
    }

    static Evaluation no(String reason) {
        return new Evaluation(false, false, reason, List.of());
    }

    static Evaluation deny(String reason) {
        return new Evaluation(false, true, reason, List.of());
    }
}
