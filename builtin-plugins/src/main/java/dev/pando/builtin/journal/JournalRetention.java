package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.OpArgs;
import dev.pando.api.plugin.OpCall;
import java.time.Clock;
import java.util.OptionalLong;
import org.slf4j.Logger;

/**
 * Removes old entries by count and age: on demand ({@code journal.compact}) and in the
 * background after catch-up steps, at most once per configured interval.
 */
final class JournalRetention {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final JournalStore store;
    private final JournalConfig config;
    private final Clock clock;
    private final Logger log;
    private long lastRetentionNanos;
    private boolean retentionRan;

    JournalRetention(JournalStore store, JournalConfig config, Clock clock, Logger log) {
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.log = log;
    }

    /** {@code journal.compact}: the limits given, or the configured retention. */
    JsonNode compact(OpCall call) {
        OpArgs a = OpArgs.of(call, "keepLast", "maxAgeMs");
        OptionalLong keepLastArg = a.optLong("keepLast", 0, Long.MAX_VALUE);
        OptionalLong maxAgeArg = a.optLong("maxAgeMs", 1, Long.MAX_VALUE);
        // Null below means "no limit of that kind" to the compaction, which takes either or both.
        Long keepLast = keepLastArg.isPresent() ? Long.valueOf(keepLastArg.getAsLong()) : null;
        Long maxAgeMs = maxAgeArg.isPresent() ? Long.valueOf(maxAgeArg.getAsLong()) : null;
        if (keepLast == null && maxAgeMs == null) {
            if (!config.hasRetention()) {
                throw PandoException.badRequest("journal.compact: give keepLast and/or maxAgeMs (no retention is configured)");
            }
            keepLast = config.maxEntries();
            maxAgeMs = config.maxAgeMs();
        }
        JournalBase.Compaction c = compact(keepLast, maxAgeMs);
        ObjectNode out = JSON.objectNode();
        out.put("compacted", c.compacted());
        out.put("firstSeq", c.firstSeq());
        out.put("lastSeq", c.lastSeq());
        out.put("baseRevision", c.baseRevision());
        out.put("more", c.more());
        return out;
    }

    /** Compacts to the last {@code keepLast} entries and those younger than {@code maxAgeMs}, either may be null. */
    private JournalBase.Compaction compact(Long keepLast, Long maxAgeMs) {
        long last = store.lastSeq();
        long through = store.firstSeq() - 1;
        if (keepLast != null) {
            through = Math.max(through, last - keepLast);
        }
        if (maxAgeMs != null) {
            long cutoff = clock.millis() - maxAgeMs;
            long scanTo = Math.min(last, store.firstSeq() - 1 + JournalPlugin.MAX_COMPACT_PER_CALL);
            through = Math.max(through, store.lastSeqOlderThan(cutoff, scanTo));
        }
        return store.compactThrough(through, JournalPlugin.MAX_COMPACT_PER_CALL);
    }

    /** Background retention, at most once per configured interval. Runs on the catch-up thread. */
    void tick() {
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
        JournalBase.Compaction done = compact(c.maxEntries(), c.maxAgeMs());
        if (done.compacted() > 0) {
            log.info("journal retention removed {} entries; first seq is now {}", done.compacted(), done.firstSeq());
        }
        if (done.more()) {
            retentionRan = false; // more to do: run again on the next step
        }
    }
}
