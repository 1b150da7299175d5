package dev.pando.node.events;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Subscriptions filed under their pattern's literal prefix ({@code /a/b} for {@code /a/b/**},
 * {@code /} for a pattern that starts with a wildcard), so a key is matched only against the
 * subscriptions filed under one of its own leading paths: a change costs the subscriptions that
 * could match it, not every subscription on the node (NATS's subject list and etcd's watcher
 * groups work the same way).
 *
 * <p>Reads take no lock and never see a bucket change under them. Adds and removes cost O(1)
 * amortised however large a bucket grows: 10,000 sessions on one pattern connecting or leaving
 * at once must not cost 10,000 copies of a 10,000-slot array. A bucket grows its array by
 * doubling, and a removal only counts the slot as dead (the subscription is closed, and matching
 * skips closed ones) until half the slots are dead, when the live ones are copied out.
 */
final class SubscriptionIndex {
    private static final int FIRST_CAPACITY = 4;

    /**
     * One prefix's subscriptions: {@code slots[0, size)}, of which {@code dead} were removed. A
     * bucket is immutable as far as its readers go: an add may fill {@code slots[size]} of a
     * shared array, but only a bucket published after that write reads it.
     */
    private record Bucket(Subscription[] slots, int size, int dead) {}

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    /** Slots copied by adds and removes since creation: what "amortised O(1)" is checked against. */
    private final LongAdder copiedSlots = new LongAdder();

    void add(Subscription s) {
        buckets.compute(s.pattern().literalPrefix(), (prefix, b) -> {
            if (b == null) {
                Subscription[] slots = new Subscription[FIRST_CAPACITY];
                slots[0] = s;
                return new Bucket(slots, 1, 0);
            }
            Subscription[] slots = b.slots();
            if (b.size() == slots.length) {
                slots = Arrays.copyOf(slots, slots.length * 2);
                copiedSlots.add(b.size());
            }
            slots[b.size()] = s;
            return new Bucket(slots, b.size() + 1, b.dead());
        });
    }

    /** Forgets {@code s}, which must be closed already (matching skips it from then on). */
    void remove(Subscription s) {
        buckets.computeIfPresent(s.pattern().literalPrefix(), (prefix, b) -> {
            int dead = b.dead() + 1;
            if (dead * 2 < b.size()) {
                return new Bucket(b.slots(), b.size(), dead);
            }
            // Half dead: keep the live ones. Counting closed slots rather than this one removal
            // also drops those closed meanwhile, whose own removals then find nothing to drop.
            Subscription[] live = new Subscription[Math.max(FIRST_CAPACITY, b.size() - dead + 1)];
            int n = 0;
            for (int i = 0; i < b.size(); i++) {
                Subscription other = b.slots()[i];
                if (other != s && !other.isClosed()) {
                    if (n == live.length) {
                        live = Arrays.copyOf(live, live.length * 2);
                    }
                    live[n++] = other;
                }
            }
            copiedSlots.add(b.size());
            return n == 0 ? null : new Bucket(live, n, 0);
        });
    }

    /**
     * Adds to {@code out} every open subscription whose pattern matches {@code key} (a valid key
     * or topic); returns how many subscriptions it tried, the cost of the lookup.
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

    private static int visit(Bucket bucket, String key, List<Subscription> out) {
        if (bucket == null) {
            return 0;
        }
        Subscription[] slots = bucket.slots();
        for (int i = 0; i < bucket.size(); i++) {
            Subscription s = slots[i];
            if (!s.isClosed() && s.pattern().matches(key)) {
                out.add(s);
            }
        }
        return bucket.size();
    }

    /** True when nothing is filed: a lookup would find nothing, so callers may skip it. */
    boolean isEmpty() {
        return buckets.isEmpty();
    }

    /** Every open subscription, in no particular order. */
    List<Subscription> all() {
        List<Subscription> out = new ArrayList<>();
        for (Bucket b : buckets.values()) {
            for (int i = 0; i < b.size(); i++) {
                if (!b.slots()[i].isClosed()) {
                    out.add(b.slots()[i]);
                }
            }
        }
        return out;
    }

    /** Slots copied by adds and removes so far (tests). */
    long copiedSlots() {
        return copiedSlots.sum();
    }
}
