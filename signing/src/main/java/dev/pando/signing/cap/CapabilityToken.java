package dev.pando.signing.cap;

import dev.pando.api.Scope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.signing.Ed25519KeyPair;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A capability token: {@code cap_} + base64url (no padding) of canonical JSON
 * <pre>{"v":1,"iss":hex key,"aud":node id|null,"scopes":[...],"nbf":s,"exp":s,"nonce":hex,"proofs":[token...],"sig":hex}</pre>
 * Fields appear in exactly that order; {@code sig} is the issuer's Ed25519 signature over the
 * same JSON without the {@code sig} field. {@code proofs} is the delegation chain, nearest parent
 * first, each a complete token string; a delegated token may only narrow its parent
 * ({@link CapabilityVerifier}). Times are Unix seconds.
 */
public record CapabilityToken(int version, byte[] issuer, Optional<String> audience, List<Scope> scopes,
                              long notBefore, long expiresAt, String nonce, List<String> proofs, byte[] signature) {
    public static final String PREFIX = "cap_";
    public static final int VERSION = 1;
    /** Longest token text accepted, so a hostile client cannot make the node parse megabytes. */
    public static final int MAX_TOKEN_CHARS = 16 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    public CapabilityToken {
        issuer = issuer.clone();
        Objects.requireNonNull(audience, "audience");
        scopes = List.copyOf(scopes);
        proofs = List.copyOf(proofs);
        signature = signature.clone();
    }

    /** A root token signed by {@code key}: the node must trust that key for it to verify. */
    public static CapabilityToken issue(Ed25519KeyPair key, List<Scope> scopes, Instant notBefore, Instant expiresAt,
                                        Optional<String> audience) {
        return sign(key, scopes, notBefore, expiresAt, audience, List.of());
    }

    /** A token that narrows {@code parent}, signed by {@code key}. Whether it narrows is checked on verification. */
    public static CapabilityToken delegate(CapabilityToken parent, Ed25519KeyPair key, List<Scope> scopes,
                                           Instant notBefore, Instant expiresAt) {
        List<String> chain = new ArrayList<>();
        chain.add(parent.encode());
        chain.addAll(parent.proofs());
        return sign(key, scopes, notBefore, expiresAt, parent.audience(), chain);
    }

    private static CapabilityToken sign(Ed25519KeyPair key, List<Scope> scopes, Instant notBefore, Instant expiresAt,
                                        Optional<String> audience, List<String> proofs) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        CapabilityToken unsigned = new CapabilityToken(VERSION, key.publicKey(), audience, scopes, notBefore.getEpochSecond(),
                expiresAt.getEpochSecond(), HEX.formatHex(nonce), proofs, new byte[0]);
        byte[] sig = key.sign(unsigned.signedBytes());
        return new CapabilityToken(VERSION, unsigned.issuer, audience, scopes, unsigned.notBefore, unsigned.expiresAt,
                unsigned.nonce, proofs, sig);
    }

    /** The bytes {@link #signature} covers: the canonical JSON without {@code sig}. */
    public byte[] signedBytes() {
        return bytes(body());
    }

    /** The token string, {@code cap_...}. */
    public String encode() {
        ObjectNode o = body();
        o.put("sig", HEX.formatHex(signature));
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(o));
    }

    /** The parent tokens, nearest first, decoded. */
    public List<CapabilityToken> chain() {
        return proofs.stream().map(CapabilityToken::decode).toList();
    }

    /** This token followed by its {@link #chain()}: link 0 is this one, the last the root. */
    public List<CapabilityToken> links() {
        List<CapabilityToken> links = new ArrayList<>(proofs.size() + 1);
        links.add(this);
        links.addAll(chain());
        return links;
    }

    /**
     * Reads a token string. Anything that is not a well-formed token of a known version is
     * {@code UNAUTHORIZED} with the reason; signatures are not checked here.
     */
    public static CapabilityToken decode(String token) {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw refused("is " + token.length() + " characters, more than " + MAX_TOKEN_CHARS);
        }
        if (!token.startsWith(PREFIX)) {
            throw refused("does not start with " + PREFIX);
        }
        try {
            JsonNode o = JSON.readTree(Base64.getUrlDecoder().decode(token.substring(PREFIX.length())));
            int version = o.path("v").asInt(-1);
            if (version != VERSION) {
                throw refused("has version " + o.path("v") + "; this node reads version " + VERSION);
            }
            List<Scope> scopes = new ArrayList<>();
            for (JsonNode s : required(o, "scopes")) {
                scopes.add(Scope.parse(s.asText()));
            }
            List<String> proofs = new ArrayList<>();
            for (JsonNode p : required(o, "proofs")) {
                proofs.add(p.asText());
            }
            JsonNode aud = required(o, "aud");
            CapabilityToken t = new CapabilityToken(version, HEX.parseHex(required(o, "iss").asText()),
                    aud.isNull() ? Optional.empty() : Optional.of(aud.asText()), scopes, required(o, "nbf").asLong(),
                    required(o, "exp").asLong(), required(o, "nonce").asText(), proofs, HEX.parseHex(required(o, "sig").asText()));
            if (!token.equals(t.encode())) {
                throw refused("is not in canonical form");
            }
            return t;
        } catch (PandoException e) {
            throw e.code() == ErrorCode.UNAUTHORIZED ? e : refused(e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw refused("is malformed");
        }
    }

    private static JsonNode required(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null) {
            throw refused("has no '" + field + "'");
        }
        return v;
    }

    private ObjectNode body() {
        ObjectNode o = JSON.createObjectNode();
        o.put("v", version);
        o.put("iss", HEX.formatHex(issuer));
        if (audience.isPresent()) {
            o.put("aud", audience.get());
        } else {
            o.putNull("aud");
        }
        ArrayNode s = o.putArray("scopes");
        scopes.forEach(scope -> s.add(scope.toString()));
        o.put("nbf", notBefore);
        o.put("exp", expiresAt);
        o.put("nonce", nonce);
        ArrayNode p = o.putArray("proofs");
        proofs.forEach(p::add);
        return o;
    }

    private static byte[] bytes(ObjectNode o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new PandoException(ErrorCode.INTERNAL, "cannot encode a capability token", e);
        }
    }

    static PandoException refused(String why) {
        return new PandoException(ErrorCode.UNAUTHORIZED, "capability token " + why);
    }
}
