package dev.pando.signing;

/** The text encodings {@link Ed25519Keys} reads and writes. */
public enum KeyFormat {
    /**
     * OpenSSH: {@code -----BEGIN OPENSSH PRIVATE KEY-----} (unencrypted) for private keys and the
     * one-line {@code ssh-ed25519 AAAA… comment} for public keys, as {@code ssh-keygen -t ed25519} writes them.
     */
    OPENSSH,
    /** PEM: PKCS#8 {@code -----BEGIN PRIVATE KEY-----} and X.509 SubjectPublicKeyInfo {@code -----BEGIN PUBLIC KEY-----}. */
    PEM,
    /** 64 hex characters: the 32-byte private seed, or the 32-byte public key. */
    HEX
}
