package dev.pando.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pando.signing.SignatureException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WasmBundleTest {
    /** A valid module exporting an empty function "run": type, function, export and code sections, plus a custom "name" section. */
    static final byte[] MODULE = HexFormat.of().parseHex(
            "0061736d01000000"
                    + "010401600000"           // type: () -> ()
                    + "03020100"               // function 0 has type 0
                    + "070701037275 6e0000".replace(" ", "") // export "run" = func 0
                    + "0a040102000b"           // code: one body, no locals, end
                    + "0005046e616d65");       // custom "name", empty payload
    static final byte[] MANIFEST = "{\"id\":\"demo\",\"version\":\"1.0.0\",\"apiVersion\":1}".getBytes(StandardCharsets.UTF_8);

    final Ed25519KeyPair key = Ed25519KeyPair.generate();
    final TrustedKeys trusted = TrustedKeys.of(key.publicKey());

    @Test
    void packedBundleReadsAndVerifies() {
        byte[] bundle = WasmBundle.pack(MODULE, MANIFEST, key);
        WasmBundle read = WasmBundle.read(bundle);
        assertThat(read.manifest()).isEqualTo(MANIFEST);
        assertThat(read.isSigned()).isTrue();
        assertThat(read.claimedSigner()).hasValueSatisfying(k -> assertThat(k).isEqualTo(key.publicKey()));
        Signer signer = read.verify(trusted);
        assertThat(signer.publicKey()).isEqualTo(key.publicKey());
        assertThat(signer.fingerprint()).isEqualTo(Ed25519KeyPair.fingerprint(key.publicKey()));
        // The engine gets the original module plus the manifest section; the signature section is the 97-byte tail.
        byte[] module = read.module();
        assertThat(module).isEqualTo(WasmBundle.packUnsigned(MODULE, MANIFEST));
        assertThat(Arrays.copyOf(module, MODULE.length)).isEqualTo(MODULE);
        assertThat(bundle.length - module.length).isEqualTo(1 + 1 + 1 + WasmBundle.SIGNATURE_SECTION.length() + WasmBundle.SIGNATURE_PAYLOAD_BYTES);
        assertThat(Ed25519KeyPair.verify(key.publicKey(), module, Arrays.copyOfRange(bundle, bundle.length - 64, bundle.length))).isTrue();
    }

    @Test
    void signatureByAnotherKeyThanTheEmbeddedOneIsBad() {
        byte[] unsigned = WasmBundle.packUnsigned(MODULE, MANIFEST);
        Ed25519KeyPair other = Ed25519KeyPair.generate();
        byte[] forged = concat(unsigned, signatureSection(WasmBundle.SIGNATURE_FORMAT, key.publicKey(), other.sign(unsigned)));
        SignatureException e = refusal(forged, trusted);
        assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(e.signerFingerprint()).contains(Ed25519KeyPair.fingerprint(key.publicKey()));
        assertThat(e.getMessage()).contains(Ed25519KeyPair.fingerprint(key.publicKey())).contains("changed after signing");
    }

    @Test
    void validSignatureByUntrustedKeyIsRefused() {
        Ed25519KeyPair other = Ed25519KeyPair.generate();
        SignatureException e = refusal(WasmBundle.pack(MODULE, MANIFEST, other), trusted);
        assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
        String fp = Ed25519KeyPair.fingerprint(other.publicKey());
        assertThat(e.signerFingerprint()).contains(fp);
        assertThat(e.getMessage()).isEqualTo("the module is signed by key " + fp + ", which is not among the trusted keys");
        assertThat(refusal(WasmBundle.pack(MODULE, MANIFEST, key), TrustedKeys.of()).reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
    }

    @Test
    void everySingleFlippedByteIsRefused() {
        byte[] bundle = WasmBundle.pack(MODULE, MANIFEST, key);
        Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
        int structural = 0;
        for (int pos = 0; pos < bundle.length; pos++) {
            for (int mask : new int[] {0x01, 0x10, 0x80, 0xff}) {
                byte[] tampered = bundle.clone();
                tampered[pos] ^= (byte) mask;
                Throwable t = catchThrowable(() -> WasmBundle.read(tampered).verify(trusted));
                assertThat(t).as("flip 0x%02x at offset %d of %d", mask, pos, bundle.length)
                        .isInstanceOfAny(WasmBundleException.class, SignatureException.class);
                if (t instanceof SignatureException s) {
                    reasons.merge(s.reason(), 1, Integer::sum);
                } else {
                    structural++;
                }
            }
        }
        // Flips in code, manifest, key and signature bytes keep the structure and must fail the signature check.
        assertThat(reasons.getOrDefault(Reason.BAD_SIGNATURE, 0)).isGreaterThan(4 * (MANIFEST.length + 64));
        assertThat(structural).as("header and size flips break the structure").isPositive();
        assertThat(reasons).containsKey(Reason.MALFORMED); // the format version byte
    }

    @Test
    void unsignedBundleReadsButDoesNotVerify() {
        byte[] bundle = WasmBundle.packUnsigned(MODULE, MANIFEST);
        WasmBundle read = WasmBundle.read(bundle);
        assertThat(read.isSigned()).isFalse();
        assertThat(read.claimedSigner()).isEmpty();
        assertThat(read.manifest()).isEqualTo(MANIFEST);
        assertThat(read.module()).isEqualTo(bundle);
        SignatureException e = refusal(bundle, trusted);
        assertThat(e.reason()).isEqualTo(Reason.UNSIGNED);
        assertThat(e.signerFingerprint()).isEmpty();
        assertThat(e.getMessage()).isEqualTo("the module is not signed (it has no pando.signature section)");
    }

    @Test
    void manifestSwappedAfterSigningIsBad() {
        byte[] signed = WasmBundle.pack(MODULE, MANIFEST, key);
        byte[] signatureSection = Arrays.copyOfRange(signed, WasmBundle.read(signed).module().length, signed.length);
        byte[] evil = "{\"id\":\"demo\",\"version\":\"1.0.0\",\"apiVersion\":1,\"kv\":{\"write\":[\"/\"]}}".getBytes(StandardCharsets.UTF_8);
        byte[] swapped = concat(WasmBundle.packUnsigned(MODULE, evil), signatureSection);
        assertThat(WasmBundle.read(swapped).manifest()).isEqualTo(evil);
        assertThat(refusal(swapped, trusted).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void signatureMustBeTheLastSection() {
        byte[] signed = WasmBundle.pack(MODULE, MANIFEST, key);
        byte[] trailingCustom = concat(signed, WasmSections.custom("extra", new byte[] {1, 2, 3}));
        SignatureException e = refusal(trailingCustom, trusted);
        assertThat(e.reason()).isEqualTo(Reason.SIGNATURE_NOT_LAST);
        assertThat(e.getMessage()).contains("followed by 11 more bytes").contains("must be the last section");
        // Appended code would run unsigned if the signature only covered what precedes it.
        byte[] trailingCode = concat(signed, HexFormat.of().parseHex("0a040102000b"));
        assertThat(refusal(trailingCode, trusted).reason()).isEqualTo(Reason.SIGNATURE_NOT_LAST);
        assertThat(WasmBundle.read(trailingCode).module()).as("not cut short when the signature is not last").isEqualTo(trailingCode);

        byte[] signatureSection = Arrays.copyOfRange(signed, WasmBundle.read(signed).module().length, signed.length);
        assertThat(refusal(concat(signed, signatureSection), trusted))
                .satisfies(x -> assertThat(x.reason()).isEqualTo(Reason.SIGNATURE_NOT_LAST))
                .hasMessageContaining("2 pando.signature sections");
    }

    @Test
    void malformedSignaturePayloads() {
        byte[] unsigned = WasmBundle.packUnsigned(MODULE, MANIFEST);
        byte[] sig = key.sign(unsigned);
        assertThat(refusal(concat(unsigned, signatureSection(2, key.publicKey(), sig)), trusted))
                .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED)).hasMessageContaining("format version 2");
        byte[] shortPayload = WasmSections.custom(WasmBundle.SIGNATURE_SECTION, new byte[96]);
        assertThat(refusal(concat(unsigned, shortPayload), trusted))
                .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED)).hasMessageContaining("holds 96 bytes");
        assertThat(WasmBundle.read(concat(unsigned, shortPayload)).claimedSigner()).isEmpty();
    }

    @Test
    void manifestMustAppearExactlyOnce() {
        assertThatThrownBy(() -> WasmBundle.read(MODULE)).isInstanceOf(WasmBundleException.class)
                .hasMessageContaining("has no pando.manifest section");
        byte[] twice = concat(concat(MODULE, WasmSections.custom(WasmBundle.MANIFEST_SECTION, MANIFEST)),
                WasmSections.custom(WasmBundle.MANIFEST_SECTION, MANIFEST));
        assertThatThrownBy(() -> WasmBundle.read(twice)).isInstanceOf(WasmBundleException.class)
                .hasMessage("the module has 2 pando.manifest sections; exactly one is allowed");
        byte[] signedTwice = concat(twice, signatureSection(1, key.publicKey(), key.sign(twice)));
        assertThatThrownBy(() -> WasmBundle.read(signedTwice)).isInstanceOf(WasmBundleException.class);
    }

    @Test
    void packReplacesEarlierManifestAndSignatureAndKeepsOtherSections() {
        Ed25519KeyPair second = Ed25519KeyPair.generate();
        byte[] manifest2 = "{\"id\":\"demo\",\"version\":\"2.0.0\",\"apiVersion\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] repacked = WasmBundle.pack(WasmBundle.pack(MODULE, MANIFEST, key), manifest2, second);
        WasmBundle read = WasmBundle.read(repacked);
        assertThat(read.manifest()).isEqualTo(manifest2);
        assertThat(read.verify(TrustedKeys.of(second.publicKey())).publicKey()).isEqualTo(second.publicKey());
        assertThat(refusal(repacked, trusted).reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
        assertThat(Arrays.copyOf(read.module(), MODULE.length)).as("custom 'name' section kept").isEqualTo(MODULE);
    }

    @Test
    void structuralDamageIsNamed() {
        byte[] bundle = WasmBundle.pack(MODULE, MANIFEST, key);
        assertThatThrownBy(() -> WasmBundle.read(Arrays.copyOf(bundle, bundle.length - 1))).isInstanceOf(WasmBundleException.class)
                .hasMessageMatching("the file is truncated: section 6 \\(id 0\\) at offset \\d+ declares 113 bytes but only 112 remain");
        assertThatThrownBy(() -> WasmBundle.read(new byte[0])).hasMessage("the file is 0 bytes; a WASM module starts with an 8-byte header");
        assertThatThrownBy(() -> WasmBundle.read("PK\3\4 not wasm at all".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("the file is not a WASM module (it does not start with \\0asm)");
        byte[] version2 = bundle.clone();
        version2[4] = 2;
        assertThatThrownBy(() -> WasmBundle.read(version2)).hasMessage("the file is WASM binary version 2; only version 1 is supported");
        byte[] header = Arrays.copyOf(MODULE, 8);
        assertThatThrownBy(() -> WasmBundle.read(concat(header, HexFormat.of().parseHex("01808080808000"))))
                .hasMessage("the file is malformed: section 0 (id 1) at offset 8: its size is not a valid LEB128 u32 (too large or overlong)");
        assertThatThrownBy(() -> WasmBundle.read(concat(header, HexFormat.of().parseHex("01ffffffff7f"))))
                .hasMessageContaining("not a valid LEB128 u32");
        assertThatThrownBy(() -> WasmBundle.read(concat(header, HexFormat.of().parseHex("0180"))))
                .hasMessage("the file is malformed: section 0 (id 1) at offset 8: its size is truncated");
        assertThatThrownBy(() -> WasmBundle.read(concat(header, HexFormat.of().parseHex("0002056e"))))
                .hasMessage("the file is malformed: section 0 (id 0) at offset 8: its name of 5 bytes overruns the section");
        assertThatThrownBy(() -> WasmBundle.read(concat(header, HexFormat.of().parseHex("0000"))))
                .hasMessage("the file is malformed: section 0 (id 0) at offset 8: its name length is truncated");
        assertThatThrownBy(() -> WasmBundle.pack("nope".getBytes(StandardCharsets.UTF_8), MANIFEST, key)).isInstanceOf(WasmBundleException.class)
                .hasMessageStartingWith("the module is 4 bytes");
        assertThatThrownBy(() -> WasmBundle.packUnsigned(MODULE, new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the manifest is empty");
    }

    @Test
    void largeSectionsUseMultiByteSizes() {
        byte[] big = new byte[200_000];
        Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        byte[] bundle = WasmBundle.pack(MODULE, big, key);
        WasmBundle read = WasmBundle.read(bundle);
        assertThat(read.manifest()).isEqualTo(big);
        assertThat(read.verify(trusted).publicKey()).isEqualTo(key.publicKey());
    }

    static SignatureException refusal(byte[] bundle, TrustedKeys trusted) {
        Throwable t = catchThrowable(() -> WasmBundle.read(bundle).verify(trusted));
        assertThat(t).isInstanceOf(SignatureException.class);
        return (SignatureException) t;
    }

    static byte[] signatureSection(int version, byte[] publicKey, byte[] signature) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(version);
        payload.writeBytes(publicKey);
        payload.writeBytes(signature);
        return WasmSections.custom(WasmBundle.SIGNATURE_SECTION, payload.toByteArray());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
