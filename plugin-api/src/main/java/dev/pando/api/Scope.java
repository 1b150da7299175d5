package dev.pando.api;

import dev.pando.api.path.PathPattern;
import java.util.Objects;

/**
 * {@code <action>:<pattern>}, e.g. {@code write:/lights/**}: the right to take {@code action} on
 * the keys (or topics) matching {@code pattern}. Node-wide admin is {@code admin:/**}. Capability
 * tokens, registry entities and the node's own principals all hold their rights as scopes.
 */
public record Scope(Access action, PathPattern pattern) {
    public Scope {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(pattern, "pattern");
        if (action == Access.NONE) {
            throw PandoException.badRequest("a scope's action is read, subscribe, publish, write or admin, not none");
        }
    }

    /** Parses {@code "write:/lights/**"}; a malformed scope is {@code BAD_REQUEST} naming it. */
    public static Scope parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw PandoException.badRequest("scope '" + text + "' is not <action>:<pattern> (e.g. write:/lights/**)");
        }
        String name = text.substring(0, colon);
        Access action = Access.fromWireName(name).filter(a -> a != Access.NONE).orElseThrow(() -> PandoException.badRequest(
                "scope '" + text + "': unknown action '" + name + "' (read, subscribe, publish, write, admin)"));
        try {
            return new Scope(action, PathPattern.compile(text.substring(colon + 1)));
        } catch (PandoException e) {
            throw PandoException.badRequest("scope '" + text + "': " + e.getMessage());
        }
    }

    /** Whether this scope lets its holder take {@code access} on {@code key}. */
    public boolean allows(Access access, String key) {
        return action.covers(access) && pattern.matches(key);
    }

    /**
     * Whether this scope grants everything {@code narrower} does: its action covers the other's
     * and its pattern {@link PathPattern#contains contains} the other's. Delegation and grants
     * may only hand on what is covered.
     */
    public boolean covers(Scope narrower) {
        return action.covers(narrower.action) && pattern.contains(narrower.pattern);
    }

    @Override
    public String toString() {
        return action.wireName() + ":" + pattern;
    }
}
