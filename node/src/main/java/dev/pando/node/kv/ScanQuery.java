package dev.pando.node.kv;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A page request over the state: every key matching {@code pattern} (a prefix scan is the
 * pattern {@code prefix/**}) that {@code visible} accepts, in key order, after the position
 * encoded in {@code cursor} (from the first key when empty). {@code visible} is the caller's read right: keys it rejects never
 * appear, never count towards {@code limit}, and no cursor reveals them.
 */
public record ScanQuery(PathPattern pattern, int limit, Optional<String> cursor, Predicate<String> visible) {
    private static final Predicate<String> EVERY_KEY = key -> true;

    public static final int DEFAULT_LIMIT = 1000;
    public static final int MAX_LIMIT = 10_000;

    /** A query for a caller who may read every key. */
    public ScanQuery(PathPattern pattern, int limit, Optional<String> cursor) {
        this(pattern, limit, cursor, EVERY_KEY);
    }

    public ScanQuery {
        Objects.requireNonNull(cursor, "cursor");
        Objects.requireNonNull(visible, "visible");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
    }

    public static ScanQuery prefix(String prefix) {
        return new ScanQuery(PathPattern.under(prefix), DEFAULT_LIMIT, Optional.empty());
    }

    public static ScanQuery pattern(String pattern) {
        return new ScanQuery(PathPattern.compile(pattern), DEFAULT_LIMIT, Optional.empty());
    }

    public ScanQuery withLimit(int limit) {
        return new ScanQuery(pattern, limit, cursor, visible);
    }

    public ScanQuery after(String cursor) {
        return new ScanQuery(pattern, limit, Optional.of(cursor), visible);
    }

    /** This query for a caller who may read only the keys {@code test} accepts. */
    public ScanQuery visibleTo(Predicate<String> test) {
        return new ScanQuery(pattern, limit, cursor, test);
    }
}
