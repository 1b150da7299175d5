package dev.pando.builtin.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.OpArgs;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PluginContext;
import dev.pando.api.plugin.Replica;
import dev.pando.signing.TrustedKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hub side: leaves call {@code federation.hello} and {@code federation.join} to authenticate
 * each other and agree what the leaf owns, then {@code federation.push} their changes and
 * {@code federation.pull} the hub's. The ops need no token: a session id handed out by a
 * completed handshake is what authorises push and pull.
 */
final class Hub {
    static final int PROTOCOL_VERSION = 1;
    /** Handshakes begun and not finished, at most; more are refused until these finish or expire. */
    static final int MAX_PENDING = 64;
    /**
     * Handshakes under way for one node id, at most; a newer hello drops the oldest. A node's id and
     * key are public, so anyone may begin a handshake in a trusted node's name (only the node can
     * finish it): this keeps such hellos from filling the table for every other leaf.
     */
    static final int MAX_PENDING_PER_NODE = 2;
    static final long HANDSHAKE_TTL_MS = 30_000;
    /** What a token must grant for the hub to accept a leaf whose key it does not list: a peer admitted by the operator's token. */
    static final Scope FEDERATION_SCOPE = Scope.parse("admin:/federation/**");
    private static final String PEER_RECORDS = "/federation/peers";
    private static final String PEERS = PEER_RECORDS + "/";
    /** A leaf silent this long has gone (a live one pulls several times a second): its session ends and its place frees. */
    static final long PEER_IDLE_MS = 60_000;
    /** Silent this long, a leaf shows as disconnected in federation.peers. */
    static final long PEER_ACTIVE_MS = 10_000;

    private record Pending(String node, byte[] key, long expiresAt) {}

    private final PluginContext context;
    private final Replica replica;
    /** Read at positions of the peers' own; this node keeps no cursor of its own, so retention is never held back. */
    private final ChangeFeed feed;
    private final FederationConfig config;
    private final TrustedKeys trusted;
    private final Ownership ownership;
    private final Applier applier;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Peer> bySession = new ConcurrentHashMap<>();
    private final Map<String, Peer> byNode = new ConcurrentHashMap<>();
    /** Namespaces of every leaf that ever joined, by node: what local writes here must not touch. */
    private final Map<String, List<PathPattern>> owners = new ConcurrentHashMap<>();

    Hub(PluginContext context, FederationConfig config, TrustedKeys trusted) {
        this.context = context;
        this.replica = context.replica();
        this.feed = context.feed();
        this.config = config;
        this.trusted = trusted;
        this.ownership = new Ownership(context.kv());
        this.applier = new Applier(context);
        for (KvEntry e : context.kv().scan(PEER_RECORDS, null, 1000).entries()) {
            owners.put(e.key().substring(PEERS.length()), FederationConfig.patterns(e.value().path("namespaces"), "namespaces", config.maxPatterns()));
        }
    }

    /** The node owning {@code key} among the leaves, if one does. */
    Optional<String> ownerOf(String key) {
        for (Map.Entry<String, List<PathPattern>> e : owners.entrySet()) {
            for (PathPattern p : e.getValue()) {
                if (p.matches(key)) {
                    return Optional.of(e.getKey());
                }
            }
        }
        return Optional.empty();
    }

