package dev.pando.builtin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.OpArgs;
import dev.pando.api.plugin.OpCall;
import dev.pando.builtin.KeyHash;
import dev.pando.builtin.registry.RegistryStore.StoredToken;
import dev.pando.signing.Ed25519KeyPair;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code registry.challenge} and {@code registry.token}: an entity proves it holds its private key
 * by signing a fresh challenge, and gets a bearer token for it.
 */
final class TokenOps {
    /** What an entity signs: these bytes, then the challenge as given, in UTF-8. */
    static final String SIGNING_CONTEXT = "pando-registry-challenge:";
    /** Random bytes in a challenge and in a token. */
    static final int RANDOM_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final Registry r;

    TokenOps(Registry registry) {
        this.r = registry;
    }

    JsonNode challenge(OpCall call) {
        OpArgs a = OpArgs.of(call, "id");
        String id = EntityArgs.id(a, "id");
        requireActive(a.op(), r.requireEntity(a.op(), id));
        String challenge = B64.encodeToString(random());
        long now = r.now();
        long expiresAt = now + r.config.challengeTtlMs();
        r.challenges.add(id, challenge, now, expiresAt);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("challenge", challenge);
        out.put("expiresAt", expiresAt);
        return out;
    }

    /**
     * Checks the proof and issues a token. The challenge is used up whether the proof holds or not;
     * only a malformed request ({@code BAD_REQUEST}) leaves it outstanding.
     */
    JsonNode token(OpCall call) {
        OpArgs a = OpArgs.of(call, "id", "challenge", "signature");
        String id = EntityArgs.id(a, "id");
        String challenge = a.string("challenge");
        byte[] signature = signature(a);
        Entity e = r.requireEntity(a.op(), id);
        if (!r.challenges.consume(id, challenge, r.now())) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, a.op() + ": no outstanding challenge '" + challenge
                    + "' for entity '" + id + "' (never issued, already used or expired)");
        }
        byte[] signed = (SIGNING_CONTEXT + challenge).getBytes(StandardCharsets.UTF_8);
        if (!Ed25519KeyPair.verify(e.publicKeyBytes(), signed, signature)) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, a.op() + ": the signature does not verify with entity '" + id
                    + "''s public key; the challenge is used up");
        }
        String token = EntityValidator.PREFIX + B64.encodeToString(random());
        StoredToken stored;
        boolean retiredLive;
        synchronized (r.lock) {
            requireActive(a.op(), r.requireEntity(a.op(), id)); // may have changed while we verified
            long now = r.now();
            stored = new StoredToken(id, KeyHash.of(token), now + r.config.tokenTtlMs());
            retiredLive = retire(id, now);
            r.store.saveToken(stored);
            r.tokens.add(stored);
        }
        if (retiredLive) {
            r.invalidate(id); // sessions holding the retired token are re-checked and closed
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("token", token);
        out.put("expiresAt", stored.expiresAt());
        out.put("name", Entity.principalOf(id));
        return out;
    }

    /**
     * Drops {@code id}'s expired tokens and, so that the new one makes at most {@code max_tokens},
     * its oldest live ones; under the lock. True if a live token was dropped.
     */
    private boolean retire(String id, long now) {
        List<StoredToken> existing = r.tokens.of(id);
        long live = existing.stream().filter(t -> t.expiresAt() > now).count();
        boolean retiredLive = false;
        for (StoredToken t : existing) { // oldest expiry first
            boolean expired = t.expiresAt() <= now;
            if (expired || live >= r.config.maxTokens()) {
                if (!expired) {
                    live--;
                    retiredLive = true;
                }
                r.store.deleteToken(id, t.hash());
                r.tokens.remove(t);
            }
        }
        return retiredLive;
    }

    private static void requireActive(String op, Entity e) {
        if (!e.isActive()) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, op + ": entity '" + e.id() + "' is " + e.status().wireName());
        }
    }

    /** 64 bytes as 128 hex digits or as base64url (padding optional). */
    private static byte[] signature(OpArgs a) {
        String s = a.string("signature");
        try {
            byte[] bytes = s.length() == 2 * Ed25519KeyPair.SIGNATURE_BYTES ? HexFormat.of().parseHex(s) : Base64.getUrlDecoder().decode(s);
            if (bytes.length == Ed25519KeyPair.SIGNATURE_BYTES) {
                return bytes;
            }
        } catch (IllegalArgumentException e) {
            // reported below with the expected forms
        }
        throw a.fail("signature", "must be a 64-byte Ed25519 signature in hex (128 digits) or base64url");
    }

    private byte[] random() {
        byte[] b = new byte[RANDOM_BYTES];
        r.context.random().nextBytes(b);
        return b;
    }
}
