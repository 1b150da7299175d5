package dev.pando.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Reads and writes Ed25519 keys as text in every {@link KeyFormat}; reading detects the format.
 * Keys made by {@code ssh-keygen -t ed25519 -N ""} and {@code openssl genpkey -algorithm ed25519}
 * load as they are. Anything else (other algorithms, encrypted keys, a public key where a private
 * one is needed, corrupt data) is a {@link KeyFormatException} saying what is wrong.
 */
public final class Ed25519Keys {
    /** Stands for the key file in advice such as "decrypt it with …"; reading from a file fills in its name. */
    static final String KEYFILE = "<keyfile>";
    /** Larger files are refused before reading: no key file comes close. */
    static final long MAX_KEY_FILE_BYTES = 64 * 1024;
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    /** An OpenSSH public key line of any algorithm, told apart by its type: ssh-*, ecdsa-*, sk-*. */
    private static final Pattern SSH_LINE = Pattern.compile("(ssh|ecdsa|sk)-\\S+(\\s.*)?");

    private Ed25519Keys() {}

    /** The key pair in {@code text}: OpenSSH or PEM (PKCS#8) private key, or a 64-character hex seed. */
    public static Ed25519KeyPair readPrivate(String text) {
        String t = text.strip();
        String label = Armor.label(t);
        if (label != null) {
            return switch (label) {
                case OpenSshKeys.PRIVATE_LABEL -> OpenSshKeys.decodePrivate(Armor.decode(t, label));
                case PkixKeys.PRIVATE_LABEL -> PkixKeys.decodePrivate(Armor.decode(t, label));
                case "ENCRYPTED PRIVATE KEY" -> throw new KeyFormatException("the PEM private key is encrypted; decrypt it with "
                        + "'openssl pkey -in " + KEYFILE + " -out <plain-keyfile>' and use that");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" -> throw new KeyFormatException(
                        "is a legacy " + label.substring(0, label.indexOf(' ')) + " private key; only Ed25519 keys are supported");
                default -> throw new KeyFormatException(label.contains("PUBLIC")
                        ? "is a public key (" + label + "); a private key is needed here"
                        : "is a PEM '" + label + "' block, not an Ed25519 private key");
            };
        }
        oneLine(t);
        if (SSH_LINE.matcher(t).matches()) {
            throw new KeyFormatException("is an OpenSSH public key; a private key is needed here");
        }
        return Ed25519KeyPair.fromSeed(hex(t, false));
    }

    /** The public key in {@code text}: an OpenSSH line, a PEM SubjectPublicKeyInfo, or 64 hex characters. */
    public static byte[] readPublic(String text) {
        String t = text.strip();
        String label = Armor.label(t);
        if (label != null) {
            if (label.equals(PkixKeys.PUBLIC_LABEL)) {
                return PkixKeys.decodePublic(Armor.decode(t, label));
            }
            throw new KeyFormatException(label.contains("PRIVATE")
                    ? "is a private key (" + label + "); give its public key here (for ssh-keygen keys, the .pub file)"
                    : "is a PEM '" + label + "' block, not an Ed25519 public key");
        }
        oneLine(t);
        if (SSH_LINE.matcher(t).matches()) {
            return OpenSshKeys.decodePublic(t);
        }
        return hex(t, true);
    }

    /** Reads {@link #readPrivate(String)} from a file; errors are prefixed with the file name. */
    public static Ed25519KeyPair readPrivate(Path file) throws IOException {
        String text = readKeyFile(file);
        try {
            return readPrivate(text);
        } catch (KeyFormatException e) {
            throw new KeyFormatException(file + ": " + e.getMessage().replace(KEYFILE, file.toString()), e);
        }
    }

    /** Reads {@link #readPublic(String)} from a file; errors are prefixed with the file name. */
    public static byte[] readPublic(Path file) throws IOException {
        String text = readKeyFile(file);
        try {
            return readPublic(text);
        } catch (KeyFormatException e) {
            throw new KeyFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The private key as text, ending with a newline.
     *
     * @param comment stored in OpenSSH keys (ignored by the other formats); may be null
     */
    public static String encodePrivate(Ed25519KeyPair key, KeyFormat format, String comment) {
        return switch (format) {
            case OPENSSH -> OpenSshKeys.encodePrivate(key, comment);
            case PEM -> Armor.encode(PkixKeys.PRIVATE_LABEL, PkixKeys.encodePrivate(key), 64);
            case HEX -> HexFormat.of().formatHex(key.seed()) + "\n";
        };
    }

    /**
     * The public key as text, ending with a newline.
     *
     * @param comment appended to an OpenSSH line (ignored by the other formats); may be null
     */
    public static String encodePublic(byte[] publicKey, KeyFormat format, String comment) {
        if (publicKey.length != Ed25519KeyPair.PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key is " + Ed25519KeyPair.PUBLIC_KEY_BYTES + " bytes, got " + publicKey.length);
        }
        return switch (format) {
            case OPENSSH -> OpenSshKeys.encodePublic(publicKey, comment) + "\n";
            case PEM -> Armor.encode(PkixKeys.PUBLIC_LABEL, PkixKeys.encodePublic(publicKey), 64);
            case HEX -> HexFormat.of().formatHex(publicKey) + "\n";
        };
    }

    /**
     * Writes the private key to {@code file}, replacing it atomically. Where the file system has
     * POSIX permissions the file is created owner-only (0600) before any secret is written to it.
     */
    public static void writePrivate(Path file, Ed25519KeyPair key, KeyFormat format, String comment) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(tmp, encodePrivate(key, format, comment), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes the public key to {@code file}, replacing it. */
    public static void writePublic(Path file, byte[] publicKey, KeyFormat format, String comment) throws IOException {
        Files.writeString(file, encodePublic(publicKey, format, comment), StandardCharsets.UTF_8);
    }

    private static String readKeyFile(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_KEY_FILE_BYTES) {
            throw new KeyFormatException(file + ": is " + size + " bytes, too large to be a key file");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void oneLine(String text) {
        long lines = text.lines().count();
        if (lines > 1) {
            throw new KeyFormatException("has " + lines + " lines; expected a single key");
        }
    }

    private static byte[] hex(String text, boolean publicKey) {
        String kind = publicKey ? "public key" : "private seed";
        if (text.isEmpty()) {
            throw new KeyFormatException("is empty; expected an Ed25519 " + (publicKey ? "public" : "private") + " key");
        }
        if (!HEX.matcher(text).matches()) {
            throw new KeyFormatException(publicKey
                    ? "is not an Ed25519 public key (expected an 'ssh-ed25519 …' line, a PEM PUBLIC KEY block or 64 hex characters)"
                    : "is not an Ed25519 private key (expected an OPENSSH PRIVATE KEY or PEM PRIVATE KEY block, or 64 hex characters)");
        }
        if (text.length() != 2 * Ed25519KeyPair.SEED_BYTES) {
            throw new KeyFormatException("is " + text.length() + " hex characters; an Ed25519 " + kind + " is 64");
        }
        return HexFormat.of().parseHex(text);
    }
}
