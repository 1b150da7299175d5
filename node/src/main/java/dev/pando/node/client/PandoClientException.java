package dev.pando.node.client;

import dev.pando.api.ErrorCode;
import java.util.Objects;

/**
 * The node answered a request with {@code ok:false}. Carries the wire {@link ErrorCode}, the
 * node's message and, for {@code RATE_LIMITED}, how long to wait before retrying.
 */
public class PandoClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String codeName;
    private final long retryAfterMs;

    public PandoClientException(ErrorCode code, String message) {
        this(code, code.name(), message, 0);
    }

    public PandoClientException(ErrorCode code, String message, long retryAfterMs) {
        this(code, code.name(), message, retryAfterMs);
    }

    /**
     * @param codeName the code as sent; differs from {@code code.name()} only when a newer node
     *                 sends a code this client does not know (then {@code code} is INTERNAL)
     */
    PandoClientException(ErrorCode code, String codeName, String message, long retryAfterMs) {
        super(message == null || message.isBlank() ? codeName : message);
        this.code = Objects.requireNonNull(code, "code");
        this.codeName = codeName;
        this.retryAfterMs = Math.max(0, retryAfterMs);
    }

    public ErrorCode code() {
        return code;
    }

    /** The code exactly as the node sent it (see {@link #code()} for unknown codes). */
    public String codeName() {
        return codeName;
    }

    /** Milliseconds to wait before retrying; 0 when the node gave no hint. */
    public long retryAfterMs() {
        return retryAfterMs;
    }

    /** One line for humans: {@code CONFLICT: revision mismatch for /a (expected 3, found 5)}. */
    public String describe() {
        String line = codeName + ": " + getMessage();
        return retryAfterMs > 0 ? line + " (retry after " + retryAfterMs + " ms)" : line;
    }
}
