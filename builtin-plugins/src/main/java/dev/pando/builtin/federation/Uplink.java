package dev.pando.builtin.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.PluginContext;
import dev.pando.api.plugin.Replica;
import dev.pando.client.PandoWebSocket;
import dev.pando.signing.TrustedKeys;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The leaf side: one thread that connects to the hub, authenticates both ways, then pushes this
 * node's changes in what it owns (from the hub's cursor for it) while a second thread pulls the
 * hub's changes it wants (from this node's durable pull cursor). Any failure drops the session and
 * reconnects after an exponential backoff with jitter; both cursors make the resume lossless.
 */
final class Uplink {
    enum State { CONNECTING, HANDSHAKING, SYNCING, ACTIVE, DISCONNECTED, FAILED, STOPPED }

    private static final String CURSOR = "/federation/uplink";
    /** Longest a cursor moves without being saved: what a crash makes a peer send again (and skip). */
    static final long CURSOR_SAVE_MS = 1_000;
    /** How long the push loop waits for a commit before checking that it should go on. */
    private static final long IDLE_WAIT_MS = 200;

    private final PluginContext context;
    private final Replica replica;
    /** Read at positions of the peers' own; this node keeps no cursor of its own, so retention is never held back. */
    private final ChangeFeed feed;
    private final FederationConfig config;
    private final TrustedKeys trusted;
    private final Applier applier;
    private final URI hub;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile State state = State.CONNECTING;
    private volatile String hubNode = "";
    private volatile String lastError = "";
    private volatile List<Map.Entry<PathPattern, String>> owners = List.of();
    private final AtomicLong pushed = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong retracted = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong snapshots = new AtomicLong();
    private final AtomicLong pushSnapshots = new AtomicLong();
    private final AtomicLong resyncs = new AtomicLong();
    private volatile long lastDigestMs;
    private volatile long lastSaveMs;
    private final AtomicLong pullCursor = new AtomicLong();
    /** The last revision of this node's feed the hub has (or this node has skipped, holding nothing of ours). */
    private volatile long pushCursor;
    private volatile long lastPullMs;
    /** Changes per message: the smaller of this node's {@code federation.batch-size} and the hub's. */
    private volatile int batch;

    Uplink(PluginContext context, FederationConfig config, TrustedKeys trusted) {
        this.context = context;
        this.replica = context.replica();
        this.feed = context.feed();
        this.config = config;
        this.trusted = trusted;
        this.applier = new Applier(context);
        this.hub = config.hub().orElseThrow();
        this.thread = new Thread(this::run, "pando-federation-uplink");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        state = State.STOPPED;
        thread.interrupt();
        if (!hubNode.isEmpty() && pullCursor.get() > 0) {
            try {
                saveCursor(pullCursor.get()); // the next start resumes closer
            } catch (RuntimeException e) {
                context.log().debug("federation: cursor not saved on stop: {}", e.toString());
            }
        }
    }

