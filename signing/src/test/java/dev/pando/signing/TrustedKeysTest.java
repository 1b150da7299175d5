package dev.pando.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedKeysTest {
    final Ed25519KeyPair a = Ed25519KeyPair.generate();
    final Ed25519KeyPair b = Ed25519KeyPair.generate();
    final Ed25519KeyPair c = Ed25519KeyPair.generate();
    final Ed25519KeyPair stranger = Ed25519KeyPair.generate();

    @Test
    void fileMixesFormatsCommentsAndMultiLinePem() {
        String text = "# release keys\n"
                + "\n"
                + Ed25519Keys.encodePublic(a.publicKey(), KeyFormat.OPENSSH, "alice@build")
                + "   # indented comment\n"
                + Ed25519Keys.encodePublic(b.publicKey(), KeyFormat.PEM, null)
                + "  " + Ed25519Keys.encodePublic(c.publicKey(), KeyFormat.HEX, null)
                + Fixtures.key("ssh_ed25519.pub");
        TrustedKeys trusted = TrustedKeys.parse(text, "keys.txt");
        assertThat(trusted.size()).isEqualTo(4);
        assertThat(trusted.contains(a.publicKey())).isTrue();
        assertThat(trusted.contains(b.publicKey())).isTrue();
        assertThat(trusted.contains(c.publicKey())).isTrue();
        assertThat(trusted.contains(Ed25519Keys.readPublic(Fixtures.key("ssh_ed25519.pub")))).isTrue();
        assertThat(trusted.contains(stranger.publicKey())).isFalse();
        assertThat(trusted.contains(new byte[5])).isFalse();
        assertThat(trusted.fingerprints()).contains(Ed25519KeyPair.fingerprint(a.publicKey()), Ed25519KeyPair.fingerprint(b.publicKey()))
                .hasSize(4);
        assertThat(List.copyOf(trusted.fingerprints())).isSorted();
    }

    @Test
    void badEntryNamesFileAndLine() {
        String text = "# ok\n" + Ed25519Keys.encodePublic(a.publicKey(), KeyFormat.OPENSSH, null) + "\n" + Fixtures.key("ssh_rsa.pub");
        assertThatThrownBy(() -> TrustedKeys.parse(text, "trusted.keys")).isInstanceOf(KeyFormatException.class)
                .hasMessage("trusted.keys:4: the OpenSSH public key is of type ssh-rsa; only Ed25519 (ssh-ed25519) keys are supported");

        String pem = "\n" + Ed25519Keys.encodePublic(a.publicKey(), KeyFormat.PEM, null).replace("-----END PUBLIC KEY-----\n", "");
        assertThatThrownBy(() -> TrustedKeys.parse(pem, "k")).hasMessage("k:2: the PEM block starting here has no -----END line");

        assertThatThrownBy(() -> TrustedKeys.parse("\n\n" + Fixtures.key("ssh_ed25519"), "k"))
                .hasMessageStartingWith("k:3: is a private key (OPENSSH PRIVATE KEY)");
        assertThatThrownBy(() -> TrustedKeys.parse("x\n", "k")).hasMessageStartingWith("k:1: is not an Ed25519 public key");
    }

    @Test
    void directoryReadsEveryVisibleFile(@TempDir Path dir) throws Exception {
        Ed25519Keys.writePublic(dir.resolve("alice.pub"), a.publicKey(), KeyFormat.OPENSSH, "alice");
        Ed25519Keys.writePublic(dir.resolve("bob.pem"), b.publicKey(), KeyFormat.PEM, null);
        Files.writeString(dir.resolve(".carol.swp"), "garbage that would fail to parse");
        Files.createDirectory(dir.resolve("nested"));
        Ed25519Keys.writePublic(dir.resolve("nested/c.pub"), c.publicKey(), KeyFormat.HEX, null);

        TrustedKeys trusted = TrustedKeys.load(dir);
        assertThat(trusted.size()).isEqualTo(2);
        assertThat(trusted.contains(a.publicKey())).isTrue();
        assertThat(trusted.contains(b.publicKey())).isTrue();
        assertThat(trusted.contains(c.publicKey())).as("not recursive").isFalse();

        Files.writeString(dir.resolve("zed.pub"), "# fine\nbroken\n");
        assertThatThrownBy(() -> TrustedKeys.load(dir)).isInstanceOf(KeyFormatException.class)
                .hasMessageStartingWith(dir.resolve("zed.pub") + ":2: ");
    }

    @Test
    void singleFileAndEmptyFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trusted");
        Files.writeString(file, "# nobody yet\n");
        assertThat(TrustedKeys.load(file).isEmpty()).isTrue();
        Files.writeString(file, Ed25519Keys.encodePublic(a.publicKey(), KeyFormat.HEX, null));
        assertThat(TrustedKeys.load(file).contains(a.publicKey())).isTrue();
        assertThat(TrustedKeys.of(a.publicKey(), b.publicKey()).contains(b.publicKey())).isTrue();
        assertThatThrownBy(() -> TrustedKeys.of(new byte[31])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }
}
