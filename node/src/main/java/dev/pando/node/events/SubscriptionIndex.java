package dev.pando.node.events;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Subscriptions filed under their pattern's literal prefix ({@code /a/b} for {@code /a/b/**},
 * {@code /} for a pattern that starts with a wildcard), so a key is matched only against the
 * subscriptions filed under one of its own leading paths: a change costs the subscriptions that
 * could match it, not every subscription on the node (NATS's subject list and etcd's watcher
 * groups work the same way). Reads take no lock; adds and removes copy their bucket.
 */
final class SubscriptionIndex {
    private static final Subscription[] NONE = new Subscription[0];

    private final ConcurrentHashMap<String, Subscription[]> buckets = new ConcurrentHashMap<>();

    void add(Subscription s) {
        buckets.compute(s.pattern().literalPrefix(), (prefix, bucket) -> {
            Subscription[] old = bucket == null ? NONE : bucket;
            Subscription[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = s;
            return grown;
        });
    }

    void remove(Subscription s) {
        buckets.computeIfPresent(s.pattern().literalPrefix(), (prefix, bucket) -> {
            List<Subscription> kept = new ArrayList<>(bucket.length);
            for (Subscription other : bucket) {
                if (other != s) {
                    kept.add(other);
                }
            }
            return kept.isEmpty() ? null : kept.toArray(NONE);
        });
    }

    /**
     * Adds to {@code out} every subscription whose pattern matches {@code key} (a valid key or
     * topic); returns how many subscriptions it tried, the cost of the lookup.
     */
    int collectMatches(String key, List<Subscription> out) {
        int tried = visit(buckets.get("/"), key, out);
        // Each leading path of the key: "/a", "/a/b", ..., the key itself.
        for (int slash = key.indexOf('/', 1); ; slash = key.indexOf('/', slash + 1)) {
            String prefix = slash < 0 ? key : key.substring(0, slash);
            if (!prefix.equals("/")) {
                tried += visit(buckets.get(prefix), key, out);
            }
            if (slash < 0) {
                return tried;
            }
        }
    }

    private static int visit(Subscription[] bucket, String key, List<Subscription> out) {
        if (bucket == null) {
            return 0;
        }
        for (Subscription s : bucket) {
            if (s.pattern().matches(key)) {
                out.add(s);
            }
        }
        return bucket.length;
    }

    /** Every subscription, in no particular order. */
    List<Subscription> all() {
        List<Subscription> out = new ArrayList<>();
        buckets.values().forEach(b -> out.addAll(Arrays.asList(b)));
        return out;
    }
}
