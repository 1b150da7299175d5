package dev.pando.builtin.federation;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.path.PathPattern;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A leaf joined to this hub: what it owns (the only keys it may send), what it wants, and its
 * counters. {@code pushCursor} is the last revision of the leaf's feed this hub has applied
 * through; it is kept durably so a leaf resumes there.
 */
final class Peer {
    final String node;
    final String session;
    final List<PathPattern> namespaces;
    final List<PathPattern> interests;
    final AtomicLong pushCursor;
    final AtomicLong applied = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong retracted = new AtomicLong();
    final AtomicLong forwarded = new AtomicLong();
    /** The hub revision this peer has pulled through. */
    final AtomicLong pulledThrough = new AtomicLong();
    volatile long lastSeenMs;
    /** When {@code pushCursor} was last saved. */
    volatile long savedMs;

    Peer(String node, String session, List<PathPattern> namespaces, List<PathPattern> interests, long pushCursor, long now) {
        this.node = node;
        this.session = session;
        this.namespaces = List.copyOf(namespaces);
        this.interests = List.copyOf(interests);
        this.pushCursor = new AtomicLong(pushCursor);
        this.lastSeenMs = now;
    }

    boolean owns(String key) {
        return namespaces.stream().anyMatch(p -> p.matches(key));
    }

    boolean wants(String key) {
        return interests.stream().anyMatch(p -> p.matches(key));
    }

    /** @param lagMs age of the oldest hub change this leaf has not pulled (0 when it has them all) */
    ObjectNode toJson(long hubRevision, long lagMs, long now, boolean connected) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("node", node);
        o.put("role", "leaf");
        o.put("state", connected ? "active" : "disconnected");
        namespaces.forEach(p -> o.withArray("namespaces").add(p.toString()));
        interests.forEach(p -> o.withArray("interests").add(p.toString()));
        o.put("pushCursor", pushCursor.get());
        o.put("lagRevisions", Math.max(0, hubRevision - pulledThrough.get()));
        o.put("lagMs", lagMs);
        o.put("idleMs", now - lastSeenMs);
        o.put("forwarded", forwarded.get());
        o.put("applied", applied.get());
        o.put("skipped", skipped.get());
        o.put("rejected", rejected.get());
        o.put("retracted", retracted.get());
        return o;
    }
}
