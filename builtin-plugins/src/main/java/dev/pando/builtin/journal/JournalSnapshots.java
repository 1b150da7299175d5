package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
import dev.pando.api.plugin.OpArgs;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PluginContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * The journal ops that rebuild the state at a revision: {@code journal.snapshot} (pages of it)
 * and {@code journal.replay} (written under a target prefix). Both wait, bounded, for the
 * journal to catch up to the revision asked for.
 */
final class JournalSnapshots {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final PluginContext context;
    private final JournalStore store;
    private final Catchup catchup;
    private final ChangeFeed feed;
    private volatile LastSnapshot lastSnapshot;

    JournalSnapshots(PluginContext context, JournalStore store, Catchup catchup) {
        this.context = context;
        this.store = store;
        this.catchup = catchup;
        this.feed = context.feed();
    }

    /** {@code journal.snapshot}: the state at a revision, a page of keys at a time. */
    JsonNode snapshot(OpCall call) {
        OpArgs a = OpArgs.of(call, "revision", "pattern", "limit", "after");
        long revision = a.longValue("revision", 0, Long.MAX_VALUE);
        PathPattern pattern = a.optPattern("pattern").orElse(null); // absent: every key
        int limit = a.intOr("limit", 1, JournalPlugin.MAX_LIMIT, JournalPlugin.DEFAULT_LIMIT);
        String after = a.optKey("after").orElse(null); // absent: from the first key
        requireJournaled(revision);
        store.requireRetained(revision);
        NavigableMap<String, KvEntry> state = stateFor(revision, pattern);
        Caller caller = call.caller();
        JournalReads.Answer entries = new JournalReads.Answer(limit);
        String next = null;
        String lastKey = null;
        for (KvEntry e : (after == null ? state : state.tailMap(after, false)).values()) {
            if (!caller.may(Access.READ, e.key())) {
                continue;
            }
            if (entries.full()) {
                next = lastKey;
                break;
            }
            entries.add(e.toJson());
            lastKey = e.key();
        }
        ObjectNode out = JournalReads.page(entries.array(), next);
        out.put("revision", revision);
        out.put("firstSeq", store.firstSeq());
        out.put("baseRevision", store.meta().baseRevision());
        return out;
    }

    /**
     * The state at {@code revision} under {@code pattern}, rebuilt once and kept for the pages
     * that follow: rebuilding it for every page made paging through a snapshot quadratic. The
     * state at a journaled revision never changes (compaction keeps what it folds in the base),
     * so the copy needs no invalidation; it holds at most {@link JournalBase#MAX_SNAPSHOT_KEYS}.
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

    /** {@code journal.replay}: writes the state at a revision under a target prefix, mirroring it there. */
    JsonNode replay(OpCall call) {
        OpArgs a = OpArgs.of(call, "revision", "pattern", "target");
        OptionalLong rev = a.optLong("revision", 0, Long.MAX_VALUE);
        PathPattern pattern = a.optPattern("pattern").orElse(null); // absent: every key
        String target = a.optKey("target").orElseThrow(() ->
                a.fail("target", "is required: a prefix within " + replayPrefixes() + " to write the state under"));
        if (Keys.isUnder(target, JournalStore.ROOT) || Keys.isUnder(JournalStore.ROOT, target)
                || context.manifest().kvWrite().stream().noneMatch(p -> Keys.isUnder(target, p))) {
            throw new PandoException(ErrorCode.FORBIDDEN, "journal.replay: target '" + target
                    + "' must lie within the journal's replay prefixes " + replayPrefixes());
        }
        long revision = rev.isPresent() ? rev.getAsLong() : syncedRevision();
        requireJournaled(revision);
        TreeMap<String, KvEntry> state = store.stateAt(revision, JournalReads.visible(pattern, call.caller()));
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
            after = page.next().orElse(null);
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
        catchup.drain(JournalPlugin.SYNC_STEPS);
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
}