    /** The node owning {@code key} elsewhere, as the hub last said; empty for keys this node may write. */
    Optional<String> ownerOf(String key) {
        if (owns(key)) {
            return Optional.empty();
        }
        for (Map.Entry<PathPattern, String> e : owners) {
            if (e.getKey().matches(key) && !e.getValue().equals(replica.nodeId())) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /** Starts pulling from the beginning of the hub's feed again (everything it holds is offered anew; what is held here is skipped). */
    void resync() {
        pullCursor.set(0);
        saveCursor(0);
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("node", hubNode);
        o.put("role", "hub");
        o.put("url", hub.toString());
        o.put("state", state.name().toLowerCase());
        o.put("pullCursor", pullCursor.get());
        o.put("pushCursor", pushCursor);
        // This side knows the age of what it has not pushed; the hub reports the pull side.
        o.put("lagRevisions", Math.max(0, feed.lastRevision() - pushCursor));
        o.put("lagMs", Ages.oldestAfter(feed, pushCursor, context.clock().millis()));
        o.put("idleMs", lastPullMs == 0 ? -1 : context.clock().millis() - lastPullMs);
        o.put("pushed", pushed.get());
        o.put("applied", applied.get());
        o.put("skipped", skipped.get());
        o.put("rejected", rejected.get());
        o.put("retracted", retracted.get());
        o.put("reconnects", reconnects.get());
        o.put("snapshots", snapshots.get());
        o.put("pushSnapshots", pushSnapshots.get());
        o.put("gapResyncs", resyncs.get());
        o.put("lastError", lastError);
        return o;
    }

    private void run() {
        int attempts = 0;
        while (running) {
            try {
                session();
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                lastError = e.getMessage() == null ? e.toString() : e.getMessage();
                attempts++;
                reconnects.incrementAndGet();
                if (config.backoff().maxAttempts() > 0 && attempts >= config.backoff().maxAttempts()) {
                    state = State.FAILED;
                    context.log().error("federation: giving up on hub {} after {} attempts: {}", hub, attempts, lastError);
                    return;
                }
                state = State.DISCONNECTED;
                long delay = backoff(attempts);
                context.log().warn("federation: hub {} unreachable or refused ({}); retrying in {} ms", hub, lastError, delay);
                if (!pause(delay)) {
                    return;
                }
                continue;
            }
            attempts = 0;
        }
    }

    long backoff(int attempts) {
        FederationConfig.Backoff b = config.backoff();
        double d = b.initialMs() * Math.pow(b.multiplier(), Math.max(0, attempts - 1));
        long capped = (long) Math.min(b.maxMs(), d);
        return Math.max(1, (long) (capped * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
    }

    /** One connection: handshake, then push and pull until something fails. */
    private void session() {
        state = State.CONNECTING;
        // One WebSocket carries both loops' calls, pipelined: a push does not wait behind the pull
        // held open at the hub, and no call pays for an HTTP request of its own.
        try (PandoWebSocket client = PandoWebSocket.connect(hub, config.token().orElse(null), new PandoWebSocket.Listener() { },
                Duration.ofMillis(config.peerTimeoutMs()))) {
            state = State.HANDSHAKING;
            String session = handshake(client);
            state = State.ACTIVE;
            Thread puller = new Thread(() -> pullLoop(client, session), "pando-federation-pull");
            puller.setDaemon(true);
            puller.start();
            try {
                pushLoop(client, session, puller);
            } finally {
                puller.interrupt();
            }
        }
    }

    private String handshake(PandoWebSocket client) {
        String myNonce = Proofs.nonce();
        String me = replica.nodeId();
        JsonNode hello = client.callSync("federation.hello", JsonNodeFactory.instance.objectNode().put("node", me)
                .put("key", Proofs.HEX.formatHex(replica.nodePublicKey())).put("version", Hub.PROTOCOL_VERSION).put("nonce", myNonce));
        String node = hello.path("node").asText();
        byte[] key = Proofs.keyOf(node, hello.path("key").asText());
        if (!trusted.contains(key)) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, "hub " + node + " is not a trusted peer of this node (federation.trusted-peers)");
        }
        Proofs.verify(key, Proofs.hello(myNonce, me, node), hello.path("proof").asText(), "hub " + node);
        hubNode = node;
        String hubNonce = hello.path("nonce").asText();
        ObjectNode join = JsonNodeFactory.instance.objectNode().put("node", me).put("nonce", hubNonce)
                .put("proof", Proofs.sign(replica, Proofs.join(hubNonce, node, me)));
        config.namespaces().forEach(p -> join.withArray("namespaces").add(p.toString()));
        config.interests().forEach(p -> join.withArray("interests").add(p.toString()));
        JsonNode joined = client.callSync("federation.join", join);
        learnOwners(joined.path("owners"));
        long stored = context.kv().get(CURSOR).filter(e -> e.value().path("hub").asText().equals(node))
                .map(e -> e.value().path("after").asLong(0)).orElse(0L);
        pullCursor.set(stored);
        context.log().info("federation: joined hub {} as {}; pushing after {}, pulling after {}", node, me,
                joined.path("pushCursor").asLong(), stored);
        pushCursor = joined.path("pushCursor").asLong(0);
        batch = Math.max(1, Math.min(config.batchSize(), joined.path("batchSize").asInt(config.batchSize())));
        return joined.path("session").asText();
    }


    private void pushLoop(PandoWebSocket client, String session, Thread puller) {
        while (running && puller.isAlive()) {
            if (pushCursor + 1 < feed.firstRevision()) {
                pushSnapshot(client, session);
                continue;
            }
            List<KvChange> read = feed.read(pushCursor, batch);
            if (read.isEmpty()) {
                feed.awaitAfter(pushCursor, IDLE_WAIT_MS); // woken by the next commit
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                continue;
            }
            List<KvChange> mine = read.stream().filter(c -> owns(c.key())).toList();
            long upTo = read.get(read.size() - 1).revision();
            if (mine.isEmpty()) {
                // Nothing of ours: move on without a round trip. Telling the hub would make it write
                // its cursor for us, a change we would pull, whose cursor write we would read here:
                // two idle nodes would ping-pong forever. After a reconnect the scan starts again
                // from the hub's cursor, which costs a re-read, not a change.
                pushCursor = upTo;
                continue;
            }
            ArrayNode sent = ChangeJson.writeFitting(mine);
            if (sent.size() < mine.size()) {
                upTo = mine.get(sent.size() - 1).revision(); // the rest is read again for the next message
            }
            ObjectNode push = JsonNodeFactory.instance.objectNode().put("session", session).put("upTo", upTo);
            push.set("changes", sent);
            JsonNode r = client.callSync("federation.push", push);
            pushed.addAndGet(sent.size());
            pushCursor = r.path("cursor").asLong(upTo);
        }
        if (running) {
            throw new PandoException(ErrorCode.UNAVAILABLE, "the pull from hub " + hubNode + " stopped: " + lastError);
        }
    }

    /**
     * Sends the hub everything this node owns, in key order, when this node's feed no longer holds
     * the changes after the hub's cursor (retention pruned them while the hub was away, or before
     * this node first joined): the hub applies what it lacks and retracts what is gone
     * ({@link Sweep}), and the feed is pushed again from the revision the scan started at.
     */
    private void pushSnapshot(PandoWebSocket client, String session) {
        state = State.SYNCING;
        pushSnapshots.incrementAndGet();
        context.log().warn("federation: this node's feed no longer holds its changes after {}, which hub {} lacks; sending a snapshot",
                pushCursor, hubNode);
        long from = feed.lastRevision();
        Optional<String> after = Optional.empty();
        String token = null;
        do {
            KvPage page = context.kv().scan("/", token, batch);
            token = page.next().orElse(null);
            boolean last = token == null;
            List<KvChange> mine = page.entries().stream().filter(e -> owns(e.key())).map(ChangeJson::of).toList();
            if (mine.isEmpty() && !last) {
                continue;
            }
            // A page goes in messages of at most ChangeJson.MAX_BATCH_BYTES, each sweeping the keys
            // after the one before it through its own last key.
            int sent = 0;
            do {
                ArrayNode part = ChangeJson.writeFitting(mine.subList(sent, mine.size()));
                sent += part.size();
                boolean end = last && sent == mine.size();
                // Until the end the hub's cursor stays put: a snapshot cut short is sent again whole.
                ObjectNode push = JsonNodeFactory.instance.objectNode().put("session", session).put("upTo", end ? from : pushCursor);
                push.set("changes", part);
                ObjectNode range = push.putObject("sweep").put("last", end);
                after.ifPresent(k -> range.put("after", k));
                JsonNode r = client.callSync("federation.push", push);
                pushed.addAndGet(part.size());
                if (!part.isEmpty()) {
                    after = Optional.of(mine.get(sent - 1).key());
                }
                if (end) {
                    pushCursor = r.path("cursor").asLong(from);
                }
            } while (sent < mine.size() && running);
        } while (token != null && running);
        state = State.ACTIVE;
    }

    private void pullLoop(PandoWebSocket client, String session) {
        try {
            while (running) {
                ObjectNode pull = JsonNodeFactory.instance.objectNode().put("session", session).put("after", pullCursor.get())
                        .put("limit", batch).put("waitMs", config.pullWaitMs());
                JsonNode r = client.callSync("federation.pull", pull);
                lastPullMs = context.clock().millis();
                if (r.path("compacted").asBoolean(false)) {
                    context.log().warn("federation: hub {} no longer holds changes after {}; taking a snapshot", hubNode, pullCursor.get());
                    long revision = snapshot(client, session, List.of());
                    pullCursor.set(revision);
                    saveCursor(revision);
                    continue;
                }
                learnOwners(r.path("owners"));
                List<KvChange> changes = ChangeJson.read(r.path("changes"), batch);
                Applier.Result res = applier.apply(changes, this::pullable, "hub " + hubNode);
                applied.addAndGet(res.applied());
                skipped.addAndGet(res.skipped());
                rejected.addAndGet(res.rejected());
                long next = r.path("next").asLong(pullCursor.get());
                if (next != pullCursor.get()) {
                    pullCursor.set(next);
                    // Durable at most every CURSOR_SAVE_MS, not per pull (a durable write per pull sat on
                    // every change's path): after a crash the leaf pulls again from the saved cursor,
                    // and the applier skips what it already holds.
                    if (context.clock().millis() - lastSaveMs >= CURSOR_SAVE_MS) {
                        saveCursor(next);
                    }
                } else if (changes.isEmpty() && context.clock().millis() - lastDigestMs >= config.syncIntervalMs()) {
                    digest(client, session); // caught up: a good moment to compare
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }
    }

    /**
     * Compares this replica's revision vector with the hub's over the keys it pulls; origins the
     * hub holds more of were missed here, and a snapshot of just those origins fetches them.
     */
    private void digest(PandoWebSocket client, String session) {
        lastDigestMs = context.clock().millis();
        Map<String, Long> vector = RevisionVector.of(context.kv(), e -> wants(e.key()) && pullable(e.key()), config.maxVectorEntries());
        // The hub compares only what it held at our pull cursor: newer changes are on their way, not missed.
        ObjectNode args = JsonNodeFactory.instance.objectNode().put("session", session).put("through", pullCursor.get());
        ObjectNode v = args.putObject("vector");
        vector.forEach(v::put);
        List<String> gaps = new java.util.ArrayList<>();
        client.callSync("federation.digest", args).path("gaps").forEach(g -> gaps.add(g.asText()));
        if (!gaps.isEmpty()) {
            context.log().warn("federation: this node missed changes of {} held by hub {}; fetching them", gaps, hubNode);
            resyncs.incrementAndGet();
            snapshot(client, session, gaps);
        }
    }

    /**
     * Takes every entry the hub offers (of {@code origins} only, when given); answers the hub
     * revision it started at. A full snapshot also removes what the hub no longer holds
     * ({@link Sweep}): keys deleted while this node was behind the hub's pruned point.
     */
    private long snapshot(PandoWebSocket client, String session, List<String> origins) {
        state = State.SYNCING;
        snapshots.incrementAndGet();
        String me = replica.nodeId();
        Sweep sweep = new Sweep(context, e -> !e.origin().equals(me) && wants(e.key()) && pullable(e.key()), Optional.empty());
        long revision = 0;
        String cursor = null;
        do {
            ObjectNode args = JsonNodeFactory.instance.objectNode().put("session", session);
            args.put("limit", batch);
            origins.forEach(o -> args.withArray("origins").add(o));
            if (cursor != null) {
                args.put("cursor", cursor).put("revision", revision);
            }
            JsonNode page = client.callSync("federation.snapshot", args);
            revision = page.path("revision").asLong();
            List<KvChange> changes = ChangeJson.read(page.path("changes"), batch);
            Applier.Result res = applier.apply(changes, this::pullable, "hub " + hubNode);
            applied.addAndGet(res.applied());
            skipped.addAndGet(res.skipped());
            cursor = page.hasNonNull("cursor") ? page.get("cursor").asText() : null;
            if (origins.isEmpty()) {
                retracted.addAndGet(sweep.page(changes, cursor == null));
            }
        } while (cursor != null && running);
        state = State.ACTIVE;
        return revision;
    }

    private void learnOwners(JsonNode list) {
        if (!list.isArray()) {
            return;
        }
        List<Map.Entry<PathPattern, String>> learned = new java.util.ArrayList<>();
        for (JsonNode o : list) {
            learned.add(Map.entry(PathPattern.compile(o.path("pattern").asText()), o.path("node").asText()));
        }
        owners = List.copyOf(learned);
    }

    /** Whether this node owns {@code key} (one of its {@code federation.namespaces}). */
    private boolean owns(String key) {
        return config.namespaces().stream().anyMatch(p -> p.matches(key));
    }

    /** Whether {@code key} is among what this node asked its hub for ({@code federation.interests}). */
    private boolean wants(String key) {
        return config.interests().stream().anyMatch(p -> p.matches(key));
    }

    /** What this node takes from its hub: not what it owns, not another plugin's internal records. */
    private boolean pullable(String key) {
        return !owns(key) && !Internal.is(key);
    }

    private void saveCursor(long after) {
        lastSaveMs = context.clock().millis();
        context.kv().set(CURSOR, JsonNodeFactory.instance.objectNode().put("hub", hubNode).put("after", after));
    }

    private boolean pause(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
