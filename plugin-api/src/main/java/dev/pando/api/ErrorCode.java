package dev.pando.api;

/**
 * The closed set of error codes a Pando request can fail with. Clients switch on these; the
 * message that travels with them is for humans. {@link #httpStatus()} is the status the HTTP
 * transport answers with.
 */
public enum ErrorCode {
    BAD_REQUEST(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    CONFLICT(409),
    TOO_LARGE(413),
    RATE_LIMITED(429),
    PLUGIN_FAILED(502),
    TIMEOUT(504),
    UNAVAILABLE(503),
    /** Sent to a subscriber whose queue overflowed; its subscriptions are dropped. */
    SLOW_CONSUMER(429),
    INTERNAL(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
