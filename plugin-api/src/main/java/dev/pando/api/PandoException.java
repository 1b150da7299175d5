package dev.pando.api;

import java.util.Objects;

/**
 * A request failure with a typed {@link ErrorCode}. Handlers throw it; the dispatcher turns it
 * into {@code {ok:false, error:{code, message}}} and nothing else about the failure leaks.
 */
public class PandoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final long retryAfterMillis;

    public PandoException(ErrorCode code, String message) {
        this(code, message, 0, null);
    }

    public PandoException(ErrorCode code, String message, Throwable cause) {
        this(code, message, 0, cause);
    }

    /**
     * The general form; the Java client uses it to rebuild a failure the node reported, whatever
     * its code, with the {@code retryAfterMs} it carried.
     *
     * @param retryAfterMillis 0 when there is no hint
     * @param cause            null when there is none
     */
    public PandoException(ErrorCode code, String message, long retryAfterMillis, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.retryAfterMillis = retryAfterMillis;
    }

    /** A {@link ErrorCode#RATE_LIMITED} failure telling the client when to try again. */
    public static PandoException rateLimited(String message, long retryAfterMillis) {
        return new PandoException(ErrorCode.RATE_LIMITED, message, retryAfterMillis, null);
    }

    public static PandoException badRequest(String message) {
        return new PandoException(ErrorCode.BAD_REQUEST, message);
    }

    public ErrorCode code() {
        return code;
    }

    /** Milliseconds the client should wait before retrying; 0 when not applicable. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
