package dev.pando.signing;

import java.util.Arrays;

/** The key behind a signature that verified and is trusted. */
public final class Signer {
    private final byte[] publicKey;

    public Signer(byte[] publicKey) {
        if (publicKey.length != Ed25519KeyPair.PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key is " + Ed25519KeyPair.PUBLIC_KEY_BYTES + " bytes, got " + publicKey.length);
        }
        this.publicKey = publicKey.clone();
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    public String fingerprint() {
        return Ed25519KeyPair.fingerprint(publicKey);
    }

    /**
     * Checks {@code signature} over {@code content} by {@code publicKey}, then that the key is
     * trusted. The signature comes first so that UNTRUSTED_SIGNER always names a key that really
     * signed the content, never one garbled by corruption.
     *
     * @param what names the signed thing in messages
     */
    static Signer verify(byte[] content, byte[] publicKey, byte[] signature, TrustedKeys trusted, String what) {
        String fingerprint = Ed25519KeyPair.fingerprint(publicKey);
        if (!Ed25519KeyPair.verify(publicKey, content, signature)) {
            throw new SignatureException(SignatureException.Reason.BAD_SIGNATURE, fingerprint, what + " does not match its signature "
                    + "(claimed signer " + fingerprint + "): it was changed after signing, or signed with a different key");
        }
        if (!trusted.contains(publicKey)) {
            throw new SignatureException(SignatureException.Reason.UNTRUSTED_SIGNER, fingerprint, what + " is signed by key "
                    + fingerprint + (trusted.isEmpty() ? ", but no key is trusted at all" : ", which is not among the trusted keys"));
        }
        return new Signer(publicKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Signer s && Arrays.equals(publicKey, s.publicKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "Signer[" + fingerprint() + "]";
    }
}
