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

    /**
     * A scan query as plugins write it: a pattern when it holds a wildcard ({@code /a/ * /c}),
     * otherwise a prefix ({@code /a/b}, meaning {@link #under} it).
     */
    public static PathPattern prefixOrPattern(String query) {
        return query != null && query.indexOf('*') >= 0 ? compile(query) : under(query);
    }

    /** The pattern selecting {@code prefix} and everything below it ({@code "/"} selects all). */
    public static PathPattern under(String prefix) {
        Keys.requireValidPrefix(prefix);
        if ("/".equals(prefix)) {
            return compile("/**");
        }
        // Not compile(): a valid key may be up to MAX_KEY_BYTES long and "/**" would push the
        // text over the pattern length limit, yet the prefix itself was just validated.
        String text = prefix + "/" + ANY;
        return new PathPattern(text, text.substring(1).split("/", -1));
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
        return match(key);
    }

    /**
     * Greedy glob matching over segments, without recursion: {@code *} and literals consume one
     * key segment; at a {@code **} remember where we are and first let it match nothing; on a
     * mismatch go back to the most recent {@code **} and let it swallow one more segment. Only the
     * most recent {@code **} ever needs revisiting (whatever an earlier one could absorb, the later
     * one can absorb too), so this is O(pattern segments × key segments) in the worst case rather
     * than exponential in the number of {@code **}.
     *
     * <p>{@code pos} is always the start of a key segment; {@code pos > end} means the key is
     * exhausted.
     */
    private boolean match(String key) {
        int end = key.length();
        int si = 0;
        int pos = 1;
        int starSi = -1; // index of the most recent ** seen
        int starPos = -1; // key position that ** was last tried to end at
        while (pos <= end) {
            int slash = key.indexOf('/', pos);
            int segEnd = slash < 0 ? end : slash;
            if (si < segments.length && segments[si].equals(ANY)) {
                starSi = si++;
                starPos = pos;
                continue;
            }
            if (si < segments.length && segmentMatches(segments[si], key, pos, segEnd)) {
                si++;
                pos = segEnd + 1;
                continue;
            }
            if (starSi < 0) {
                return false;
            }
            // Let the last ** absorb one more key segment and retry what follows it.
            int next = key.indexOf('/', starPos);
            starPos = (next < 0 ? end : next) + 1;
            si = starSi + 1;
            pos = starPos;
        }
        while (si < segments.length && segments[si].equals(ANY)) {
            si++;
        }
        return si == segments.length;
    }

    private static boolean segmentMatches(String seg, String key, int from, int to) {
        if (seg.equals(ONE)) {
            return to > from;
        }
        return to - from == seg.length() && key.startsWith(seg, from);
    }

    /**
     * Whether every key this pattern matches is matched by this one, decided segment by segment:
     * {@code **} contains any run of segments, {@code *} contains one segment that is a literal or
     * {@code *} but never {@code **}, and a literal contains only the same literal.
     */
    public boolean contains(PathPattern narrower) {
        return contains(narrower.segments, 0, 0);
    }

    private boolean contains(String[] narrow, int i, int j) {
        if (i == segments.length) {
            return j == narrow.length;
        }
        if (segments[i].equals(ANY)) {
            for (int k = j; k <= narrow.length; k++) { // any run of the other's segments, its ** included
                if (contains(narrow, i + 1, k)) {
                    return true;
                }
            }
            return false;
        }
        if (j == narrow.length || narrow[j].equals(ANY)) {
            return false;
        }
        boolean segment = segments[i].equals(ONE) || segments[i].equals(narrow[j]);
        return segment && contains(narrow, i + 1, j + 1);
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
