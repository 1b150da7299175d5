package dev.pando.host.wasm;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;

/**
 * An error the guest reported itself through {@code pando.error}. A distinct type only so the
 * host can tell it from a misbehaving guest: the instance that reported it is healthy and goes
 * back to the pool.
 */
final class GuestReportedException extends PandoException {
    private static final long serialVersionUID = 1L;

    GuestReportedException(ErrorCode code, String message) {
        super(code, message);
    }
}
