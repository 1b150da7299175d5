package dev.pando.builtin.registry;

import dev.pando.builtin.registry.RegistryStore.StoredToken;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live tokens in memory, by the SHA-256 of the token (the token itself is never kept) and by
 * entity. Lookups run on any thread; changes happen under the ops' lock, after the KV write.
 */
final class TokenTable {
    private final Map<String, StoredToken> byHash = new ConcurrentHashMap<>();
    private final Map<String, List<StoredToken>> byEntity = new ConcurrentHashMap<>();

    Optional<StoredToken> find(String hash) {
        return Optional.ofNullable(byHash.get(hash));
    }

    void add(StoredToken t) {
        byHash.put(t.hash(), t);
        byEntity.computeIfAbsent(t.entity(), k -> new ArrayList<>()).add(t);
    }

    void remove(StoredToken t) {
        byHash.remove(t.hash());
        List<StoredToken> list = byEntity.get(t.entity());
        if (list != null) {
            list.remove(t);
            if (list.isEmpty()) {
                byEntity.remove(t.entity());
            }
        }
    }

    /** {@code entity}'s tokens, oldest expiry first (a copy). */
    List<StoredToken> of(String entity) {
        List<StoredToken> out = new ArrayList<>(byEntity.getOrDefault(entity, List.of()));
        out.sort(Comparator.comparingLong(StoredToken::expiresAt));
        return out;
    }

    int size() {
        return byHash.size();
    }
}