    /** {@code federation.hello {node, key, version, nonce}}: the hub proves its key and challenges the leaf. */
    JsonNode hello(OpCall call) {
        OpArgs a = OpArgs.of(call, "node", "key", "version", "nonce");
        String node = a.string("node");
        byte[] key = Proofs.keyOf(node, a.string("key"));
        if (a.intOr("version", 0, Integer.MAX_VALUE, 0) != PROTOCOL_VERSION) {
            throw PandoException.badRequest("federation.hello: this hub speaks protocol version " + PROTOCOL_VERSION);
        }
        if (!trusted.contains(key) && !call.caller().holds(FEDERATION_SCOPE)) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, "federation.hello: node " + node
                    + " is not a trusted peer of this hub (federation.trusted-peers), and its token does not grant " + FEDERATION_SCOPE);
        }
        long now = context.clock().millis();
        pending.values().removeIf(p -> p.expiresAt() < now);
        if (pending.size() >= MAX_PENDING) {
            throw PandoException.rateLimited("federation.hello: " + MAX_PENDING + " handshakes are under way; retry", 1_000);
        }
        String leafNonce = a.string("nonce");
        String mine = Proofs.nonce();
        List<Map.Entry<String, Pending>> same = pending.entrySet().stream().filter(e -> e.getValue().node().equals(node))
                .sorted(java.util.Comparator.comparingLong(e -> e.getValue().expiresAt())).toList();
        for (int i = 0; i <= same.size() - MAX_PENDING_PER_NODE; i++) {
            pending.remove(same.get(i).getKey());
        }
        pending.put(mine, new Pending(node, key, now + HANDSHAKE_TTL_MS));
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("node", replica.nodeId());
        r.put("key", Proofs.HEX.formatHex(replica.nodePublicKey()));
        r.put("version", PROTOCOL_VERSION);
        r.put("nonce", mine);
        r.put("proof", Proofs.sign(replica, Proofs.hello(leafNonce, node, replica.nodeId())));
        return r;
    }

    /** {@code federation.join {node, nonce, proof, namespaces, interests}}: the leaf proves its key and declares what it owns. */
    JsonNode join(OpCall call) {
        OpArgs a = OpArgs.of(call, "node", "nonce", "proof", "namespaces", "interests");
        String node = a.string("node");
        Pending p = pending.remove(a.string("nonce")); // single use: a replayed join finds nothing
        if (p == null || p.expiresAt() < context.clock().millis() || !p.node().equals(node)) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, "federation.join: no handshake under way for this nonce and node (expired, used or never begun)");
        }
        Proofs.verify(p.key(), Proofs.join(a.string("nonce"), replica.nodeId(), node), a.string("proof"), "node " + node);
        List<PathPattern> namespaces = FederationConfig.patterns(call.args().path("namespaces"), "namespaces", config.maxPatterns());
        List<PathPattern> interests = FederationConfig.patterns(call.args().path("interests"), "interests", config.maxPatterns());
        if (namespaces.isEmpty()) {
            throw PandoException.badRequest("federation.join: 'namespaces' must name what the node owns");
        }
        ownership.requireOwned(p.key(), node, namespaces);
        long now = context.clock().millis();
        byNode.values().removeIf(x -> {
            boolean gone = now - x.lastSeenMs > PEER_IDLE_MS;
            if (gone) {
                bySession.remove(x.session);
            }
            return gone;
        });
        if (!byNode.containsKey(node) && byNode.size() >= config.maxPeers()) {
            throw PandoException.rateLimited("federation.join: this hub has its " + config.maxPeers() + " peers (max_peers)", 5_000);
        }
        long pushCursor = context.kv().get(PEERS + node).map(e -> e.value().path("pushCursor").asLong(0)).orElse(0L);
        Peer peer = new Peer(node, Proofs.nonce(), namespaces, interests.isEmpty() ? List.of(PathPattern.compile("/**")) : interests,
                pushCursor, context.clock().millis());
        Peer before = byNode.put(node, peer);
        if (before != null) {
            bySession.remove(before.session); // a leaf that joins again replaces its old session
        }
        bySession.put(peer.session, peer);
        owners.put(node, namespaces);
        gauges(peer);
        save(peer);
        context.log().info("federation: node {} joined, owning {}, resuming its changes after revision {}", node, namespaces, pushCursor);
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("session", peer.session);
        r.put("pushCursor", pushCursor);
        r.put("revision", feed.lastRevision());
        r.put("batchSize", config.batchSize()); // peers configured apart agree on the smaller
        r.set("owners", ownersJson());
        return r;
    }

    /**
     * {@code federation.push {session, changes, upTo, sweep?}}: the leaf's changes through its
     * revision {@code upTo}. With {@code sweep {after?, last}} the changes are a page of a snapshot
     * of all the leaf owns, in key order, and what this node holds of the leaf's namespaces in the
     * page's range but the page lacks is retracted ({@link Sweep}).
     */
    JsonNode push(OpCall call) {
        OpArgs a = OpArgs.of(call, "session", "changes", "upTo", "sweep");
        Peer peer = peer(a.string("session"));
        List<KvChange> changes = ChangeJson.read(call.args().path("changes"), config.batchSize());
        long upTo = a.optLong("upTo", 0, Long.MAX_VALUE).orElse(0);
        Applier.Result r = applier.apply(changes, peer::owns, "node " + peer.node);
        peer.applied.addAndGet(r.applied());
        peer.skipped.addAndGet(r.skipped());
        peer.rejected.addAndGet(r.rejected());
        int retracted = 0;
        JsonNode range = call.args().path("sweep");
        if (range.isObject()) {
            Optional<String> after = range.hasNonNull("after") ? Optional.of(Keys.requireValid(range.get("after").asText())) : Optional.empty();
            retracted = new Sweep(context, e -> peer.owns(e.key()) && !e.origin().equals(replica.nodeId()) && !Internal.is(e.key()), after)
                    .page(changes, range.path("last").asBoolean(false));
            peer.retracted.addAndGet(retracted);
        }
        if (upTo > peer.pushCursor.get()) {
            peer.pushCursor.set(upTo);
            // Kept durably at most every CURSOR_SAVE_MS, not per push: a durable write per push sat on
            // every change's path. After a crash the leaf pushes again from the saved cursor, and
            // the applier skips what this node already holds.
            if (context.clock().millis() - peer.savedMs >= Uplink.CURSOR_SAVE_MS) {
                save(peer);
            }
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("applied", r.applied());
        o.put("skipped", r.skipped());
        o.put("rejected", r.rejected());
        o.put("retracted", retracted);
        o.put("cursor", peer.pushCursor.get());
        return o;
    }

    /** {@code federation.pull {session, after, limit?, waitMs?}}: the hub's changes the leaf wants and does not own. */
    JsonNode pull(OpCall call) {
        OpArgs a = OpArgs.of(call, "session", "after", "limit", "waitMs");
        Peer peer = peer(a.string("session"));
        long after = a.optLong("after", 0, Long.MAX_VALUE).orElse(0);
        int limit = a.intOr("limit", 1, config.batchSize(), config.batchSize());
        long wait = Math.min(config.pullWaitMs(), a.optLong("waitMs", 0, 60_000).orElse(0));
        if (after + 1 < feed.firstRevision()) {
            // Retention pruned what this leaf has not seen: it must take a snapshot, then pull from there.
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("compacted", true);
            o.put("firstRevision", feed.firstRevision());
            return o;
        }
        // Long poll: answered as soon as something new is committed.
        if (!feed.awaitAfter(after, wait) && Thread.currentThread().isInterrupted()) {
            throw new PandoException(ErrorCode.UNAVAILABLE, "interrupted");
        }
        List<KvChange> read = feed.read(after, limit);
        List<KvChange> out = new ArrayList<>();
        for (KvChange c : read) {
            if (peer.wants(c.key()) && !peer.owns(c.key()) && !c.origin().equals(peer.node) && !Internal.is(c.key())) {
                out.add(c);
            }
        }
        long next = read.isEmpty() ? after : read.get(read.size() - 1).revision();
        peer.pulledThrough.set(next);
        peer.forwarded.addAndGet(out.size());
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("changes", ChangeJson.write(out));
        o.put("next", next);
        o.set("owners", ownersJson());
        return o;
    }

    /**
     * {@code federation.snapshot {session, cursor?, limit?}}: one page of the entries the leaf wants and
     * does not own, as changes, and {@code revision}, the hub's revision when the first page was
     * read (pass {@code cursor} back for the next page; pull from {@code revision} after the last).
     */
    JsonNode snapshot(OpCall call) {
        OpArgs a = OpArgs.of(call, "session", "cursor", "revision", "origins", "limit");
        Peer peer = peer(a.string("session"));
        java.util.Set<String> origins = new java.util.HashSet<>();
        call.args().path("origins").forEach(o -> origins.add(o.asText()));
        long revision = a.optLong("revision", 0, Long.MAX_VALUE).orElse(feed.lastRevision());
        int limit = a.intOr("limit", 1, config.batchSize(), config.batchSize());
        dev.pando.api.plugin.KvPage page = context.kv().scan("/", a.optString("cursor").orElse(null), limit);
        List<KvChange> out = new ArrayList<>();
        for (KvEntry e : page.entries()) {
            if (peer.wants(e.key()) && !peer.owns(e.key()) && !Internal.is(e.key())
                    && (origins.isEmpty() || origins.contains(e.origin()))) {
                out.add(ChangeJson.of(e));
            }
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("changes", ChangeJson.write(out));
        page.next().ifPresent(n -> o.put("cursor", n));
        o.put("revision", revision);
        return o;
    }

    /**
     * {@code federation.digest {session, vector}}: the leaf's revision vector (origin → the highest
     * origin revision it holds among the keys it pulls) against the hub's over the same keys. The
     * origins where the hub holds more are {@code gaps}: changes the leaf missed, which it then
     * fetches with a snapshot of just those origins.
     */
    JsonNode digest(OpCall call) {
        OpArgs a = OpArgs.of(call, "session", "vector", "through");
        Peer peer = peer(a.string("session"));
        long through = a.optLong("through", 0, Long.MAX_VALUE).orElse(Long.MAX_VALUE);
        JsonNode theirs = call.args().path("vector");
        if (!theirs.isObject()) {
            throw PandoException.badRequest("federation.digest: 'vector' must be an object of origin -> revision");
        }
        if (theirs.size() > config.maxVectorEntries()) {
            throw PandoException.badRequest("federation.digest: a vector holds at most " + config.maxVectorEntries() + " entries, got "
                    + theirs.size());
        }
        // Entries committed here after the leaf's pull cursor are not gaps: the leaf has not pulled them yet.
        Map<String, Long> mine = RevisionVector.of(context.kv(),
                e -> e.revision() <= through && peer.wants(e.key()) && !peer.owns(e.key()), config.maxVectorEntries());
        ArrayNode gaps = JsonNodeFactory.instance.arrayNode();
        mine.forEach((origin, revision) -> {
            if (revision > theirs.path(origin).asLong(0)) {
                gaps.add(origin);
            }
        });
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("gaps", gaps);
        return o;
    }

    ArrayNode peersJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        long now = context.clock().millis();
        long rev = feed.lastRevision();
        for (Peer p : byNode.values()) {
            a.add(p.toJson(rev, Ages.oldestAfter(feed, p.pulledThrough.get(), now), now, now - p.lastSeenMs < PEER_ACTIVE_MS));
        }
        return a;
    }

    private Peer peer(String session) {
        Peer p = bySession.get(session);
        if (p == null) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, "unknown federation session; handshake again (federation.hello)");
        }
        p.lastSeenMs = context.clock().millis();
        return p;
    }

    private ArrayNode ownersJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        owners.forEach((node, patterns) -> patterns.forEach(p -> a.addObject().put("pattern", p.toString()).put("node", node)));
        return a;
    }

    /** Per-peer series in /metrics; a peer that joins again replaces its suppliers. */
    private void gauges(Peer p) {
        context.gauge("peer_applied", "Changes from this leaf applied here", p.applied::get, "peer", p.node);
        context.gauge("peer_rejected", "Changes from this leaf rejected (outside what it owns)", p.rejected::get, "peer", p.node);
        context.gauge("peer_forwarded", "Changes forwarded to this leaf", p.forwarded::get, "peer", p.node);
        context.gauge("peer_lag_revisions", "Hub revisions this leaf has not pulled yet",
                () -> Math.max(0, feed.lastRevision() - p.pulledThrough.get()), "peer", p.node);
        context.gauge("peer_idle_ms", "Milliseconds since this leaf last called", () -> context.clock().millis() - p.lastSeenMs, "peer", p.node);
    }

    /** Saves every leaf's cursor (on stop: the next start resumes closer). */
    void saveAll() {
        byNode.values().forEach(this::save);
    }

    private void save(Peer p) {
        p.savedMs = context.clock().millis();
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        p.namespaces.forEach(n -> o.withArray("namespaces").add(n.toString()));
        o.put("pushCursor", p.pushCursor.get());
        context.kv().set(PEERS + p.node, o);
    }
}
