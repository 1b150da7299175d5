package dev.pando.builtin.rules;

import dev.pando.api.Access;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.PluginContext;
import java.util.List;

/**
 * A rule acts for its author and never beyond the author's rights: it may write and publish only
 * where the author may write, read (conditions on keys, trigger keys and topics) only where the
 * author may read. Checked when the rule is put, for what is known then, and again at every
 * firing and before every action, because rights can be withdrawn at any time.
 */
final class RuleAuthority {
    private RuleAuthority() {}

    /**
     * Refuses a rule whose fixed keys its author may not reach, checked twice: with the rights
     * of the request ({@code caller}) and with the rights the node will lend the rule when it
     * fires ({@code context.principal(name)}). The second catches authors the node cannot look
     * up by name later (whose rules could never act) at put time rather than silently.
     */
    static void checkStatic(Rule rule, Caller caller, PluginContext context) {
        checkStatic(rule, caller, "");
        checkStatic(rule, context.principal(caller.name()), " (the rights the node lends the rule when it fires"
                + "; a principal the node cannot look up by name, such as a capability token's holder, has none)");
    }

    private static void checkStatic(Rule rule, Caller author, String hint) {
        List<Condition> conditions = rule.conditions();
        for (int i = 0; i < conditions.size(); i++) {
            Condition c = conditions.get(i);
            if (c.onKey() && !author.may(Access.READ, c.key())) {
                throw RuleParser.forbidden("rule.conditions[" + i + "].key", cannot(author.name(), "read", c.key()) + hint);
            }
        }
        List<Action> actions = rule.actions();
        for (int i = 0; i < actions.size(); i++) {
            String at = "rule.actions[" + i + "]";
            Action a = actions.get(i);
            if (a instanceof Action.Set s) {
                requireWrite(author, s.key(), at + ".key", hint);
            } else if (a instanceof Action.SetFromTrigger s) {
                requireWrite(author, s.key(), at + ".key", hint);
            } else if (a instanceof Action.Publish p) {
                requireWrite(author, p.topic(), at + ".topic", hint);
            }
        }
    }

    private static void requireWrite(Caller author, String key, String at, String hint) {
        if (!author.may(Access.WRITE, key)) {
            throw RuleParser.forbidden(at, cannot(author.name(), "write", key) + hint);
        }
    }

    /** Why {@code author} may not carry out {@code actions}, or null if it may. */
    static String denial(Caller author, List<PlannedAction> actions) {
        for (PlannedAction a : actions) {
            if (!a.isDelay() && !author.may(Access.WRITE, a.target())) {
                return cannot(author.name(), a.writes() ? "write" : "publish on", a.target());
            }
        }
        return null;
    }

    static String cannot(String author, String what, String key) {
        return "author '" + author + "' may not " + what + " '" + key + "'";
    }

    /** The exception for a caller who may not change someone else's rule. */
    static PandoException notYours(String op, String id, String author, String caller) {
        return new PandoException(dev.pando.api.ErrorCode.FORBIDDEN, op + ": rule '" + id + "' belongs to '" + author
                + "'; only its author or an admin may change it, not '" + caller + "'");
    }
}
