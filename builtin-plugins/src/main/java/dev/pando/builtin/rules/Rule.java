package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A validated rule. {@code source} is its JSON as accepted (with {@code enabled} filled in): what
 * is stored and shown back, re-parsed on load.
 */
record Rule(String id, boolean enabled, Trigger trigger, List<Condition> conditions, List<Action> actions,
        long cooldownMs, ObjectNode source) {

    Rule {
        conditions = List.copyOf(conditions);
        actions = List.copyOf(actions);
        source = source.deepCopy();
    }

    /** The actor its writes are attributed to: {@code plugin:rules/rule:<id>}. */
    String actor() {
        return actorOf(id);
    }

    static String actorOf(String id) {
        return "rule:" + id;
    }

    Rule withEnabled(boolean on) {
        ObjectNode copy = source.deepCopy();
        copy.put("enabled", on);
        return new Rule(id, on, trigger, conditions, actions, cooldownMs, copy);
    }

    @Override
    public ObjectNode source() {
        return source.deepCopy();
    }
}
