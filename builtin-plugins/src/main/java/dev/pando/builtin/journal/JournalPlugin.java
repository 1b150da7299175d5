package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.api.plugin.PluginContext;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.PrimitiveIterator;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

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
    /** Entries one compaction (op or background retention) removes at most. */
    public static final long MAX_COMPACT_PER_CALL = 100_000;
    /** Entries one verify call checks at most. */
    public static final long MAX_VERIFY_PER_CALL = 100_000;
    /** Feed steps an op that must be current (snapshot, replay) runs before giving up. */
    static final int SYNC_STEPS = 20;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final boolean background;
    private volatile PluginContext context;
    private volatile JournalStore store;
    private volatile Catchup catchup;
    private volatile ChangeFeed feed;
    private volatile JournalConfig config;
    private volatile Clock clock;
    private long lastRetentionNanos;
    private boolean retentionRan;

    public JournalPlugin() {
        this(true);
    }

    /** {@code background=false}: no catch-up thread; tests drive {@link #catchUp} themselves. */
    JournalPlugin(boolean background) {
        this.background = background;
    }

    @Override
    public void start(PluginContext ctx) {
        this.context = ctx;
        this.config = JournalConfig.parse(ctx.config());
        this.feed = ctx.feed();
        this.clock = ctx.clock();
        this.store = new JournalStore(ctx.kv());
        store.recover();
        HmacChain chain = config.hmacKey() == null ? null : new HmacChain(config.hmacKey());
        this.catchup = new Catchup(feed, store, chain, ctx.log(), this::retentionTick);
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
            case "query" -> query(call);
            case "latest" -> latest(call);
            case "since" -> since(call);
            case "snapshot" -> snapshot(call);
            case "replay" -> replay(call);
            case "compact" -> compact(call);
            case "status" -> status(call);
            case "verify" -> verify(call);
            default -> throw new PandoException(ErrorCode.NOT_FOUND, "journal has no op '" + call.op() + "'");
        };
    }

    // --- reading entries -------------------------------------------------------------------

    private JsonNode query(OpCall call) {
        Args a = Args.of(call, "fromRevision", "toRevision", "pattern", "fromTime", "toTime", "limit", "after");
        Long fromRev = a.optLong("fromRevision", 0, Long.MAX_VALUE);
        Long toRev = a.optLong("toRevision", 0, Long.MAX_VALUE);
        if (fromRev != null && toRev != null && fromRev > toRev) {
            throw a.bad("fromRevision", "(" + fromRev + ") is after toRevision (" + toRev + ")");
        }
        Long fromTime = a.optLong("fromTime", 0, Long.MAX_VALUE);
        Long toTime = a.optLong("toTime", 0, Long.MAX_VALUE);
        if (fromTime != null && toTime != null && fromTime > toTime) {
            throw a.bad("fromTime", "(" + fromTime + ") is after toTime (" + toTime + ")");
        }
        PathPattern pattern = a.optPattern("pattern");
        int limit = a.limit(DEFAULT_LIMIT, MAX_LIMIT);
        Long after = a.optToken("after");

        JournalStore.Meta meta = store.meta();
        long last = store.lastSeq();
        long seq = store.firstSeq();
        if (fromRev != null) {
            seq = Math.max(seq, store.seqAtOrAfterRevision(fromRev));
        }
        if (after != null) {
            seq = Math.max(seq, after + 1);
        }
        Predicate<String> visible = visible(pattern, call.caller());
        ArrayNode entries = JSON.arrayNode();
        String next = null;
        PrimitiveIterator.OfLong seqs = store.seqs(pattern, seq, last);
        long previous = seq - 1;
        for (long examined = 0; seqs.hasNext(); examined++) {
            if (examined == MAX_EXAMINED) {
                next = Long.toString(previous);
                break;
            }
            long s = seqs.nextLong();
            previous = s;
            Optional<JournalEntry> found = store.entry(s);
            if (found.isEmpty()) {
                continue; // compacted while we read
            }
            JournalEntry e = found.get();
            if (toRev != null && e.revision() > toRev) {
                break;
            }
            if ((fromTime != null && e.timestamp() < fromTime) || (toTime != null && e.timestamp() > toTime) || !visible.test(e.key())) {
                continue;
            }
            entries.add(e.toJson());
            if (entries.size() == limit) {
                next = seqs.hasNext() ? Long.toString(s) : null;
                break;
            }
        }
        ObjectNode out = page(entries, next);
        out.put("firstSeq", store.firstSeq());
        out.put("lastSeq", last);
        // Whether compaction removed entries this range asked for.
        out.put("compacted", meta.baseSeq() > 0 && (fromRev == null || fromRev <= meta.baseRevision()));
        return out;
    }

    private JsonNode latest(OpCall call) {
        Args a = Args.of(call, "pattern", "limit");
        PathPattern pattern = a.optPattern("pattern");
        int limit = a.limit(DEFAULT_LIMIT, MAX_LIMIT);
        Predicate<String> visible = visible(pattern, call.caller());
        long first = store.firstSeq();
        long last = store.lastSeq();
        ArrayNode entries = JSON.arrayNode();
        if (pattern != null && pattern.isLiteral()) {
            for (long seq : newestOfKey(pattern, first, last, limit)) {
                store.entry(seq).filter(e -> visible.test(e.key())).ifPresent(e -> entries.add(e.toJson()));
            }
        } else {
            for (long seq = last, examined = 0; seq >= first && examined < MAX_EXAMINED && entries.size() < limit; seq--, examined++) {
                store.entry(seq).filter(e -> visible.test(e.key())).ifPresent(e -> entries.add(e.toJson()));
            }
        }
        ObjectNode out = JSON.objectNode();
        out.set("entries", entries);
        out.put("firstSeq", store.firstSeq());
        out.put("lastSeq", last);
        return out;
    }

    /**
     * The newest {@code limit} seqs of one key, newest first. The index is read oldest first, so
     * it is read in windows back from the end, each twice as wide as the one before: a busy key
     * is answered from the first window, a rare one in a few index seeks, the whole history never.
     */
    private List<Long> newestOfKey(PathPattern key, long first, long last, int limit) {
        List<Long> newest = new ArrayList<>(limit);
        long width = MAX_EXAMINED;
        for (long hi = last; hi >= first && newest.size() < limit; width = Math.min(width * 2, Long.MAX_VALUE / 4)) {
            long lo = Math.max(first, hi - width + 1);
            ArrayDeque<Long> window = new ArrayDeque<>();
            for (PrimitiveIterator.OfLong seqs = store.seqs(key, lo, hi); seqs.hasNext(); ) {
                window.addLast(seqs.nextLong());
                if (window.size() > limit - newest.size()) {
                    window.removeFirst();
                }
            }
            while (!window.isEmpty()) {
                newest.add(window.removeLast());
            }
            hi = lo - 1;
        }
        return newest;
    }

    private JsonNode since(OpCall call) {
        Args a = Args.of(call, "seq", "pattern", "limit");
        long after = a.reqLong("seq", 0, Long.MAX_VALUE - 1);
        PathPattern pattern = a.optPattern("pattern");
        int limit = a.limit(DEFAULT_LIMIT, MAX_LIMIT);
        Predicate<String> visible = visible(pattern, call.caller());
        long first = store.firstSeq();
        long last = store.lastSeq();
        ArrayNode entries = JSON.arrayNode();
        long position = Math.max(after, first - 1);
        PrimitiveIterator.OfLong seqs = store.seqs(pattern, Math.max(after + 1, first), last);
        for (long examined = 0; seqs.hasNext() && examined < MAX_EXAMINED && entries.size() < limit; examined++) {
            long seq = seqs.nextLong();
            Optional<JournalEntry> e = store.entry(seq);
            if (e.isPresent() && visible.test(e.get().key())) {
                entries.add(e.get().toJson());
            }
            position = seq;
        }
        if (!seqs.hasNext()) {
            position = Math.max(position, last); // nothing else up to last can match
        }
        ObjectNode out = JSON.objectNode();
        out.set("entries", entries);
        // Always the seq to pass next time, so a filtered tail never re-reads what it skipped.
        out.put("next", Math.max(position, after));
        out.put("caughtUp", position >= last);
        out.put("firstSeq", first);
        out.put("lastSeq", last);
        if (after + 1 < first) {
            ObjectNode gap = out.putObject("gap");
            gap.put("fromSeq", after + 1);
            gap.put("toSeq", first - 1);
        }
        return out;
    }

    private volatile LastSnapshot lastSnapshot;

    // --- state reconstruction --------------------------------------------------------------

    private JsonNode snapshot(OpCall call) {
        Args a = Args.of(call, "revision", "pattern", "limit", "after");
        long revision = a.reqLong("revision", 0, Long.MAX_VALUE);
        PathPattern pattern = a.optPattern("pattern");
        int limit = a.limit(DEFAULT_LIMIT, MAX_LIMIT);
        String after = a.optKey("after");
        requireJournaled(revision);
        store.requireRetained(revision);
        NavigableMap<String, KvEntry> state = stateFor(revision, pattern);
        Caller caller = call.caller();
        ArrayNode entries = JSON.arrayNode();
        String next = null;
        for (KvEntry e : (after == null ? state : state.tailMap(after, false)).values()) {
            if (!caller.may(Access.READ, e.key())) {
                continue;
            }
            if (entries.size() == limit) {
                next = entries.get(limit - 1).get("key").asText();
                break;
            }
            entries.add(e.toJson());
        }
        ObjectNode out = page(entries, next);
        out.put("revision", revision);
        out.put("firstSeq", store.firstSeq());
        out.put("baseRevision", store.meta().baseRevision());
        return out;
    }

    /**
     * The state at {@code revision} under {@code pattern}, rebuilt once and kept for the pages
     * that follow: rebuilding it for every page made paging through a snapshot quadratic. The
     * state at a journaled revision never changes (compaction keeps what it folds in the base),
     * so the copy needs no invalidation; it holds at most {@link JournalStore#MAX_SNAPSHOT_KEYS}.
     */
    private NavigableMap<String, KvEntry> stateFor(long revision, PathPattern pattern) {
        String key = revision + " " + (pattern == null ? "" : pattern.toString());
        LastSnapshot last = lastSnapshot;
        if (last != null && last.key().equals(key)) {
            return last.state();
        }
        NavigableMap<String, KvEntry> state = Collections.unmodifiableNavigableMap(
                store.stateAt(revision, k -> pattern == null || pattern.matches(k)));
        lastSnapshot = new LastSnapshot(key, state);
        return state;
    }

    private record LastSnapshot(String key, NavigableMap<String, KvEntry> state) {}

    private JsonNode replay(OpCall call) {
        Args a = Args.of(call, "revision", "pattern", "target");
        Long rev = a.optLong("revision", 0, Long.MAX_VALUE);
        PathPattern pattern = a.optPattern("pattern");
        String target = a.optKey("target");
        if (target == null) {
            throw a.bad("target", "is required: a prefix within " + replayPrefixes() + " to write the state under");
        }
        if (Keys.isUnder(target, JournalStore.ROOT) || Keys.isUnder(JournalStore.ROOT, target)
                || context.manifest().kvWrite().stream().noneMatch(p -> Keys.isUnder(target, p))) {
            throw new PandoException(ErrorCode.FORBIDDEN, "journal.replay: target '" + target
                    + "' must lie within the journal's replay prefixes " + replayPrefixes());
        }
        long revision = rev != null ? rev : syncedRevision();
        requireJournaled(revision);
        TreeMap<String, KvEntry> state = store.stateAt(revision, visible(pattern, call.caller()));
        Set<String> written = new HashSet<>();
        long skipped = 0;
        for (Map.Entry<String, KvEntry> e : state.entrySet()) {
            String key = target + e.getKey();
            if (!Keys.isValid(key)) {
                skipped++; // target + key would exceed the node's key length limit
                continue;
            }
            context.kv().set(key, e.getValue().value());
            written.add(key);
        }
        // The target mirrors the state: what is there but not in the state goes.
        List<String> stale = new ArrayList<>();
        String after = null;
        do {
            KvPage page = context.kv().scan(target, after, JournalStore.SCAN_PAGE);
            page.entries().stream().map(KvEntry::key).filter(k -> !written.contains(k)).forEach(stale::add);
            after = page.next();
        } while (after != null);
        stale.forEach(context.kv()::delete);
        ObjectNode out = JSON.objectNode();
        out.put("revision", revision);
        out.put("target", target);
        out.put("written", written.size());
        out.put("deleted", stale.size());
        out.put("skipped", skipped);
        return out;
    }

    private List<String> replayPrefixes() {
        return context.manifest().kvWrite().stream().filter(p -> !Keys.isUnder(p, JournalStore.ROOT)).toList();
    }

    /** The journal's covered revision after catching up (bounded), for a default "now". */
    private long syncedRevision() {
        catchup.drain(SYNC_STEPS);
        return catchup.coveredRevision();
    }

    private void requireJournaled(long revision) {
        long covered = catchup.coveredRevision();
        if (revision > covered) {
            covered = syncedRevision();
        }
        if (revision > covered) {
            throw new PandoException(ErrorCode.UNAVAILABLE, "revision " + revision + " is not journaled yet: the journal has handled changes through revision "
                    + covered + " and the node is at " + feed.lastRevision() + "; retry shortly");
        }
    }

    // --- retention -------------------------------------------------------------------------

    private JsonNode compact(OpCall call) {
        Args a = Args.of(call, "keepLast", "maxAgeMs");
        Long keepLast = a.optLong("keepLast", 0, Long.MAX_VALUE);
        Long maxAgeMs = a.optLong("maxAgeMs", 1, Long.MAX_VALUE);
        if (keepLast == null && maxAgeMs == null) {
            if (!config.hasRetention()) {
                throw PandoException.badRequest("journal.compact: give keepLast and/or maxAgeMs (no retention is configured)");
            }
            keepLast = config.maxEntries();
            maxAgeMs = config.maxAgeMs();
        }
        JournalStore.Compaction c = compact(keepLast, maxAgeMs);
        ObjectNode out = JSON.objectNode();
        out.put("compacted", c.compacted());
        out.put("firstSeq", c.firstSeq());
        out.put("lastSeq", c.lastSeq());
        out.put("baseRevision", c.baseRevision());
        out.put("more", c.more());
        return out;
    }

    JournalStore.Compaction compact(Long keepLast, Long maxAgeMs) {
        long last = store.lastSeq();
        long through = store.firstSeq() - 1;
        if (keepLast != null) {
            through = Math.max(through, last - keepLast);
        }
        if (maxAgeMs != null) {
            long cutoff = clock.millis() - maxAgeMs;
            long scanTo = Math.min(last, store.firstSeq() - 1 + MAX_COMPACT_PER_CALL);
            through = Math.max(through, store.lastSeqOlderThan(cutoff, scanTo));
        }
        return store.compactThrough(through, MAX_COMPACT_PER_CALL);
    }

    /** Background retention, at most once per configured interval. Runs on the catch-up thread. */
    private void retentionTick() {
        JournalConfig c = config;
        if (!c.hasRetention()) {
            return;
        }
        long now = System.nanoTime();
        if (retentionRan && now - lastRetentionNanos < c.intervalMs() * 1_000_000L) {
            return;
        }
        retentionRan = true;
        lastRetentionNanos = now;
        JournalStore.Compaction done = compact(c.maxEntries(), c.maxAgeMs());
        if (done.compacted() > 0) {
            context.log().info("journal retention removed {} entries; first seq is now {}", done.compacted(), done.firstSeq());
        }
        if (done.more()) {
            retentionRan = false; // more to do: run again on the next step
        }
    }

    // --- status and verification -----------------------------------------------------------

    private JsonNode status(OpCall call) {
        Args.of(call);
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

    private JsonNode verify(OpCall call) {
        Args a = Args.of(call, "fromSeq", "toSeq");
        if (config.hmacKey() == null) {
            throw PandoException.badRequest("journal.verify: the journal is not chained; set config hmac.key to chain new entries");
        }
        HmacChain chain = new HmacChain(config.hmacKey());
        long first = store.firstSeq();
        long last = store.lastSeq();
        long from = Optional.ofNullable(a.optLong("fromSeq", 1, Long.MAX_VALUE)).orElse(first);
        long to = Optional.ofNullable(a.optLong("toSeq", 1, Long.MAX_VALUE)).orElse(last);
        if (from < first) {
            throw new PandoException(ErrorCode.NOT_FOUND, "journal.verify: seq " + from + " is compacted; the journal holds seq " + first + " to " + last);
        }
        if (to > last) {
            throw a.bad("toSeq", "(" + to + ") is beyond the last seq " + last);
        }
        if (from > to) {
            throw a.bad("fromSeq", "(" + from + ") is after toSeq (" + to + ")");
        }
        String prev;
        JournalStore.Meta meta = store.meta();
        if (from == meta.baseSeq() + 1) {
            prev = meta.baseMac();
        } else {
            prev = store.entry(from - 1).map(JournalEntry::mac).orElseThrow(() ->
                    new PandoException(ErrorCode.NOT_FOUND, "journal.verify: seq " + (from - 1) + " (the link before fromSeq) is compacted"));
        }
        long end = Math.min(to, from + MAX_VERIFY_PER_CALL - 1);
        ObjectNode out = JSON.objectNode();
        out.put("fromSeq", from);
        long verified = 0;
        for (long seq = from; seq <= end; seq++) {
            String problem = null;
            Optional<JournalEntry> found = store.entry(seq);
            if (found.isEmpty()) {
                problem = "the entry is missing";
            } else {
                JournalEntry e = found.get();
                if (e.seq() != seq) {
                    problem = "the entry stored at seq " + seq + " claims seq " + e.seq();
                } else if (e.mac() == null) {
                    problem = "the entry has no mac (journaled before the chain was configured?)";
                } else if (!e.mac().equals(chain.mac(prev, e))) {
                    problem = "the mac does not match the entry and the previous link";
                }
                prev = e.mac();
            }
            if (problem != null) {
                out.put("ok", false);
                out.put("verified", verified);
                out.put("firstBadSeq", seq);
                out.put("reason", problem);
                out.set("next", NullNode.getInstance());
                return out;
            }
            verified++;
        }
        out.put("ok", true);
        out.put("verified", verified);
        out.put("toSeq", end);
        out.set("next", end < to ? JSON.numberNode(end + 1) : NullNode.getInstance());
        return out;
    }

    // --- helpers ---------------------------------------------------------------------------

    /** The caller only sees keys it may read, whatever the op's scope let it call. */
    private static Predicate<String> visible(PathPattern pattern, Caller caller) {
        return key -> (pattern == null || pattern.matches(key)) && caller.may(Access.READ, key);
    }

    private static ObjectNode page(ArrayNode entries, String next) {
        ObjectNode out = JSON.objectNode();
        out.set("entries", entries);
        out.set("next", next == null ? NullNode.getInstance() : JSON.textNode(next));
        return out;
    }
}
