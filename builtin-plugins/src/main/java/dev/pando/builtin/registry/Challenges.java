package dev.pando.builtin.registry;

import dev.pando.api.PandoException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Outstanding challenges, in memory only (a restart forgets them; they live a minute): at most
 * {@code max} per entity, each answered at most once, whatever the answer.
 */
final class Challenges {
    private record Outstanding(String value, long expiresAt) {}

    private final Map<String, Deque<Outstanding>> byEntity = new HashMap<>();
    private final int max;

    Challenges(int max) {
        this.max = max;
    }

    /**
     * Records {@code value} for {@code entity} until {@code expiresAt}. {@code RATE_LIMITED} (with
     * the time until one expires) when {@code max} unexpired ones are already waiting.
     */
    synchronized void add(String entity, String value, long now, long expiresAt) {
        Deque<Outstanding> q = byEntity.computeIfAbsent(entity, k -> new ArrayDeque<>());
        q.removeIf(o -> o.expiresAt() <= now);
        if (q.size() >= max) {
            throw PandoException.rateLimited("registry.challenge: " + max + " challenges for '" + entity
                    + "' are already outstanding (config max_challenges)", Math.max(1, q.peekFirst().expiresAt() - now));
        }
        q.addLast(new Outstanding(value, expiresAt));
    }

    /** Removes {@code value} if it was issued to {@code entity}; true only if it had not expired at {@code now}. */
    synchronized boolean consume(String entity, String value, long now) {
        Deque<Outstanding> q = byEntity.get(entity);
        if (q == null) {
            return false;
        }
        boolean valid = false;
        for (Iterator<Outstanding> it = q.iterator(); it.hasNext(); ) {
            Outstanding o = it.next();
            if (o.value().equals(value)) {
                it.remove();
                valid = o.expiresAt() > now;
                break;
            }
        }
        q.removeIf(o -> o.expiresAt() <= now);
        if (q.isEmpty()) {
            byEntity.remove(entity);
        }
        return valid;
    }

    /** Forgets {@code entity}'s challenges (revoked). */
    synchronized void forget(String entity) {
        byEntity.remove(entity);
    }
}
