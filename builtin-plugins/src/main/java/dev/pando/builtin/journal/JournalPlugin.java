package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.OpArgs;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.api.plugin.PluginContext;

/**
 * The journal builtin: records every committed change of the node, in revision order, with no
 * gap and no duplicate across crashes, and serves it back (query, tail, snapshot, replay),
 * with retention by count and age and an optional HMAC chain. See {@code docs/journal.md}.
 *
 * <p>Written against the public plugin API only. It consumes the node's change feed through
 * its durable cursor on a background thread and stores under {@code /_plugins/journal}.
 */
public final class JournalPlugin implements PandoPlugin {
    /** Entries per page when the caller gives no limit. */
    public static final int DEFAULT_LIMIT = 100;
    /** Largest page any op returns. */
    public static final int MAX_LIMIT = 1000;
    /** Entries one query, latest or since call reads at most before answering with {@code next}. */
    public static final int MAX_EXAMINED = 10_000;
    /**
     * Characters of entries' JSON one read answer ({@code query}, {@code latest}, {@code since},
     * {@code snapshot}) holds at most, at least one entry: about 4 MiB, as a store scan page.
     */
    public static final int MAX_ANSWER_CHARS = 4 << 20;
    /** Entries one compaction (op or background retention) removes at most. */
    public static final long MAX_COMPACT_PER_CALL = 100_000;
    /** Entries one verify call checks at most. */
    public static final long MAX_VERIFY_PER_CALL = 100_000;
    /** Feed steps an op that must be current (query, latest, since, snapshot, replay) runs before giving up. */
    static final int SYNC_STEPS = 20;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final boolean background;
    private volatile JournalStore store;
    private volatile Catchup catchup;
    private volatile ChangeFeed feed;
    private volatile JournalConfig config;
    private volatile JournalReads reads;
    private volatile JournalSnapshots snapshots;
    private volatile JournalRetention retention;
    private volatile ChainVerifier verifier;

    public JournalPlugin() {
        this(true);
    }

    /** {@code background=false}: no catch-up thread; tests drive {@link #catchUp} themselves. */
    JournalPlugin(boolean background) {
        this.background = background;
    }

    @Override
    public void start(PluginContext ctx) {
        this.config = JournalConfig.parse(ctx.config());
        this.feed = ctx.feed();
        this.store = new JournalStore(ctx.kv());
        store.recover();
        HmacChain chain = config.hmacKey() == null ? null : new HmacChain(config.hmacKey());
        this.retention = new JournalRetention(store, config, ctx.clock(), ctx.log());
        this.catchup = new Catchup(feed, store, chain, config.lingerMs(), ctx.log(), retention::tick);
        this.reads = new JournalReads(store);
        this.snapshots = new JournalSnapshots(ctx, store, catchup);
        this.verifier = new ChainVerifier(store, config);
        if (background) {
            catchup.start();
        }
        ctx.log().info("journal started at seq {} (revision {}), cursor at {}, chained: {}",
                store.lastSeq(), store.head().revision(), feed.position(), chain != null);
    }

    @Override
    public void stop() {
        Catchup c = catchup;
        if (c != null) {
            c.stop();
        }
    }

    /** Journals everything the feed holds now (bounded); for tests and ops that need it current. */
    void catchUp() {
        catchup.drain(Integer.MAX_VALUE);
    }

    Catchup catchup() {
        return catchup;
    }

    JournalStore store() {
        return store;
    }

    @Override
    public JsonNode call(OpCall call) {
        return switch (call.verb()) {
            case "query" -> reads.query(current(call));
            case "latest" -> reads.latest(current(call));
            case "since" -> reads.since(current(call));
            case "snapshot" -> snapshots.snapshot(call);
            case "replay" -> snapshots.replay(call);
            case "compact" -> retention.compact(call);
            case "status" -> status(call);
            case "verify" -> verifier.verify(call);
            default -> throw new PandoException(ErrorCode.NOT_FOUND, "journal has no op '" + call.op() + "'");
        };
    }

    /**
     * {@code call}, once the journal covers what was committed before it (caught up on this
     * thread, at most {@link #SYNC_STEPS} steps, as snapshot and replay do): a client that wrote
     * and then reads the journal reads its own writes, however long the background thread lingers.
     */
    private OpCall current(OpCall call) {
        if (catchup.coveredRevision() < feed.lastRevision()) {
            catchup.drain(SYNC_STEPS);
        }
        return call;
    }

    private JsonNode status(OpCall call) {
        OpArgs.of(call);
        JournalStore.Head head = store.head();
        long node = feed.lastRevision();
        long covered = catchup.coveredRevision();
        ObjectNode out = JSON.objectNode();
        out.put("firstSeq", store.firstSeq());
        out.put("lastSeq", head.seq());
        out.put("lastRevision", head.revision());
        out.put("coveredRevision", covered);
        out.put("nodeRevision", node);
        out.put("lag", Math.max(0, node - covered));
        out.put("baseRevision", store.meta().baseRevision());
        out.put("chained", config.hmacKey() != null);
        out.put("running", catchup.isRunning());
        return out;
    }
}
