package dev.pando.node.auth;

import dev.pando.node.kv.StateStore;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revoked capability-token nonces, kept durably beside the state (store meta
 * {@code auth.revoked.<nonce>}) and in memory for the per-link check. Revocations are never
 * forgotten: a nonce is 16 random bytes, so the list grows only by what operators revoke.
 */
public final class Revocations {
    private static final String META = "auth.revoked.";

    private final StateStore store;
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();

    public Revocations(StateStore store) {
        this.store = store;
        store.metaUnder(META).keySet().forEach(k -> revoked.add(k.substring(META.length())));
    }

    /** Records {@code nonce} as revoked, durably; false if it already was. */
    public boolean revoke(String nonce, String by) {
        if (!revoked.add(nonce)) {
            return false;
        }
        store.putMeta(META + nonce, by.getBytes(StandardCharsets.UTF_8));
        return true;
    }

    public boolean isRevoked(String nonce) {
        return revoked.contains(nonce);
    }

    public int size() {
        return revoked.size();
    }
}
