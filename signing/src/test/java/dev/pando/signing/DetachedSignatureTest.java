package dev.pando.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pando.signing.SignatureException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetachedSignatureTest {
    final Ed25519KeyPair key = Ed25519KeyPair.generate();
    final TrustedKeys trusted = TrustedKeys.of(key.publicKey());
    final byte[] jar = "PK\3\4 pretend this is a jar".getBytes(StandardCharsets.UTF_8);

    @Test
    void signedFileVerifies(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plugin.jar");
        Files.write(file, jar);
        Path sig = DetachedSignature.signFile(file, key);
        assertThat(sig).isEqualTo(dir.resolve("plugin.jar.sig"));
        assertThat(Files.readAllLines(sig)).hasSize(3).first().isEqualTo("pando-signature v1");
        assertThat(Files.readAllLines(sig).get(1)).isEqualTo(Ed25519Keys.encodePublic(key.publicKey(), KeyFormat.OPENSSH, null).strip());
        assertThat(DetachedSignature.verifyFile(file, trusted).fingerprint()).isEqualTo(Ed25519KeyPair.fingerprint(key.publicKey()));
        // The key line can be pasted into a trusted-keys file as it is.
        assertThat(TrustedKeys.parse(Files.readAllLines(sig).get(1), "sig").contains(key.publicKey())).isTrue();
    }

    @Test
    void tamperedJarIsBad(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plugin.jar");
        Files.write(file, jar);
        DetachedSignature.signFile(file, key);
        for (int pos = 0; pos < jar.length; pos++) {
            byte[] tampered = jar.clone();
            tampered[pos] ^= 1;
            Files.write(file, tampered);
            SignatureException e = catchThrowableOfType(SignatureException.class, () -> DetachedSignature.verifyFile(file, trusted));
            assertThat(e).as("flip at %d", pos).isNotNull();
            assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        }
        Files.write(file, jar, java.nio.file.StandardOpenOption.APPEND);
        assertThat(catchThrowableOfType(SignatureException.class, () -> DetachedSignature.verifyFile(file, trusted)).reason())
                .isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void wrongKeyAndUntrustedKey() {
        Ed25519KeyPair other = Ed25519KeyPair.generate();
        // Claims key's identity but was made by other.
        String forged = DetachedSignature.sign(jar, other).text()
                .replace(Ed25519Keys.encodePublic(other.publicKey(), KeyFormat.OPENSSH, null).strip(),
                        Ed25519Keys.encodePublic(key.publicKey(), KeyFormat.OPENSSH, null).strip());
        SignatureException bad = catchThrowableOfType(SignatureException.class, () -> DetachedSignature.parse(forged).verify(jar, trusted));
        assertThat(bad.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(bad.signerFingerprint()).contains(Ed25519KeyPair.fingerprint(key.publicKey()));

        SignatureException untrusted = catchThrowableOfType(SignatureException.class,
                () -> DetachedSignature.sign(jar, other).verify(jar, trusted));
        assertThat(untrusted.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
        assertThat(untrusted.getMessage()).contains(Ed25519KeyPair.fingerprint(other.publicKey()));
    }

    @Test
    void missingSigIsUnsigned(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plugin.jar");
        Files.write(file, jar);
        SignatureException e = catchThrowableOfType(SignatureException.class, () -> DetachedSignature.verifyFile(file, trusted));
        assertThat(e.reason()).isEqualTo(Reason.UNSIGNED);
        assertThat(e.getMessage()).isEqualTo("the file is not signed (there is no plugin.jar.sig beside it)");
    }

    @Test
    void malformedSigFiles(@TempDir Path dir) throws Exception {
        String good = DetachedSignature.sign(jar, key).text();
        String[] lines = good.split("\n");
        assertMalformed("", "it does not start with 'pando-signature v1'");
        assertMalformed("pando-signature v2\n" + lines[1] + "\n" + lines[2], "it is 'pando-signature v2'; this node reads 'pando-signature v1'");
        assertMalformed(lines[0] + "\n" + lines[1], "it has 2 lines; expected 3 (header, public key, signature)");
        assertMalformed(lines[0] + "\n" + Fixtures.key("ssh_rsa.pub") + lines[2], "line 2: the OpenSSH public key is of type ssh-rsa");
        assertMalformed(lines[0] + "\n" + lines[1] + "\n" + "@@@", "line 3 is not valid base64");
        assertMalformed(lines[0] + "\n" + lines[1] + "\n" + "AAAA", "line 3 is a 3-byte signature; Ed25519 signatures are 64");
        // CRLF and trailing blank lines are tolerated.
        assertThat(DetachedSignature.parse(good.replace("\n", "\r\n") + "\r\n\r\n").verify(jar, trusted).publicKey()).isEqualTo(key.publicKey());

        Path file = dir.resolve("p.jar");
        Files.write(file, jar);
        Files.write(DetachedSignature.sigFile(file), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        assertThat(catchThrowableOfType(SignatureException.class, () -> DetachedSignature.verifyFile(file, trusted)).reason())
                .isEqualTo(Reason.MALFORMED);
    }

    static void assertMalformed(String text, String problem) {
        SignatureException e = catchThrowableOfType(SignatureException.class, () -> DetachedSignature.parse(text));
        assertThat(e).as(text).isNotNull();
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(e.getMessage()).startsWith("the signature file is malformed: " + problem);
    }
}
