package dev.pando.builtin.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.manifest.Permission;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.PluginKv;
import dev.pando.builtin.ForwardingFeed;
import dev.pando.host.HostServices;
import dev.pando.host.testing.TestHost;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class JournalCatchupTest {
    private final JournalFixture f = new JournalFixture();

    @AfterEach
    void stop() {
        f.stopAll();
    }

    @Test
    void manifestDeclaresFeedAndReplayPrefix() {
        assertThat(JournalFixture.MANIFEST.id()).isEqualTo("journal");
        assertThat(JournalFixture.MANIFEST.permissions()).contains(Permission.FEED, Permission.CLOCK);
        assertThat(JournalFixture.MANIFEST.kvWrite()).containsExactly("/_plugins/journal", "/replay");
        assertThat(JournalFixture.MANIFEST.op("journal.compact").orElseThrow().scope().name()).isEqualTo("ADMIN");
        assertThat(JournalFixture.MANIFEST.op("journal.query").orElseThrow().scope().name()).isEqualTo("READ");
    }

    @Test
    void journalsEveryChangeInRevisionOrderWithDeletes() {
        JournalPlugin j = f.journal();
        long r1 = f.write("/a/1", "{\"v\":1}");
        long r2 = f.write("/a/2", "2");
        f.delete("/a/1");
        j.catchUp();

        JsonNode entries = JournalFixture.call(j, "journal.query", "{}").get("entries");
        assertThat(entries).hasSize(3);
        assertThat(entries.get(0).get("seq").asLong()).isEqualTo(1);
        assertThat(entries.get(0).get("revision").asLong()).isEqualTo(r1);
        assertThat(entries.get(0).get("value").get("v").asInt()).isEqualTo(1);
        assertThat(entries.get(0).get("writer").asText()).isEqualTo("admin");
        assertThat(entries.get(0).get("origin").asText()).isEqualTo("local");
        assertThat(entries.get(0).get("timestamp").asLong()).isEqualTo(f.clock.millis());
        assertThat(entries.get(1).get("revision").asLong()).isEqualTo(r2);
        assertThat(entries.get(2).get("key").asText()).isEqualTo("/a/1");
        assertThat(entries.get(2).get("value").isNull()).isTrue();
        assertThat(entries.get(2).get("revision").asLong()).isGreaterThan(r2);

        JsonNode status = JournalFixture.call(j, "journal.status", "{}");
        assertThat(status.get("lastSeq").asLong()).isEqualTo(3);
        assertThat(status.get("lag").asLong()).isZero();
        assertThat(status.get("chained").asBoolean()).isFalse();
    }

    @Test
    void ownWritesAreNotJournaled() {
        JournalPlugin j = f.journal();
        f.write("/x", "1");
        j.catchUp();
        j.catchUp(); // a journal whose writes were published found its own head and entry here
        f.services.set("/_plugins/journal/foreign", TestHost.json("1"), HostServices.NO_CAS, "admin");
        f.services.set("/replay/y", TestHost.json("1"), HostServices.NO_CAS, "plugin:journal");
        f.services.set("/replay/z", TestHost.json("1"), HostServices.NO_CAS, "plugin:journal/replay");
        f.write("/y", "2");
        j.catchUp();

        JsonNode entries = JournalFixture.call(j, "journal.query", "{}").get("entries");
        assertThat(entries).extracting(e -> e.get("key").asText()).containsExactly("/x", "/y");
        assertThat(Catchup.isOwn(new KvChange("/a", null, 1, 0, "local", "plugin:journalx"))).isFalse();
        assertThat(JournalFixture.call(j, "journal.status", "{}").get("lag").asLong()).isZero();
    }

    /** The journal's entries, rows, head, meta and compaction are unpublished: no follower of the feed pays for them. */
    @Test
    void theJournalsOwnWritesNeverReachTheFeed() {
        JournalPlugin j = f.journal();
        for (int i = 0; i < 40; i++) {
            f.write("/k/" + (i % 7), Integer.toString(i));
        }
        j.catchUp();
        assertThat(JournalFixture.call(j, "journal.compact", "{\"keepLast\":5}").get("compacted").asLong()).isEqualTo(35);

        assertThat(f.services.entries().keySet()).anyMatch(k -> k.startsWith(JournalStore.ENTRIES + "/"))
                .anyMatch(k -> k.startsWith(JournalStore.KEYS + "/")).anyMatch(k -> k.startsWith(JournalStore.BASE + "/"));
        assertThat(f.services.changes()).hasSize(40).allMatch(c -> c.key().startsWith("/k/"));
        assertThat(JournalFixture.call(j, "journal.status", "{}").get("lag").asLong()).isZero();
    }

    @Test
    void catchUpOverManyBatchesLeavesNoGap() {
        JournalPlugin j = f.journal();
        List<Long> revisions = new ArrayList<>();
        for (int i = 0; i < Catchup.BATCH_SIZE * 2 + 17; i++) {
            revisions.add(f.write("/k/" + (i % 50), Integer.toString(i)));
            if (i % 333 == 0) {
                j.catchUp();
            }
        }
        j.catchUp();
        List<JsonNode> stored = f.storedEntries();
        assertThat(stored).hasSize(revisions.size());
        for (int i = 0; i < stored.size(); i++) {
            assertThat(stored.get(i).get("seq").asLong()).isEqualTo(i + 1);
            assertThat(stored.get(i).get("revision").asLong()).isEqualTo(revisions.get(i));
        }
    }

    /** A crash after the entries were written but before the cursor commit: the batch is polled again. */
    @Test
    void repolledChangesAreNotJournaledTwice() {
        JournalPlugin first = f.journal();
        first.stop();
        for (int i = 0; i < 10; i++) {
            f.write("/c/" + i, Integer.toString(i));
        }
        ChangeFeed real = f.context(null).feed();
        ChangeFeed neverCommits = new ForwardingFeed(real) {
            @Override
            public void commit(long revision) {
                // crash before the commit reaches the node
            }
        };
        JournalStore store = new JournalStore(f.context(null).kv());
        store.recover();
        new Catchup(neverCommits, store, null, JournalConfig.DEFAULT_LINGER_MS, LoggerFactory.getLogger("test"), null).step();
        assertThat(f.storedEntries()).hasSize(10);
        assertThat(real.position()).isZero();

        f.write("/c/after", "true");
        JournalPlugin restarted = f.journal();
        restarted.catchUp();
        assertDense(11);
        assertThat(real.position()).isGreaterThanOrEqualTo(11);
    }

    /** A feed that hands back everything after the committed position, as poll does: the journal skips what it holds. */
    @Test
    void changesRedeliveredByTheFeedAreSkippedByRevision() {
        for (int i = 0; i < 4; i++) {
            f.write("/d/" + i, Integer.toString(i));
        }
        ChangeFeed real = f.context(null).feed();
        ChangeFeed redelivering = new ForwardingFeed(real) {
            @Override
            public List<KvChange> read(long afterRevision, int limit) {
                return real.poll(limit);
            }

            @Override
            public void commit(long revision) {
                // never moves: every step sees the whole feed again
            }
        };
        JournalStore store = new JournalStore(f.context(null).kv());
        store.recover();
        Catchup c = new Catchup(redelivering, store, null, JournalConfig.DEFAULT_LINGER_MS, LoggerFactory.getLogger("test"), null);
        c.step();
        f.write("/d/4", "4");
        c.step();
        c.step();
        assertDense(5);
    }

    /** Each step appends its entries, their index rows and the head in one atomic write: no single writes, no holes. */
    @Test
    void eachBatchIsOneAtomicWriteOfEntriesRowsAndHead() {
        int n = Catchup.BATCH_SIZE * 2 + 17;
        for (int i = 0; i < n; i++) {
            f.write("/batch/" + i, Integer.toString(i));
        }
        List<Integer> applied = new ArrayList<>();
        List<String> singles = new ArrayList<>();
        PluginKv counting = new ForwardingKv(f.context(null).kv()) {
            @Override
            public List<KvChange> applyUnpublished(List<KvWrite> writes) {
                applied.add(writes.size());
                return super.applyUnpublished(writes);
            }

            @Override
            public KvEntry set(String key, JsonNode value) {
                singles.add(key);
                return super.set(key, value);
            }

            @Override
            public KvEntry set(String key, JsonNode value, long ifRevision) {
                singles.add(key);
                return super.set(key, value, ifRevision);
            }
        };
        JournalStore store = new JournalStore(counting);
        store.recover();
        new Catchup(f.context(null).feed(), store, null, JournalConfig.DEFAULT_LINGER_MS, LoggerFactory.getLogger("test"), null).drain(10);

        assertThat(applied).containsExactly(2 * Catchup.BATCH_SIZE + 1, 2 * Catchup.BATCH_SIZE + 1, 2 * 17 + 1);
        assertThat(applied).allMatch(size -> size <= PluginKv.MAX_APPLY_WRITES);
        assertThat(singles).isEmpty();
        assertDense(n);
        JsonNode head = f.services.get(JournalStore.HEAD).orElseThrow().value();
        assertThat(head.get("seq").asLong()).isEqualTo(n);
        assertThat(f.services.entries().keySet().stream().filter(k -> k.startsWith(JournalStore.KEYS + "/"))).hasSize(n);
    }

    /** A crash during the append (the node never committed it) leaves nothing behind: the batch is journaled again, whole. */
    @Test
    void aCrashDuringTheAppendLeavesNothingAndTheBatchIsJournaledAgain() {
        for (int i = 0; i < 10; i++) {
            f.write("/crash/" + i, Integer.toString(i));
        }
        PluginKv crashes = new ForwardingKv(f.context(null).kv()) {
            @Override
            public List<KvChange> applyUnpublished(List<KvWrite> writes) {
                throw new IllegalStateException("crash");
            }
        };
        JournalStore store = new JournalStore(crashes);
        store.recover();
        Catchup crashing = new Catchup(f.context(null).feed(), store, null, JournalConfig.DEFAULT_LINGER_MS, LoggerFactory.getLogger("test"), null);
        assertThatThrownBy(crashing::step).hasMessage("crash");
        assertThat(f.storedEntries()).isEmpty();
        assertThat(f.services.get(JournalStore.HEAD)).isEmpty();
        assertThat(f.services.entries().keySet()).noneMatch(k -> k.startsWith(JournalStore.KEYS + "/"));

        f.write("/crash/after", "10");
        JournalPlugin restarted = f.journal();
        restarted.catchUp();
        assertDense(11);
    }

    /**
     * An earlier version moved the head after its entries, so a crash between the two left entries
     * past the saved head: recovery probes forward past the head, and writes their rows.
     */
    @Test
    void entriesPastTheSavedHeadAreFoundByProbing() {
        for (int i = 0; i < 5; i++) {
            f.write("/h/" + i, Integer.toString(i));
        }
        JournalStore legacy = new JournalStore(f.context(null).kv());
        List<KvChange> changes = f.context(null).feed().read(0, 100);
        for (int i = 0; i < changes.size(); i++) {
            legacy.fillHoles(List.of(new JournalEntry(i + 1, changes.get(i), Optional.empty())));
        }
        f.services.delete(JournalStore.HEAD, "admin");
        assertThat(f.services.get(JournalStore.HEAD)).isEmpty();
        assertThat(f.storedEntries()).hasSize(5);

        f.write("/h/more", "1");
        JournalPlugin restarted = f.journal();
        assertThat(restarted.store().lastSeq()).isEqualTo(5); // found by probing, not from the head
        restarted.catchUp();
        assertDense(6);
    }

    /**
     * An earlier version wrote a batch's entries in parallel, so a crash could leave holes: some
     * seqs of the batch written, earlier ones not. An atomic append of that batch conflicts on the
     * seqs that exist; the restarted journal fills the holes with the same entries and goes on densely.
     */
    @Test
    void holesAnEarlierVersionLeftAmongParallelWritesAreRepaired() {
        for (int i = 0; i < 10; i++) {
            f.write("/holes/" + i, Integer.toString(i));
        }
        JournalStore legacy = new JournalStore(f.context(null).kv());
        List<KvChange> changes = f.context(null).feed().read(0, 100);
        for (int i = 0; i < changes.size(); i++) {
            if (i + 1 != 3 && i + 1 != 7) { // seqs 3 and 7 never reached the store; the head was never saved: the crash
                legacy.fillHoles(List.of(new JournalEntry(i + 1, changes.get(i), Optional.empty())));
            }
        }
        f.services.delete(JournalStore.HEAD, "admin");
        assertThat(f.storedEntries()).as("written around the holes").hasSize(8);

        f.write("/holes/after", "10");
        JournalPlugin restarted = f.journal();
        assertThat(restarted.store().lastSeq()).isEqualTo(2);
        restarted.catchUp();
        assertDense(11);
        assertThat(f.storedEntries().get(2).get("key").asText()).isEqualTo("/holes/2");
        assertThat(f.storedEntries().get(6).get("key").asText()).isEqualTo("/holes/6");
        assertThat(f.services.entries().keySet().stream().filter(k -> k.startsWith(JournalStore.KEYS + "/"))).hasSize(11);
    }

    /**
     * An appender whose head is stale (the old instance during a reload) is refused whole by the
     * head's compare-and-set even where its first seq is free again (compacted away), so it never
     * writes entries back below the base nor numbers changes twice; it recovers and goes on.
     */
    @Test
    void aStaleAppenderIsRefusedWholeByTheHeadItLastSaw() {
        for (int i = 0; i < 5; i++) {
            f.write("/stale/" + i, Integer.toString(i));
        }
        JournalStore current = new JournalStore(f.context(null).kv());
        current.recover();
        JournalStore stale = new JournalStore(f.context(null).kv());
        stale.recover();
        new Catchup(f.context(null).feed(), current, null, JournalConfig.DEFAULT_LINGER_MS, LoggerFactory.getLogger("test"), null).drain(10);
        assertThat(current.compactThrough(5, 100).compacted()).isEqualTo(5);
        assertThat(f.storedEntries()).isEmpty();
        for (int i = 5; i < 8; i++) {
            f.write("/stale/" + i, Integer.toString(i));
        }

        Catchup staleCatchup = new Catchup(f.context(null).feed(), stale, null, JournalConfig.DEFAULT_LINGER_MS, LoggerFactory.getLogger("test"), null);
        assertThat(staleCatchup.step()).isPositive(); // its seqs 1.. conflict on the head: nothing written, head recovered
        assertThat(f.storedEntries()).isEmpty();
        assertThat(stale.lastSeq()).isEqualTo(5);
        staleCatchup.drain(10);
        assertThat(f.storedEntries()).extracting(e -> e.get("seq").asLong()).containsExactly(6L, 7L, 8L);
        assertThat(f.storedEntries()).extracting(e -> e.get("key").asText()).containsExactly("/stale/5", "/stale/6", "/stale/7");
    }

    /** Two instances (old and new during a reload) consuming at once never duplicate a seq. */
    @Test
    void concurrentInstancesDoNotDuplicate() throws Exception {
        JournalPlugin a = f.journal();
        JournalPlugin b = f.journal();
        for (int i = 0; i < 300; i++) {
            f.write("/p/" + i, Integer.toString(i));
        }
        Thread ta = new Thread(a::catchUp);
        Thread tb = new Thread(b::catchUp);
        ta.start();
        tb.start();
        ta.join();
        tb.join();
        a.catchUp();
        b.catchUp();
        assertDense(300);
    }

    @Test
    void backgroundThreadCatchesUpAndStopsPromptly() throws Exception {
        JournalPlugin j = f.journal(null, true);
        f.write("/bg/1", "1");
        f.write("/bg/2", "2");
        long deadline = System.currentTimeMillis() + 5_000;
        while (j.store().lastSeq() < 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(j.store().lastSeq()).isEqualTo(2);
        assertThat(JournalFixture.call(j, "journal.status", "{}").get("running").asBoolean()).isTrue();
        long t0 = System.nanoTime();
        j.stop();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1_000);
        assertThat(j.catchup().isRunning()).isFalse();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("pando-journal-catchup") && t.isAlive());
    }

    @Test
    void badConfigFailsStart() {
        TestHost.assertRefused(() -> f.journal("{\"retention\":{\"maxEntrys\":1}}", false), ErrorCode.BAD_REQUEST, "maxEntrys", "unknown");
        TestHost.assertRefused(() -> f.journal("{\"retention\":{\"maxAgeMs\":0}}", false), ErrorCode.BAD_REQUEST, "maxAgeMs", ">= 1");
        TestHost.assertRefused(() -> f.journal("{\"hmac\":{\"key\":\"hex:00ff\"}}", false), ErrorCode.BAD_REQUEST, "at least 16");
        TestHost.assertRefused(() -> f.journal("{\"hmac\":{}}", false), ErrorCode.BAD_REQUEST, "hmac.key", "required");
        TestHost.assertRefused(() -> f.journal("{\"other\":1}", false), ErrorCode.BAD_REQUEST, "config.other");
    }

    private void assertDense(int n) {
        List<JsonNode> stored = f.storedEntries();
        assertThat(stored).hasSize(n);
        Set<Long> revisions = new HashSet<>();
        long prev = 0;
        for (int i = 0; i < n; i++) {
            JsonNode e = stored.get(i);
            assertThat(e.get("seq").asLong()).isEqualTo(i + 1);
            assertThat(e.get("revision").asLong()).isGreaterThan(prev);
            prev = e.get("revision").asLong();
            assertThat(revisions.add(prev)).isTrue();
            assertThat(e.get("key").asText()).doesNotStartWith("/_plugins/journal");
        }
    }

    private static class ForwardingKv implements PluginKv {
        private final PluginKv d;

        ForwardingKv(PluginKv d) {
            this.d = d;
        }

        @Override
        public Optional<KvEntry> get(String key) {
            return d.get(key);
        }

        @Override
        public KvEntry set(String key, JsonNode value) {
            return d.set(key, value);
        }

        @Override
        public KvEntry set(String key, JsonNode value, long ifRevision) {
            return d.set(key, value, ifRevision);
        }

        @Override
        public boolean delete(String key) {
            return d.delete(key);
        }

        @Override
        public List<KvChange> apply(List<KvWrite> writes) {
            return d.apply(writes);
        }

        @Override
        public List<KvChange> applyUnpublished(List<KvWrite> writes) {
            return d.applyUnpublished(writes);
        }

        @Override
        public KvPage scan(String prefixOrPattern, String after, int limit) {
            return d.scan(prefixOrPattern, after, limit);
        }
    }

}
