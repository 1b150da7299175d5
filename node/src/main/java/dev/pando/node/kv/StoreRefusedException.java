package dev.pando.node.kv;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;

/**
 * The store will not open its data directory because doing so could lose or silently roll back
 * data. {@link #reason()} says which check refused; the message says why and how to recover.
 */
public final class StoreRefusedException extends PandoException {
    private static final long serialVersionUID = 1L;

    /** Which check refused the directory. */
    public enum Reason {
        /** The directory held a store but its CURRENT file is gone: opening it would create an empty store. */
        MISSING_CURRENT,
        /** The WAL is corrupt before its tail: opening would drop acknowledged writes. */
        CORRUPT_WAL
    }

    private final Reason reason;

    public StoreRefusedException(Reason reason, String message, Throwable cause) {
        super(ErrorCode.UNAVAILABLE, message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
