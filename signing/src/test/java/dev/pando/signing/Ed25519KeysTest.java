package dev.pando.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Ed25519KeysTest {
    static final HexFormat HEX = HexFormat.of();

    @Test
    void sshKeygenFixtureLoads() {
        Ed25519KeyPair pair = Ed25519Keys.readPrivate(Fixtures.key("ssh_ed25519"));
        byte[] pub = Ed25519Keys.readPublic(Fixtures.key("ssh_ed25519.pub"));
        assertThat(pair.publicKey()).isEqualTo(pub);
        // The .pub line re-encodes byte for byte (comment included).
        assertThat(Ed25519Keys.encodePublic(pub, KeyFormat.OPENSSH, "fixture@pando")).isEqualTo(Fixtures.key("ssh_ed25519.pub"));
        byte[] msg = "payload".getBytes(StandardCharsets.UTF_8);
        assertThat(Ed25519KeyPair.verify(pub, msg, pair.sign(msg))).isTrue();
    }

    @Test
    void opensslFixtureLoadsWithTheKeysOpensslPrinted() {
        // openssl pkey -text printed these for the fixture: an oracle independent of our encoders.
        Ed25519KeyPair pair = Ed25519Keys.readPrivate(Fixtures.key("openssl_ed25519.pem"));
        assertThat(HEX.formatHex(pair.seed())).isEqualTo("be557c38e63b003ccdeb13eb39df9b506510f96ce14b9ba34f783090313fa82f");
        assertThat(HEX.formatHex(pair.publicKey())).isEqualTo("23adeda7266ca6b211e7fd88b37fe803733b43a8f3127034d27012f98ff80c99");
        assertThat(Ed25519Keys.readPublic(Fixtures.key("openssl_ed25519.pub.pem"))).isEqualTo(pair.publicKey());
        // Our PKCS#8 and SubjectPublicKeyInfo encodings are exactly openssl's.
        assertThat(Ed25519Keys.encodePrivate(pair, KeyFormat.PEM, null)).isEqualTo(Fixtures.key("openssl_ed25519.pem"));
        assertThat(Ed25519Keys.encodePublic(pair.publicKey(), KeyFormat.PEM, null)).isEqualTo(Fixtures.key("openssl_ed25519.pub.pem"));
    }

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void everyFormatRoundTrips(KeyFormat format, @TempDir Path dir) throws Exception {
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        String privateText = Ed25519Keys.encodePrivate(pair, format, "me@host");
        String publicText = Ed25519Keys.encodePublic(pair.publicKey(), format, "me@host");
        assertThat(privateText).endsWith("\n");
        assertThat(Ed25519Keys.readPrivate(privateText).seed()).isEqualTo(pair.seed());
        assertThat(Ed25519Keys.readPublic(publicText)).isEqualTo(pair.publicKey());

        Path key = dir.resolve("k");
        Ed25519Keys.writePrivate(key, pair, format, "me@host");
        Ed25519Keys.writePublic(dir.resolve("k.pub"), pair.publicKey(), format, "me@host");
        assertThat(Ed25519Keys.readPrivate(key).seed()).isEqualTo(pair.seed());
        assertThat(Ed25519Keys.readPublic(dir.resolve("k.pub"))).isEqualTo(pair.publicKey());
        assertThat(Files.list(dir)).as("no temp file left behind").hasSize(2);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        }
    }

    @Test
    void formatsLookAsTheToolsWriteThem() {
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        assertThat(Ed25519Keys.encodePrivate(pair, KeyFormat.OPENSSH, null)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n")
                .endsWith("-----END OPENSSH PRIVATE KEY-----\n");
        assertThat(Ed25519Keys.encodePublic(pair.publicKey(), KeyFormat.OPENSSH, "c")).matches("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\\S{43} c\n");
        assertThat(Ed25519Keys.encodePublic(pair.publicKey(), KeyFormat.OPENSSH, null)).doesNotContain(" \n").hasLineCount(1);
        assertThat(Ed25519Keys.encodePrivate(pair, KeyFormat.HEX, null)).isEqualTo(HEX.formatHex(pair.seed()) + "\n");
        assertThat(Ed25519Keys.encodePublic(pair.publicKey(), KeyFormat.HEX, null)).isEqualTo(HEX.formatHex(pair.publicKey()) + "\n");
        // Uppercase hex and surrounding whitespace are fine.
        assertThat(Ed25519Keys.readPrivate("  " + HEX.formatHex(pair.seed()).toUpperCase() + "\r\n").seed()).isEqualTo(pair.seed());
    }

    @Test
    void ourOpenSshAndPemKeysAreReadByTheRealTools(@TempDir Path dir) throws Exception {
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        Ed25519Keys.writePrivate(dir.resolve("id"), pair, KeyFormat.OPENSSH, "ours");
        String derived = Fixtures.run(dir, "ssh-keygen", "-y", "-f", "id");
        assertThat(derived.strip()).isEqualTo(Ed25519Keys.encodePublic(pair.publicKey(), KeyFormat.OPENSSH, "ours").strip());

        Ed25519Keys.writePrivate(dir.resolve("k.pem"), pair, KeyFormat.PEM, null);
        String pub = Fixtures.run(dir, "openssl", "pkey", "-in", "k.pem", "-pubout");
        assertThat(pub).isEqualTo(Ed25519Keys.encodePublic(pair.publicKey(), KeyFormat.PEM, null));
    }

    @Test
    void freshSshKeygenKeyLoads(@TempDir Path dir) throws Exception {
        Fixtures.run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "live", "-f", "live");
        Ed25519KeyPair pair = Ed25519Keys.readPrivate(dir.resolve("live"));
        assertThat(Ed25519Keys.readPublic(dir.resolve("live.pub"))).isEqualTo(pair.publicKey());
        // And ssh-keygen's own signature tooling agrees on the public key it derives.
        assertThat(Fixtures.run(dir, "ssh-keygen", "-y", "-f", "live").strip())
                .startsWith(Ed25519Keys.encodePublic(pair.publicKey(), KeyFormat.OPENSSH, null).strip());
    }

    @Test
    void otherAlgorithmsAreRefusedByName() {
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(Fixtures.key("ssh_rsa"))).isInstanceOf(KeyFormatException.class)
                .hasMessage("the OpenSSH private key is of type ssh-rsa; only Ed25519 (ssh-ed25519) keys are supported");
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(Fixtures.key("ssh_ecdsa"))).isInstanceOf(KeyFormatException.class)
                .hasMessageContaining("of type ecdsa-sha2-nistp256");
        assertThatThrownBy(() -> Ed25519Keys.readPublic(Fixtures.key("ssh_rsa.pub"))).isInstanceOf(KeyFormatException.class)
                .hasMessage("the OpenSSH public key is of type ssh-rsa; only Ed25519 (ssh-ed25519) keys are supported");
        assertThatThrownBy(() -> Ed25519Keys.readPublic(Fixtures.key("ssh_ecdsa.pub"))).isInstanceOf(KeyFormatException.class)
                .hasMessageContaining("of type ecdsa-sha2-nistp256");
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(Fixtures.key("openssl_ec.pem"))).isInstanceOf(KeyFormatException.class)
                .hasMessage("the PEM private key is an EC (ECDSA) key; only Ed25519 keys are supported");
        assertThatThrownBy(() -> Ed25519Keys.readPublic(Fixtures.key("openssl_ec.pub.pem"))).isInstanceOf(KeyFormatException.class)
                .hasMessage("the PEM public key is an EC (ECDSA) key; only Ed25519 keys are supported");
        assertThatThrownBy(() -> Ed25519Keys.readPrivate("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
                .hasMessage("is a legacy RSA private key; only Ed25519 keys are supported");
    }

    @Test
    void encryptedKeysSayHowToDecrypt() {
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(Fixtures.key("ssh_ed25519_encrypted"))).isInstanceOf(KeyFormatException.class)
                .hasMessageContaining("is encrypted (cipher aes256-ctr)").hasMessageContaining("ssh-keygen -p -N \"\" -f");
        assertThatThrownBy(() -> Ed25519Keys.readPrivate("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----"))
                .hasMessageContaining("encrypted").hasMessageContaining("openssl pkey");
    }

    @Test
    void publicAndPrivateAreNotConfused() {
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(Fixtures.key("ssh_ed25519.pub")))
                .hasMessage("is an OpenSSH public key; a private key is needed here");
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(Fixtures.key("openssl_ed25519.pub.pem")))
                .hasMessage("is a public key (PUBLIC KEY); a private key is needed here");
        assertThatThrownBy(() -> Ed25519Keys.readPublic(Fixtures.key("ssh_ed25519")))
                .hasMessageStartingWith("is a private key (OPENSSH PRIVATE KEY); give its public key");
        assertThatThrownBy(() -> Ed25519Keys.readPublic(Fixtures.key("openssl_ed25519.pem")))
                .hasMessageStartingWith("is a private key (PRIVATE KEY)");
    }

    @Test
    void garbageIsRefusedWithTheProblem() {
        assertThatThrownBy(() -> Ed25519Keys.readPrivate("")).isInstanceOf(KeyFormatException.class).hasMessageStartingWith("is empty");
        assertThatThrownBy(() -> Ed25519Keys.readPublic("hello")).isInstanceOf(KeyFormatException.class)
                .hasMessageStartingWith("is not an Ed25519 public key (expected");
        assertThatThrownBy(() -> Ed25519Keys.readPrivate("not a key at all!")).isInstanceOf(KeyFormatException.class)
                .hasMessageStartingWith("is not an Ed25519 private key (expected");
        assertThatThrownBy(() -> Ed25519Keys.readPublic("abcd")).hasMessage("is 4 hex characters; an Ed25519 public key is 64");
        assertThatThrownBy(() -> Ed25519Keys.readPrivate("ab".repeat(33))).hasMessage("is 66 hex characters; an Ed25519 private seed is 64");
        assertThatThrownBy(() -> Ed25519Keys.readPublic("ssh-ed25519 AAAA!!!")).hasMessageStartingWith("the OpenSSH public key is not valid base64");
        assertThatThrownBy(() -> Ed25519Keys.readPublic("ssh-ed25519")).hasMessageStartingWith("an OpenSSH public key is one line");
        assertThatThrownBy(() -> Ed25519Keys.readPublic("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5")).isInstanceOf(KeyFormatException.class)
                .hasMessage("the OpenSSH public key is truncated");
        String pub = Fixtures.key("ssh_ed25519.pub");
        assertThatThrownBy(() -> Ed25519Keys.readPublic(pub + pub)).hasMessage("has 2 lines; expected a single key");
        assertThatThrownBy(() -> Ed25519Keys.readPublic("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n"))
                .hasMessageContaining("does not end with '-----END PUBLIC KEY-----'");
        assertThatThrownBy(() -> Ed25519Keys.readPublic("-----BEGIN PUBLIC KEY-----\n%%%%\n-----END PUBLIC KEY-----"))
                .hasMessageStartingWith("the PUBLIC KEY block is not valid base64");
        assertThatThrownBy(() -> Ed25519Keys.readPublic("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
                .hasMessageStartingWith("the PEM public key is not a valid SubjectPublicKeyInfo structure");
        assertThatThrownBy(() -> Ed25519Keys.readPrivate("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"))
                .hasMessageStartingWith("the PEM private key is not a valid PKCS#8 structure");
    }

    @Test
    void damagedOpenSshKeysAreRefused() {
        byte[] container = Armor.decode(Fixtures.key("ssh_ed25519"), OpenSshKeys.PRIVATE_LABEL);
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(armor(java.util.Arrays.copyOf(container, container.length - 40))))
                .isInstanceOf(KeyFormatException.class).hasMessage("the OpenSSH private key is truncated");
        byte[] checkBroken = container.clone();
        checkBroken[checkIntOffset(container)] ^= 1;
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(armor(checkBroken))).hasMessageContaining("check numbers differ");
        byte[] seedBroken = container.clone();
        seedBroken[checkIntOffset(container) + 8 + 4 + 11 + 4 + 32 + 4] ^= 1; // first seed byte
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(armor(seedBroken)))
                .hasMessage("the OpenSSH private key is corrupt (its public key does not match its private key)");
        byte[] magicBroken = container.clone();
        magicBroken[0] = 'X';
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(armor(magicBroken))).hasMessageContaining("does not start with 'openssh-key-v1'");
    }

    @Test
    void fileErrorsNameTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.key");
        Files.writeString(f, "nope");
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(f)).isInstanceOf(KeyFormatException.class)
                .hasMessageStartingWith(f + ": is not an Ed25519 private key");
        Path encrypted = dir.resolve("id_enc");
        Files.writeString(encrypted, Fixtures.key("ssh_ed25519_encrypted"));
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(encrypted))
                .hasMessage(encrypted + ": the OpenSSH private key is encrypted (cipher aes256-ctr); remove the passphrase with "
                        + "'ssh-keygen -p -N \"\" -f " + encrypted + "' and try again");
        Files.write(f, new byte[(int) Ed25519Keys.MAX_KEY_FILE_BYTES + 1]);
        assertThatThrownBy(() -> Ed25519Keys.readPublic(f)).hasMessageContaining("too large to be a key file");
    }

    static String armor(byte[] container) {
        return Armor.encode(OpenSshKeys.PRIVATE_LABEL, container, 70);
    }

    /** Where the private section's first check number sits in an unencrypted Ed25519 container. */
    static int checkIntOffset(byte[] container) {
        int magic = 15;
        int none = 4 + 4;
        int kdfOptions = 4;
        int count = 4;
        int publicBlob = 4 + 4 + 11 + 4 + 32;
        int sectionLength = 4;
        assertThat(Base64.getEncoder().encodeToString(container)).startsWith("b3BlbnNzaC1rZXktdjEA");
        return magic + none + none + kdfOptions + count + publicBlob + sectionLength;
    }
}
