package dev.pando.signing;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;

/**
 * Key text that cannot be used: not a key, not Ed25519, encrypted or corrupt. The message says
 * which. A {@code BAD_REQUEST}.
 */
public final class KeyFormatException extends PandoException {
    private static final long serialVersionUID = 1L;

    public KeyFormatException(String message) {
        super(ErrorCode.BAD_REQUEST, message);
    }

    public KeyFormatException(String message, Throwable cause) {
        super(ErrorCode.BAD_REQUEST, message, cause);
    }
}
