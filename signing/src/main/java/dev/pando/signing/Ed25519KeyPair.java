package dev.pando.signing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 key pair (BouncyCastle lightweight API): the 32-byte private seed and the 32-byte
 * public key. Used for the node's identity, plugin signatures and capability tokens.
 */
public final class Ed25519KeyPair {
    public static final int SEED_BYTES = 32;
    public static final int PUBLIC_KEY_BYTES = 32;
    public static final int SIGNATURE_BYTES = 64;

    private final Ed25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;

    private Ed25519KeyPair(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey().getEncoded();
    }

    public static Ed25519KeyPair generate() {
        return new Ed25519KeyPair(new Ed25519PrivateKeyParameters(new SecureRandom()));
    }

    /** Rebuilds a pair from its 32-byte private seed. */
    public static Ed25519KeyPair fromSeed(byte[] seed) {
        if (seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("an Ed25519 seed is " + SEED_BYTES + " bytes, got " + seed.length);
        }
        return new Ed25519KeyPair(new Ed25519PrivateKeyParameters(seed, 0));
    }

    public byte[] seed() {
        return privateKey.getEncoded();
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** Verifies {@code signature} over {@code message} by {@code publicKey}; never throws on bad input. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != PUBLIC_KEY_BYTES || signature == null || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        Ed25519PublicKeyParameters key;
        try {
            key = new Ed25519PublicKeyParameters(publicKey, 0);
        } catch (IllegalArgumentException e) { // 32 bytes that are not a point on the curve
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, key);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    /** Short stable name for a public key: the first 8 bytes of its SHA-256, in hex. */
    public static String fingerprint(byte[] publicKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKey);
            return HexFormat.of().formatHex(Arrays.copyOf(digest, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
