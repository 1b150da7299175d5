package dev.pando.signing;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.Objects;
import java.util.Optional;

/**
 * A signed plugin that is refused: the {@link Reason} for programs, the message for people. Its
 * code is {@code FORBIDDEN}: whatever the reason, the content is not trusted.
 */
public final class SignatureException extends PandoException {
    private static final long serialVersionUID = 1L;

    /** Why a signature was refused. */
    public enum Reason {
        /** There is no signature at all. */
        UNSIGNED,
        /** A WASM signature section is not the module's last section, so bytes after it would go unsigned. */
        SIGNATURE_NOT_LAST,
        /** The signature data cannot be read: wrong size, unknown format version, undecodable {@code .sig} file. */
        MALFORMED,
        /** The signature does not verify against the key it names: the content changed after signing, or another key signed it. */
        BAD_SIGNATURE,
        /** The signature is valid, but its key is not trusted. */
        UNTRUSTED_SIGNER
    }

    private final Reason reason;
    private final String signerFingerprint;

    public SignatureException(Reason reason, String message) {
        this(reason, null, message);
    }

    /** @param signerFingerprint the key the signature names, or null when unknown */
    public SignatureException(Reason reason, String signerFingerprint, String message) {
        super(ErrorCode.FORBIDDEN, message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.signerFingerprint = signerFingerprint;
    }

    public Reason reason() {
        return reason;
    }

    /** The fingerprint of the key the signature names (not necessarily trusted, or even valid). */
    public Optional<String> signerFingerprint() {
        return Optional.ofNullable(signerFingerprint);
    }
}
