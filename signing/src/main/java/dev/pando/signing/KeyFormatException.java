package dev.pando.signing;

/** Key text that cannot be used: not a key, not Ed25519, encrypted or corrupt. The message says which. */
public final class KeyFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public KeyFormatException(String message) {
        super(message);
    }

    public KeyFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
