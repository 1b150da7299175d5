package dev.pando.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.junit.jupiter.api.Test;

class Ed25519KeyPairTest {
    @Test
    void signsAndVerifies() {
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] sig = pair.sign(msg);
        assertThat(sig).hasSize(Ed25519KeyPair.SIGNATURE_BYTES);
        assertThat(Ed25519KeyPair.verify(pair.publicKey(), msg, sig)).isTrue();
        msg[0] ^= 1;
        assertThat(Ed25519KeyPair.verify(pair.publicKey(), msg, sig)).isFalse();
        assertThat(Ed25519KeyPair.verify(Ed25519KeyPair.generate().publicKey(), "hello".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
        assertThat(Ed25519KeyPair.verify(pair.publicKey(), msg, new byte[3])).isFalse();
    }

    @Test
    void seedRoundTripsAndMatchesRfc8032Vector() {
        // RFC 8032 §7.1 TEST 1: empty message.
        HexFormat hex = HexFormat.of();
        Ed25519KeyPair pair = Ed25519KeyPair.fromSeed(hex.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertThat(hex.formatHex(pair.publicKey())).isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        assertThat(hex.formatHex(pair.sign(new byte[0]))).isEqualTo(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        assertThat(Ed25519KeyPair.fromSeed(pair.seed()).publicKey()).isEqualTo(pair.publicKey());
        assertThatThrownBy(() -> Ed25519KeyPair.fromSeed(new byte[31])).hasMessageContaining("32 bytes");
        assertThat(Ed25519KeyPair.fingerprint(pair.publicKey())).hasSize(16);
    }

    @Test
    void verifyRejectsPublicKeysThatAreNotCurvePoints() {
        // Some 32-byte strings do not decode to a point; BouncyCastle throws for them, verify must not.
        byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] sig = Ed25519KeyPair.generate().sign(msg);
        int notPoints = 0;
        for (int i = 0; i < 256; i++) {
            byte[] key = new byte[Ed25519KeyPair.PUBLIC_KEY_BYTES];
            key[0] = (byte) i;
            try {
                new Ed25519PublicKeyParameters(key, 0);
            } catch (IllegalArgumentException e) {
                notPoints++;
            }
            assertThat(Ed25519KeyPair.verify(key, msg, sig)).isFalse();
        }
        assertThat(notPoints).as("the loop reaches the throwing path").isPositive();
    }
}
