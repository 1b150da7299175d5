package dev.pando.node.kv;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;

/**
 * A page request over the state: every key matching {@code pattern} (a prefix scan is the
 * pattern {@code prefix/**}), in key order, after the position encoded in {@code cursor}.
 */
public record ScanQuery(PathPattern pattern, int limit, String cursor) {
    public static final int DEFAULT_LIMIT = 1000;
    public static final int MAX_LIMIT = 10_000;

    public ScanQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
    }

    public static ScanQuery prefix(String prefix) {
        return new ScanQuery(PathPattern.under(prefix), DEFAULT_LIMIT, null);
    }

    public static ScanQuery pattern(String pattern) {
        return new ScanQuery(PathPattern.compile(pattern), DEFAULT_LIMIT, null);
    }

    public ScanQuery withLimit(int limit) {
        return new ScanQuery(pattern, limit, cursor);
    }

    public ScanQuery after(String cursor) {
        return new ScanQuery(pattern, limit, cursor);
    }
}
