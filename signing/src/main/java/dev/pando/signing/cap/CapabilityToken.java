package dev.pando.signing.cap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.signing.Ed25519KeyPair;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * <pre>{"v":1,"iss":hex key,"aud":node id|null,"scopes":[...],"nbf":s,"exp":s,"nonce":hex,"parent":hex|null,"sig":hex,"proofs":[link...]}</pre>
 * Fields appear in exactly that order. Everything before {@code proofs} is one <em>link</em>:
 * {@code sig} is its issuer's Ed25519 signature over the link without {@code sig}, and
 * {@code parent} is the SHA-256 (hex) of the parent link's own JSON (with its {@code sig}),
 * null at the root. {@code proofs} carries the parent links, nearest first, each a link object
 * without proofs of its own: a chain of n links costs n links, and each link's signature binds
 * it to exactly one parent. A delegated token may only narrow its parent
 * ({@link CapabilityVerifier}). Times are Unix seconds.
 *
 * @param parent the hash of the parent link; empty at the root
 * @param proofs the parent links, nearest first (empty for a root, and for the links inside {@code proofs})
 */
public record CapabilityToken(int version, byte[] issuer, Optional<String> audience, List<Scope> scopes,
                              long notBefore, long expiresAt, String nonce, Optional<String> parent,
                              List<CapabilityToken> proofs, byte[] signature) {
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
        Objects.requireNonNull(parent, "parent");
        scopes = List.copyOf(scopes);
        proofs = List.copyOf(proofs);
        signature = signature.clone();
    }

    /** A root token signed by {@code key}: the node must trust that key for it to verify. */
    public static CapabilityToken issue(Ed25519KeyPair key, List<Scope> scopes, Instant notBefore, Instant expiresAt,
                                        Optional<String> audience) {
        return sign(key, scopes, notBefore, expiresAt, audience, Optional.empty());
    }

    /** A token that narrows {@code parent}, signed by {@code key}. Whether it narrows is checked on verification. */
    public static CapabilityToken delegate(CapabilityToken parent, Ed25519KeyPair key, List<Scope> scopes,
                                           Instant notBefore, Instant expiresAt) {
        return sign(key, scopes, notBefore, expiresAt, parent.audience(), Optional.of(parent));
    }

    private static CapabilityToken sign(Ed25519KeyPair key, List<Scope> scopes, Instant notBefore, Instant expiresAt,
                                        Optional<String> audience, Optional<CapabilityToken> parent) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return new CapabilityToken(VERSION, key.publicKey(), audience, scopes, notBefore.getEpochSecond(),
                expiresAt.getEpochSecond(), HEX.formatHex(nonce), Optional.empty(), List.of(), new byte[0]).signedBy(key, parent);
    }

    /**
     * This link's claims placed under {@code parent} (its hash and its links become this token's
     * {@code parent} and {@code proofs}) and signed by {@code key}. Signing with a key other than
     * {@link #issuer()} makes a token that fails verification, which is what tests of forgery need.
     */
    public CapabilityToken signedBy(Ed25519KeyPair key, Optional<CapabilityToken> parent) {
        List<CapabilityToken> chain = new ArrayList<>();
        parent.ifPresent(p -> {
            chain.add(p.link());
            chain.addAll(p.proofs());
        });
        CapabilityToken unsigned = new CapabilityToken(version, issuer, audience, scopes, notBefore, expiresAt, nonce,
                parent.map(CapabilityToken::hash), chain, new byte[0]);
        return new CapabilityToken(version, issuer, audience, scopes, notBefore, expiresAt, nonce, unsigned.parent, chain,
                key.sign(unsigned.signedBytes()));
    }

    /** The bytes {@link #signature} covers: the link's canonical JSON without {@code sig} (and without proofs). */
    public byte[] signedBytes() {
        return bytes(body());
    }

    /** This link alone, without the proofs above it. */
    public CapabilityToken link() {
        return proofs.isEmpty() ? this : new CapabilityToken(version, issuer, audience, scopes, notBefore, expiresAt, nonce, parent,
                List.of(), signature);
    }

    /** SHA-256 (hex) of this link's JSON with its signature: what a child names as its {@code parent}. */
    public String hash() {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes(signedLink())));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** The token string, {@code cap_...}. */
    public String encode() {
        ObjectNode o = signedLink();
        ArrayNode p = o.putArray("proofs");
        proofs.forEach(link -> p.add(link.signedLink()));
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(o));
    }

    /** The parent links, nearest first. */
    public List<CapabilityToken> chain() {
        return proofs;
    }

    /** This link followed by its {@link #chain()}: link 0 is this one, the last the root. */
    public List<CapabilityToken> links() {
        List<CapabilityToken> links = new ArrayList<>(proofs.size() + 1);
        links.add(link());
        links.addAll(proofs);
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
            requireVersion(o);
            List<CapabilityToken> proofs = new ArrayList<>();
            for (JsonNode p : required(o, "proofs")) {
                if (p.has("proofs")) {
                    throw refused("has a proof that carries proofs of its own");
                }
                proofs.add(readLink(p, List.of()));
            }
            CapabilityToken t = readLink(o, proofs);
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

    private static void requireVersion(JsonNode o) {
        if (o.path("v").asInt(-1) != VERSION) {
            throw refused("has version " + o.path("v") + "; this node reads version " + VERSION);
        }
    }

    private static CapabilityToken readLink(JsonNode o, List<CapabilityToken> proofs) {
        requireVersion(o);
        List<Scope> scopes = new ArrayList<>();
        for (JsonNode s : required(o, "scopes")) {
            scopes.add(Scope.parse(s.asText()));
        }
        return new CapabilityToken(VERSION, HEX.parseHex(required(o, "iss").asText()), optionalText(o, "aud"), scopes,
                required(o, "nbf").asLong(), required(o, "exp").asLong(), required(o, "nonce").asText(), optionalText(o, "parent"),
                proofs, HEX.parseHex(required(o, "sig").asText()));
    }

    private static Optional<String> optionalText(JsonNode o, String field) {
        JsonNode v = required(o, field);
        return v.isNull() ? Optional.empty() : Optional.of(v.asText());
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
        putOptional(o, "aud", audience);
        ArrayNode s = o.putArray("scopes");
        scopes.forEach(scope -> s.add(scope.toString()));
        o.put("nbf", notBefore);
        o.put("exp", expiresAt);
        o.put("nonce", nonce);
        putOptional(o, "parent", parent);
        return o;
    }

    private ObjectNode signedLink() {
        ObjectNode o = body();
        o.put("sig", HEX.formatHex(signature));
        return o;
    }

    private static void putOptional(ObjectNode o, String field, Optional<String> value) {
        if (value.isPresent()) {
            o.put(field, value.get());
        } else {
            o.putNull(field);
        }
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
