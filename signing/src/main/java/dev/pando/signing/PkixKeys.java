package dev.pando.signing;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** The DER structures inside PEM keys: PKCS#8 PrivateKeyInfo (RFC 5958) and SubjectPublicKeyInfo, for Ed25519 (RFC 8410). */
final class PkixKeys {
    static final String PRIVATE_LABEL = "PRIVATE KEY";
    static final String PUBLIC_LABEL = "PUBLIC KEY";
    /** id-Ed25519 (RFC 8410); bcprov keeps its own constant internal, the public one lives in bcutil. */
    private static final ASN1ObjectIdentifier ID_ED25519 = new ASN1ObjectIdentifier("1.3.101.112");
    private static final AlgorithmIdentifier ED25519 = new AlgorithmIdentifier(ID_ED25519);
    /** Names for the algorithms people most often hand us by mistake. */
    private static final Map<String, String> NAMES = Map.of(
            "1.2.840.113549.1.1.1", "an RSA key",
            "1.2.840.10045.2.1", "an EC (ECDSA) key",
            "1.2.840.10040.4.1", "a DSA key",
            "1.3.101.110", "an X25519 key",
            "1.3.101.111", "an X448 key",
            "1.3.101.113", "an Ed448 key");

    private PkixKeys() {}

    /** PKCS#8 v1 with just the seed, as {@code openssl genpkey -algorithm ed25519} writes it. */
    static byte[] encodePrivate(Ed25519KeyPair key) {
        try {
            return new PrivateKeyInfo(ED25519, new DEROctetString(key.seed())).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding in memory cannot fail", e);
        }
    }

    static Ed25519KeyPair decodePrivate(byte[] der) {
        String what = "the PEM private key";
        byte[] seed;
        PrivateKeyInfo info;
        try {
            info = PrivateKeyInfo.getInstance(der);
            checkAlgorithm(info.getPrivateKeyAlgorithm().getAlgorithm(), what);
            seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
        } catch (KeyFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) { // BouncyCastle reports bad DER with several unchecked types
            throw new KeyFormatException(what + " is not a valid PKCS#8 structure: " + e.getMessage(), e);
        }
        if (seed.length != Ed25519KeyPair.SEED_BYTES) {
            throw new KeyFormatException(what + " has a " + seed.length + "-byte seed; Ed25519 needs " + Ed25519KeyPair.SEED_BYTES);
        }
        Ed25519KeyPair pair = Ed25519KeyPair.fromSeed(seed);
        // PKCS#8 v2 may carry the public key too; a mismatch means a corrupt or forged file.
        if (info.getPublicKeyData() != null && !Arrays.equals(info.getPublicKeyData().getOctets(), pair.publicKey())) {
            throw new KeyFormatException(what + " is corrupt (its public key does not match its private key)");
        }
        return pair;
    }

    static byte[] encodePublic(byte[] publicKey) {
        try {
            return new SubjectPublicKeyInfo(ED25519, publicKey).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding in memory cannot fail", e);
        }
    }

    static byte[] decodePublic(byte[] der) {
        String what = "the PEM public key";
        byte[] key;
        try {
            SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(der);
            checkAlgorithm(info.getAlgorithm().getAlgorithm(), what);
            key = info.getPublicKeyData().getOctets();
        } catch (KeyFormatException e) {
            throw e;
        } catch (RuntimeException e) { // BouncyCastle reports bad DER with several unchecked types
            throw new KeyFormatException(what + " is not a valid SubjectPublicKeyInfo structure: " + e.getMessage(), e);
        }
        if (key.length != Ed25519KeyPair.PUBLIC_KEY_BYTES) {
            throw new KeyFormatException(what + " is " + key.length + " bytes; an Ed25519 public key is " + Ed25519KeyPair.PUBLIC_KEY_BYTES);
        }
        return key;
    }

    private static void checkAlgorithm(ASN1ObjectIdentifier algorithm, String what) {
        if (!ID_ED25519.equals(algorithm)) {
            String name = NAMES.getOrDefault(algorithm.getId(), "a key of algorithm " + algorithm.getId());
            throw new KeyFormatException(what + " is " + name + "; only Ed25519 keys are supported");
        }
    }
}
