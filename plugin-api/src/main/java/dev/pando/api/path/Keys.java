package dev.pando.api.path;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;

/**
 * Validation of state keys. A key is an absolute path of one or more non-empty segments:
 * {@code /site-a/lights/1}. Segments may not contain {@code /}, {@code *} or control
 * characters, may not be {@code .} or {@code ..}, and the whole key is at most
 * {@link #MAX_KEY_BYTES} bytes of UTF-8. Keys are never rewritten: a key that is not already
 * canonical is rejected, so two spellings can never name one entry.
 */
public final class Keys {
    /** Longest key accepted, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;

    private Keys() {}

    /** Returns {@code key} if it is a valid key, otherwise throws {@code BAD_REQUEST}. */
    public static String requireValid(String key) {
        String problem = problem(key, false);
        if (problem != null) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "invalid key " + quote(key) + ": " + problem);
        }
        return key;
    }

    public static boolean isValid(String key) {
        return problem(key, false) == null;
    }

    /**
     * Validates a scan prefix: {@code "/"} (everything) or a valid key. A prefix selects the key
     * itself and every key below it, on segment boundaries.
     */
    public static String requireValidPrefix(String prefix) {
        if ("/".equals(prefix)) {
            return prefix;
        }
        String problem = problem(prefix, false);
        if (problem != null) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "invalid prefix " + quote(prefix) + ": " + problem);
        }
        return prefix;
    }

    /**
     * True if {@code key} equals {@code prefix} or lies below it on a segment boundary:
     * {@code /a/b} is under {@code /a} but {@code /ab} is not.
     */
    public static boolean isUnder(String key, String prefix) {
        if ("/".equals(prefix)) {
            return true;
        }
        return key.startsWith(prefix)
                && (key.length() == prefix.length() || key.charAt(prefix.length()) == '/');
    }

    /** The reason {@code path} is not a valid key (or pattern), or null if it is. */
    static String problem(String path, boolean allowWildcards) {
        if (path == null || path.isEmpty()) {
            return "empty";
        }
        if (path.charAt(0) != '/') {
            return "must start with '/'";
        }
        if (path.length() == 1) {
            return "has no segments";
        }
        // A char is at most 3 bytes of UTF-8 (a surrogate pair 4 for two), so short keys need no count.
        if (path.length() > MAX_KEY_BYTES / 3 && utf8Length(path) > MAX_KEY_BYTES) {
            return "longer than " + MAX_KEY_BYTES + " bytes";
        }
        int start = 1;
        for (int i = 1; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                String p = segmentProblem(path, start, i, allowWildcards);
                if (p != null) {
                    return p;
                }
                start = i + 1;
            }
        }
        return null;
    }

    private static String segmentProblem(String path, int from, int to, boolean allowWildcards) {
        if (from == to) {
            return to == path.length() ? "ends with '/'" : "has an empty segment at offset " + from;
        }
        // Compared in place: a substring per segment is most of the cost of checking a key.
        int length = to - from;
        if (length <= 2 && path.charAt(from) == '.' && path.charAt(to - 1) == '.') {
            return "has a '" + path.substring(from, to) + "' segment";
        }
        if (allowWildcards && length <= 2 && path.charAt(from) == '*' && path.charAt(to - 1) == '*') {
            return null;
        }
        for (int i = from; i < to; i++) {
            char c = path.charAt(i);
            if (c > 0x20 && c < 0x7f && c != '*') {
                continue; // printable ASCII other than '*': almost every char of every key
            }
            if (c == '*') {
                return allowWildcards
                        ? "'*' and '**' must be whole segments (offset " + i + ")"
                        : "has '*' at offset " + i + " (wildcards are for patterns)";
            }
            if (Character.isISOControl(c)) {
                return "has control character U+" + String.format("%04X", (int) c) + " at offset " + i;
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(path.charAt(i + 1));
                if (!paired) {
                    return "has an unpaired surrogate at offset " + i;
                }
                i++;
            }
        }
        return null;
    }

    /**
     * The exact number of bytes {@code s} encodes to in UTF-8 (as {@link String#getBytes}
     * with UTF-8 counts them: an unpaired surrogate becomes one replacement byte), without
     * allocating.
     */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n += 1; // encoded as '?'
            } else {
                n += 3;
            }
        }
        return n;
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return "'" + shown + "'";
    }
}
