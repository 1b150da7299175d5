package dev.pando.signing;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A WASM plugin: one module carrying its manifest and signature in custom sections, which WASM
 * engines ignore.
 *
 * <ul>
 *   <li>{@value #MANIFEST_SECTION}: the manifest JSON (UTF-8); exactly one.</li>
 *   <li>{@value #SIGNATURE_SECTION}, the module's last section: 1 byte format version
 *       ({@value #SIGNATURE_FORMAT}), the signer's 32-byte Ed25519 public key, and the 64-byte
 *       Ed25519 signature over every module byte before this section (header, code, manifest, …).</li>
 * </ul>
 *
 * {@link #read} checks the structure; {@link #verify} checks the signature and the signer.
 */
public final class WasmBundle {
    public static final String MANIFEST_SECTION = "pando.manifest";
    public static final String SIGNATURE_SECTION = "pando.signature";
    public static final int SIGNATURE_FORMAT = 1;
    static final int SIGNATURE_PAYLOAD_BYTES = 1 + Ed25519KeyPair.PUBLIC_KEY_BYTES + Ed25519KeyPair.SIGNATURE_BYTES;

    private final byte[] bytes;
    private final List<WasmSections.Section> sections;
    private final byte[] manifest;
    private final List<WasmSections.Section> signatures;

    private WasmBundle(byte[] bytes, List<WasmSections.Section> sections, byte[] manifest, List<WasmSections.Section> signatures) {
        this.bytes = bytes;
        this.sections = sections;
        this.manifest = manifest;
        this.signatures = signatures;
    }

    /**
     * Adds {@code manifestJson} to {@code module} and signs it with {@code key}. Any
     * {@value #MANIFEST_SECTION} or {@value #SIGNATURE_SECTION} sections already in the module are
     * dropped first, so re-packing a bundle replaces its manifest and signature.
     *
     * @throws WasmBundleException if {@code module} is not a well-formed WASM binary
     */
    public static byte[] pack(byte[] module, byte[] manifestJson, Ed25519KeyPair key) {
        byte[] unsigned = packUnsigned(module, manifestJson);
        byte[] payload = new byte[SIGNATURE_PAYLOAD_BYTES];
        payload[0] = SIGNATURE_FORMAT;
        System.arraycopy(key.publicKey(), 0, payload, 1, Ed25519KeyPair.PUBLIC_KEY_BYTES);
        System.arraycopy(key.sign(unsigned), 0, payload, 1 + Ed25519KeyPair.PUBLIC_KEY_BYTES, Ed25519KeyPair.SIGNATURE_BYTES);
        ByteArrayOutputStream out = new ByteArrayOutputStream(unsigned.length + SIGNATURE_PAYLOAD_BYTES + 32);
        out.writeBytes(unsigned);
        out.writeBytes(WasmSections.custom(SIGNATURE_SECTION, payload));
        return out.toByteArray();
    }

    /** Like {@link #pack} without the signature: for development, where the node allows unsigned plugins. */
    public static byte[] packUnsigned(byte[] module, byte[] manifestJson) {
        if (manifestJson.length == 0) {
            throw new IllegalArgumentException("the manifest is empty");
        }
        List<WasmSections.Section> sections = parse(module, "the module");
        ByteArrayOutputStream out = new ByteArrayOutputStream(module.length + manifestJson.length + 32);
        out.write(module, 0, WasmSections.HEADER.length);
        for (WasmSections.Section s : sections) {
            if (!s.isCustom(MANIFEST_SECTION) && !s.isCustom(SIGNATURE_SECTION)) {
                out.write(module, s.start(), s.end() - s.start());
            }
        }
        out.writeBytes(WasmSections.custom(MANIFEST_SECTION, manifestJson));
        return out.toByteArray();
    }

    /**
     * Reads a bundle's structure without checking its signature.
     *
     * @throws WasmBundleException if the bytes are not WASM, a section is truncated or overlong,
     *     or there is not exactly one {@value #MANIFEST_SECTION} section
     */
    public static WasmBundle read(byte[] bytes) {
        byte[] copy = bytes.clone();
        List<WasmSections.Section> sections = parse(copy, "the file");
        List<WasmSections.Section> manifests = sections.stream().filter(s -> s.isCustom(MANIFEST_SECTION)).toList();
        if (manifests.isEmpty()) {
            throw new WasmBundleException("the module has no " + MANIFEST_SECTION + " section (build it with 'pando plugin pack')");
        }
        if (manifests.size() > 1) {
            throw new WasmBundleException("the module has " + manifests.size() + " " + MANIFEST_SECTION + " sections; exactly one is allowed");
        }
        List<WasmSections.Section> signatures = sections.stream().filter(s -> s.isCustom(SIGNATURE_SECTION)).toList();
        return new WasmBundle(copy, sections, manifests.get(0).payload(copy), signatures);
    }

    /** The manifest JSON, unvalidated. */
    public byte[] manifest() {
        return manifest.clone();
    }

    /** True if the bundle has a signature section (which {@link #verify} may still refuse). */
    public boolean isSigned() {
        return !signatures.isEmpty();
    }

    /** The public key the signature names, unverified; empty if unsigned or unreadable. */
    public Optional<byte[]> claimedSigner() {
        return signaturePayload().map(p -> Arrays.copyOfRange(p, 1, 1 + Ed25519KeyPair.PUBLIC_KEY_BYTES));
    }

    /**
     * The bytes to hand to the WASM engine: everything the signature covers when the signature is
     * the last section, else the whole file.
     */
    public byte[] module() {
        return Arrays.copyOf(bytes, lastSectionIsSignature() ? signatures.get(0).start() : bytes.length);
    }

    /**
     * Checks that the bundle is signed, that the signature covers every byte before it, and that
     * a key in {@code trusted} made it.
     *
     * @return the signer
     * @throws SignatureException with the reason the bundle is refused
     */
    public Signer verify(TrustedKeys trusted) {
        if (signatures.isEmpty()) {
            throw new SignatureException(SignatureException.Reason.UNSIGNED, "the module is not signed (it has no " + SIGNATURE_SECTION
                    + " section)");
        }
        if (signatures.size() > 1) {
            throw new SignatureException(SignatureException.Reason.SIGNATURE_NOT_LAST, "the module has " + signatures.size() + " "
                    + SIGNATURE_SECTION + " sections; exactly one, the last section, is allowed");
        }
        if (!lastSectionIsSignature()) {
            WasmSections.Section s = signatures.get(0);
            throw new SignatureException(SignatureException.Reason.SIGNATURE_NOT_LAST, "the " + SIGNATURE_SECTION + " section at offset "
                    + s.start() + " is followed by " + (bytes.length - s.end()) + " more bytes of sections; it must be the last section");
        }
        byte[] payload = signatures.get(0).payload(bytes);
        if (payload.length != SIGNATURE_PAYLOAD_BYTES) {
            throw new SignatureException(SignatureException.Reason.MALFORMED, "the " + SIGNATURE_SECTION + " section holds "
                    + payload.length + " bytes; format " + SIGNATURE_FORMAT + " has " + SIGNATURE_PAYLOAD_BYTES);
        }
        if (payload[0] != SIGNATURE_FORMAT) {
            throw new SignatureException(SignatureException.Reason.MALFORMED, "the " + SIGNATURE_SECTION + " section has format version "
                    + (payload[0] & 0xff) + "; this node reads version " + SIGNATURE_FORMAT);
        }
        byte[] publicKey = Arrays.copyOfRange(payload, 1, 1 + Ed25519KeyPair.PUBLIC_KEY_BYTES);
        byte[] signature = Arrays.copyOfRange(payload, 1 + Ed25519KeyPair.PUBLIC_KEY_BYTES, payload.length);
        return Signer.verify(module(), publicKey, signature, trusted, "the module");
    }

    private Optional<byte[]> signaturePayload() {
        if (signatures.size() != 1) {
            return Optional.empty();
        }
        byte[] payload = signatures.get(0).payload(bytes);
        return payload.length == SIGNATURE_PAYLOAD_BYTES && payload[0] == SIGNATURE_FORMAT ? Optional.of(payload) : Optional.empty();
    }

    private boolean lastSectionIsSignature() {
        return signatures.size() == 1 && sections.get(sections.size() - 1).equals(signatures.get(0));
    }

    private static List<WasmSections.Section> parse(byte[] bytes, String what) {
        try {
            return WasmSections.parse(bytes);
        } catch (WasmBundleException e) {
            throw new WasmBundleException(what + " " + e.getMessage());
        }
    }
}
