package dev.pando.api.path;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.Arrays;

/**
 * A compiled key pattern: the one matcher used by subscriptions, scopes, plugin prefixes, rules
 * and federation. Segments are literal, {@code *} (exactly one segment) or {@code **} (zero or
 * more segments), so {@code /a/**}{@code /x} matches {@code /a/x} and {@code /a/b/c/x}.
 * Instances are immutable and thread-safe.
 */
public final class PathPattern {
    private static final String ONE = "*";
    private static final String ANY = "**";

    private final String text;
    private final String[] segments;
    private final boolean literal;

    private PathPattern(String text, String[] segments) {
        this.text = text;
        this.segments = segments;
        this.literal = Arrays.stream(segments).noneMatch(s -> s.equals(ONE) || s.equals(ANY));
    }

    /** Compiles {@code pattern}, or throws {@code BAD_REQUEST} naming what is wrong with it. */
    public static PathPattern compile(String pattern) {
        String problem = Keys.problem(pattern, true);
        if (problem != null) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "invalid pattern " + Keys.quote(pattern) + ": " + problem);
        }
        return new PathPattern(pattern, pattern.substring(1).split("/", -1));
    }

    /** The pattern selecting {@code prefix} and everything below it ({@code "/"} selects all). */
    public static PathPattern under(String prefix) {
        Keys.requireValidPrefix(prefix);
        return compile("/".equals(prefix) ? "/**" : prefix + "/**");
    }

    /** True if the pattern has no wildcard, i.e. matches exactly one key. */
    public boolean isLiteral() {
        return literal;
    }

    /**
     * The longest literal leading path of this pattern ({@code /a/b} for {@code /a/b/*}/c), or
     * {@code "/"} if it starts with a wildcard. Every matching key lies under it, which lets a
     * store scan a range instead of everything.
     */
    public String literalPrefix() {
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            if (s.equals(ONE) || s.equals(ANY)) {
                break;
            }
            sb.append('/').append(s);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    /** True if {@code key} (assumed valid) matches this pattern. */
    public boolean matches(String key) {
        if (key == null || key.isEmpty() || key.charAt(0) != '/') {
            return false;
        }
        if (literal) {
            return text.equals(key);
        }
        return match(0, key, 1);
    }

    /**
     * Matches segments[si..] against key[pos..] where pos is the start of a segment (or
     * key.length()+1 when the key is exhausted). Backtracking only happens at {@code **}; a
     * pattern has at most a few, and keys are at most 1 KiB.
     */
    private boolean match(int si, String key, int pos) {
        int end = key.length();
        while (si < segments.length) {
            String seg = segments[si];
            if (seg.equals(ANY)) {
                if (si == segments.length - 1) {
                    return true; // trailing ** matches whatever remains, including nothing
                }
                // ** consumes zero segments, or one more and tries again.
                int p = pos;
                while (true) {
                    if (match(si + 1, key, p)) {
                        return true;
                    }
                    if (p > end) {
                        return false;
                    }
                    int slash = key.indexOf('/', p);
                    p = slash < 0 ? end + 1 : slash + 1;
                }
            }
            if (pos > end) {
                return false; // pattern wants a segment, key has none left
            }
            int slash = key.indexOf('/', pos);
            int segEnd = slash < 0 ? end : slash;
            if (!seg.equals(ONE)) {
                if (segEnd - pos != seg.length() || !key.startsWith(seg, pos)) {
                    return false;
                }
            } else if (segEnd == pos) {
                return false;
            }
            pos = segEnd + 1;
            si++;
        }
        return pos > end;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathPattern p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
