package dev.pando.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * A detached Ed25519 signature for a native plugin jar, kept beside it as {@code <jar>.sig}.
 * The file is three lines of UTF-8 text:
 *
 * <pre>
 * pando-signature v1
 * ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… [comment]
 * &lt;base64 of the 64-byte Ed25519 signature over every byte of the jar&gt;
 * </pre>
 *
 * The second line is the signer's public key in OpenSSH form, so it can be pasted into a
 * trusted-keys file. Trailing blank lines and CRLF line ends are accepted.
 */
public final class DetachedSignature {
    public static final String HEADER = "pando-signature v1";
    public static final String SUFFIX = ".sig";
    /** Larger .sig files are refused unread; a real one is under 200 bytes. */
    static final long MAX_SIG_FILE_BYTES = 4096;

    private final byte[] publicKey;
    private final byte[] signature;

    private DetachedSignature(byte[] publicKey, byte[] signature) {
        this.publicKey = publicKey;
        this.signature = signature;
    }

    public static DetachedSignature sign(byte[] content, Ed25519KeyPair key) {
        return new DetachedSignature(key.publicKey(), key.sign(content));
    }

    /** @throws SignatureException MALFORMED if {@code text} is not a v1 .sig file */
    public static DetachedSignature parse(String text) {
        List<String> lines = text.strip().lines().map(String::strip).toList();
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            String first = lines.isEmpty() ? "" : lines.get(0);
            throw malformed(first.startsWith("pando-signature ")
                    ? "it is '" + first + "'; this node reads '" + HEADER + "'"
                    : "it does not start with '" + HEADER + "'");
        }
        if (lines.size() != 3) {
            throw malformed("it has " + lines.size() + " lines; expected 3 (header, public key, signature)");
        }
        byte[] key;
        try {
            key = Ed25519Keys.readPublic(lines.get(1));
        } catch (KeyFormatException e) {
            throw malformed("line 2: " + e.getMessage());
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(lines.get(2));
        } catch (IllegalArgumentException e) {
            throw malformed("line 3 is not valid base64: " + e.getMessage());
        }
        if (signature.length != Ed25519KeyPair.SIGNATURE_BYTES) {
            throw malformed("line 3 is a " + signature.length + "-byte signature; Ed25519 signatures are " + Ed25519KeyPair.SIGNATURE_BYTES);
        }
        return new DetachedSignature(key, signature);
    }

    /** The .sig file text. */
    public String text() {
        return HEADER + "\n" + OpenSshKeys.encodePublic(publicKey, null) + "\n" + Base64.getEncoder().encodeToString(signature) + "\n";
    }

    /** The public key the signature names, unverified. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * Checks this signature over {@code content}, then that its key is in {@code trusted}.
     *
     * @throws SignatureException BAD_SIGNATURE or UNTRUSTED_SIGNER
     */
    public Signer verify(byte[] content, TrustedKeys trusted) {
        return Signer.verify(content, publicKey, signature, trusted, "the file");
    }

    /** {@code <file>.sig}. */
    public static Path sigFile(Path file) {
        return file.resolveSibling(file.getFileName() + SUFFIX);
    }

    /** Signs {@code file} and writes {@link #sigFile}, replacing it; returns the .sig path. */
    public static Path signFile(Path file, Ed25519KeyPair key) throws IOException {
        Path sig = sigFile(file);
        Files.writeString(sig, sign(Files.readAllBytes(file), key).text(), StandardCharsets.UTF_8);
        return sig;
    }

    /**
     * Verifies {@code file} against the {@link #sigFile} beside it.
     *
     * @throws SignatureException UNSIGNED if there is no .sig file, else as {@link #verify}
     */
    public static Signer verifyFile(Path file, TrustedKeys trusted) throws IOException {
        Path sig = sigFile(file);
        String text;
        try {
            if (Files.size(sig) > MAX_SIG_FILE_BYTES) {
                throw malformed(sig.getFileName() + " is " + Files.size(sig) + " bytes, too large for a signature file");
            }
            text = new String(Files.readAllBytes(sig), StandardCharsets.UTF_8); // a binary .sig turns into MALFORMED, not an IOException
        } catch (NoSuchFileException e) {
            throw new SignatureException(SignatureException.Reason.UNSIGNED, "the file is not signed (there is no " + sig.getFileName() + " beside it)");
        }
        return parse(text).verify(Files.readAllBytes(file), trusted);
    }

    private static SignatureException malformed(String problem) {
        return new SignatureException(SignatureException.Reason.MALFORMED, "the signature file is malformed: " + problem);
    }
}
