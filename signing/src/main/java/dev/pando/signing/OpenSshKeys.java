package dev.pando.signing;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * OpenSSH key encodings for Ed25519: the {@code openssh-key-v1} private key container
 * (OpenSSH's PROTOCOL.key) and the one-line public key ({@code ssh-ed25519 <base64> [comment]}).
 */
final class OpenSshKeys {
    static final String KEY_TYPE = "ssh-ed25519";
    static final String PRIVATE_LABEL = "OPENSSH PRIVATE KEY";
    private static final byte[] MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);
    /** Unencrypted keys pad the private section to the "none" cipher's block size. */
    private static final int BLOCK = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private OpenSshKeys() {}

    static String encodePublic(byte[] publicKey, String comment) {
        String line = KEY_TYPE + " " + Base64.getEncoder().encodeToString(publicBlob(publicKey));
        return comment == null || comment.isBlank() ? line : line + " " + comment.strip();
    }

    /** The key from a line {@code ssh-ed25519 <base64> [comment]}. */
    static byte[] decodePublic(String line) {
        String[] parts = line.strip().split("\\s+", 3);
        if (parts.length < 2) {
            throw new KeyFormatException("an OpenSSH public key is one line: 'ssh-ed25519 <base64> [comment]'");
        }
        if (!parts[0].equals(KEY_TYPE)) {
            throw new KeyFormatException("the OpenSSH public key is of type " + parts[0] + "; only Ed25519 (ssh-ed25519) keys are supported");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new KeyFormatException("the OpenSSH public key is not valid base64: " + e.getMessage(), e);
        }
        return fromPublicBlob(blob, "the OpenSSH public key");
    }

    static String encodePrivate(Ed25519KeyPair key, String comment) {
        byte[] publicKey = key.publicKey();
        int check = RANDOM.nextInt();
        SshWire.Writer secret = new SshWire.Writer()
                .uint32(check).uint32(check)
                .string(KEY_TYPE)
                .bytes(publicKey)
                .bytes(concat(key.seed(), publicKey)) // OpenSSH stores seed || public key
                .string(comment == null ? "" : comment.strip());
        for (int pad = 1; secret.size() % BLOCK != 0; pad++) {
            secret.raw(new byte[] {(byte) pad});
        }
        byte[] container = new SshWire.Writer()
                .raw(MAGIC)
                .string("none").string("none").bytes(new byte[0])
                .uint32(1)
                .bytes(publicBlob(publicKey))
                .bytes(secret.toByteArray())
                .toByteArray();
        return Armor.encode(PRIVATE_LABEL, container, 70);
    }

    static Ed25519KeyPair decodePrivate(byte[] container) {
        String what = "the OpenSSH private key";
        SshWire.Reader in = new SshWire.Reader(container, what);
        if (!in.literal(MAGIC)) {
            throw new KeyFormatException(what + " does not start with 'openssh-key-v1'");
        }
        String cipher = in.string();
        in.string(); // kdf name: only meaningful when encrypted
        in.bytes(); // kdf options
        int count = in.uint32();
        if (count != 1) {
            throw new KeyFormatException(what + " holds " + Integer.toUnsignedString(count) + " keys; expected exactly one");
        }
        byte[] publicKey = fromPublicBlob(in.bytes(), what);
        if (!cipher.equals("none")) {
            throw new KeyFormatException(what + " is encrypted (cipher " + cipher + "); remove the passphrase with "
                    + "'ssh-keygen -p -N \"\" -f " + Ed25519Keys.KEYFILE + "' and try again");
        }
        SshWire.Reader secret = new SshWire.Reader(in.bytes(), what);
        if (secret.uint32() != secret.uint32()) {
            throw new KeyFormatException(what + " is corrupt (its check numbers differ)");
        }
        String type = secret.string();
        if (!type.equals(KEY_TYPE)) {
            throw new KeyFormatException(what + " is of type " + type + "; only Ed25519 (ssh-ed25519) keys are supported");
        }
        byte[] innerPublic = secret.bytes();
        byte[] seedAndPublic = secret.bytes();
        secret.string(); // comment
        byte[] padding = secret.rest();
        for (int i = 0; i < padding.length; i++) {
            if (padding[i] != (byte) (i + 1)) {
                throw new KeyFormatException(what + " is corrupt (bad padding)");
            }
        }
        if (seedAndPublic.length != Ed25519KeyPair.SEED_BYTES + Ed25519KeyPair.PUBLIC_KEY_BYTES) {
            throw new KeyFormatException(what + " has a " + seedAndPublic.length + "-byte private part; Ed25519 needs 64");
        }
        Ed25519KeyPair pair = Ed25519KeyPair.fromSeed(Arrays.copyOf(seedAndPublic, Ed25519KeyPair.SEED_BYTES));
        byte[] derived = pair.publicKey();
        byte[] stored = Arrays.copyOfRange(seedAndPublic, Ed25519KeyPair.SEED_BYTES, seedAndPublic.length);
        if (!Arrays.equals(derived, publicKey) || !Arrays.equals(derived, innerPublic) || !Arrays.equals(derived, stored)) {
            throw new KeyFormatException(what + " is corrupt (its public key does not match its private key)");
        }
        return pair;
    }

    private static byte[] publicBlob(byte[] publicKey) {
        return new SshWire.Writer().string(KEY_TYPE).bytes(publicKey).toByteArray();
    }

    private static byte[] fromPublicBlob(byte[] blob, String what) {
        SshWire.Reader in = new SshWire.Reader(blob, what);
        String type = in.string();
        if (!type.equals(KEY_TYPE)) {
            throw new KeyFormatException(what + " is of type " + type + "; only Ed25519 (ssh-ed25519) keys are supported");
        }
        byte[] key = in.bytes();
        if (key.length != Ed25519KeyPair.PUBLIC_KEY_BYTES || in.remaining() != 0) {
            throw new KeyFormatException(what + " is corrupt (an Ed25519 public key is " + Ed25519KeyPair.PUBLIC_KEY_BYTES + " bytes)");
        }
        return key;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
