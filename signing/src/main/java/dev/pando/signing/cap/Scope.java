package dev.pando.signing.cap;

import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code <action>:<pattern>}, e.g. {@code write:/lights/**}: the right to do {@code action} on
 * keys (or topics) matching {@code pattern}. Node-wide admin is {@code admin:/**}.
 */
public record Scope(ScopeAction action, String pattern) {
    public Scope {
        Objects.requireNonNull(action, "action");
        PathPattern.compile(pattern); // refuses a malformed pattern with BAD_REQUEST
    }

    /** Parses {@code "write:/lights/**"}; a malformed scope is {@code BAD_REQUEST} naming it. */
    public static Scope parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw PandoException.badRequest("scope '" + text + "' is not <action>:<pattern> (e.g. write:/lights/**)");
        }
        ScopeAction action;
        try {
            action = ScopeAction.valueOf(text.substring(0, colon).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw PandoException.badRequest("scope '" + text + "': unknown action '" + text.substring(0, colon)
                    + "' (read, subscribe, publish, write, admin)");
        }
        try {
            return new Scope(action, text.substring(colon + 1));
        } catch (PandoException e) {
            throw PandoException.badRequest("scope '" + text + "': " + e.getMessage());
        }
    }

    /**
     * Whether this scope grants everything {@code narrower} does: its action covers the other's
     * and its pattern contains the other's, segment by segment ({@code **} covers any run of segments,
     * {@code *} covers one segment that is a literal or {@code *} but never {@code **}, a literal
     * covers only the same literal).
     */
    public boolean covers(Scope narrower) {
        return action.covers(narrower.action) && patternCovers(segments(pattern), segments(narrower.pattern), 0, 0);
    }

    private static String[] segments(String pattern) {
        return pattern.equals("/") ? new String[0] : pattern.substring(1).split("/", -1);
    }

    private static boolean patternCovers(String[] wide, String[] narrow, int i, int j) {
        if (i == wide.length) {
            return j == narrow.length;
        }
        if (wide[i].equals("**")) {
            // Any run of the narrower pattern's segments (its ** included) may fall under this one.
            for (int k = j; k <= narrow.length; k++) {
                if (patternCovers(wide, narrow, i + 1, k)) {
                    return true;
                }
            }
            return false;
        }
        if (j == narrow.length || narrow[j].equals("**")) {
            return false;
        }
        boolean segment = wide[i].equals("*") || wide[i].equals(narrow[j]);
        return segment && patternCovers(wide, narrow, i + 1, j + 1);
    }

    @Override
    public String toString() {
        return action.wireName() + ":" + pattern;
    }
}
