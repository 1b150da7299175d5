package dev.pando.builtin.journal;

import static dev.pando.builtin.journal.JournalFixture.call;
import static dev.pando.builtin.journal.JournalFixture.seqs;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.pando.api.plugin.KvEntry;
import dev.pando.host.HostServices;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One key's history comes from the key index: in one call however long the journal, in seq
 * order, consistent with compaction. The journal is longer than {@link JournalPlugin#MAX_EXAMINED},
 * so a seq-ordered scan could not answer any of these in one call.
 */
class JournalKeyIndexTest {
    static final int WRITES = 12_000;
    private final JournalFixture f = new JournalFixture();
    private JournalPlugin j;
    /** Seqs of /rare and /hot, and their revisions, as journaled. */
    private final List<Long> rare = new ArrayList<>();
    private final List<Long> hot = new ArrayList<>();
    private final List<Long> hotRevisions = new ArrayList<>();

    @BeforeEach
    void setUp() {
        j = f.journal();
        for (int seq = 1; seq <= WRITES; seq++) {
            if (seq == 1 || seq == WRITES / 2 || seq == WRITES) {
                f.write("/rare", Integer.toString(seq));
                rare.add((long) seq);
            } else if (seq % 7 == 0) {
                hotRevisions.add(f.write("/hot", Integer.toString(seq)));
                hot.add((long) seq);
            } else {
                f.write("/other/" + (seq % 1000), Integer.toString(seq));
            }
        }
        j.catchUp();
        assertThat(j.store().lastSeq()).isEqualTo(WRITES);
    }

    @AfterEach
    void tearDown() {
        f.stopAll();
    }

    @Test
    void aRareKeysWholeHistoryInOneCall() {
        JsonNode r = call(j, "journal.query", "{\"pattern\":\"/rare\"}");
        assertThat(seqs(r)).isEqualTo(rare);
        assertThat(r.get("next").isNull()).isTrue();
        r.get("entries").forEach(e -> assertThat(e.get("key").asText()).isEqualTo("/rare"));
        // A seq-ordered scan stops after MAX_EXAMINED and answers with a 'next' instead.
        assertThat(WRITES).isGreaterThan(JournalPlugin.MAX_EXAMINED);
    }

    @Test
    void aBusyKeyPagesInOrderWithRevisionBounds() {
        List<Long> all = new ArrayList<>();
        String after = null;
        int calls = 0;
        do {
            JsonNode r = call(j, "journal.query", "{\"pattern\":\"/hot\",\"limit\":1000" + (after == null ? "" : ",\"after\":\"" + after + "\"") + "}");
            all.addAll(seqs(r));
            after = r.get("next").isNull() ? null : r.get("next").asText();
            calls++;
        } while (after != null);
        assertThat(all).isEqualTo(hot);
        assertThat(calls).isEqualTo((hot.size() + 999) / 1000);

        long from = hotRevisions.get(100);
        long to = hotRevisions.get(104);
        JsonNode r = call(j, "journal.query", "{\"pattern\":\"/hot\",\"fromRevision\":" + from + ",\"toRevision\":" + to + "}");
        assertThat(seqs(r)).isEqualTo(hot.subList(100, 105));
    }

    @Test
    void latestOfOneKeyIsNewestFirstFromAnywhereInTheJournal() {
        assertThat(seqs(call(j, "journal.latest", "{\"pattern\":\"/rare\",\"limit\":10}"))).containsExactly(rare.get(2), rare.get(1), rare.get(0));
        assertThat(seqs(call(j, "journal.latest", "{\"pattern\":\"/rare\",\"limit\":2}"))).containsExactly(rare.get(2), rare.get(1));
        List<Long> newestHot = new ArrayList<>(hot.subList(hot.size() - 5, hot.size()));
        Collections.reverse(newestHot);
        assertThat(seqs(call(j, "journal.latest", "{\"pattern\":\"/hot\",\"limit\":5}"))).isEqualTo(newestHot);
        assertThat(seqs(call(j, "journal.latest", "{\"pattern\":\"/never\"}"))).isEmpty();
    }

    @Test
    void sinceOnOneKeySkipsToTheEnd() {
        JsonNode r = call(j, "journal.since", "{\"seq\":2,\"pattern\":\"/rare\"}");
        assertThat(seqs(r)).containsExactly(rare.get(1), rare.get(2));
        assertThat(r.get("next").asLong()).isEqualTo(WRITES);
        assertThat(r.get("caughtUp").asBoolean()).isTrue();
    }

    @Test
    void compactionRemovesIndexRowsWithTheirEntries() {
        JsonNode c = call(j, "journal.compact", "{\"keepLast\":1000}");
        assertThat(c.get("compacted").asLong()).isEqualTo(WRITES - 1000);
        assertIndexMatchesEntries();
        assertThat(seqs(call(j, "journal.query", "{\"pattern\":\"/rare\"}"))).containsExactly(rare.get(2));
    }

    @Test
    void aRowWhoseEntryIsMissingIsSkippedAndMadeWholeByTheCatchup() {
        // What a crash between the row and the entry leaves: the row of the next seq, no entry.
        long next = WRITES + 1;
        f.services.set(JournalStore.indexKey("/rare", next), LongNode.valueOf(0), HostServices.NO_CAS, "plugin:journal");
        assertThat(seqs(call(j, "journal.query", "{\"pattern\":\"/rare\"}"))).isEqualTo(rare);
        f.write("/rare", "\"again\"");
        j.catchUp();
        List<Long> expected = new ArrayList<>(rare);
        expected.add(next);
        assertThat(seqs(call(j, "journal.query", "{\"pattern\":\"/rare\"}"))).isEqualTo(expected);
        assertIndexMatchesEntries();
    }

    @Test
    void recoveryWritesTheRowsOfEntriesItFindsPastTheHead() {
        // What a crash after the last entries but before their rows and the head leaves.
        for (long seq = WRITES - 2; seq <= WRITES; seq++) {
            JournalEntry e = j.store().entry(seq).orElseThrow();
            f.services.delete(JournalStore.indexKey(e.key(), seq), "plugin:journal");
        }
        f.services.set(JournalStore.HEAD, JsonNodeFactory.instance.objectNode()
                .put("seq", WRITES - 3).put("revision", j.store().entry(WRITES - 3).orElseThrow().revision()), HostServices.NO_CAS, "plugin:journal");
        j.stop();
        JournalPlugin restarted = f.journal();
        assertThat(restarted.store().lastSeq()).isEqualTo(WRITES);
        assertIndexMatchesEntries();
        assertThat(seqs(call(restarted, "journal.query", "{\"pattern\":\"/rare\"}"))).isEqualTo(rare);
    }

    /** Every held entry has exactly its index row, and no row is left without an entry. */
    private void assertIndexMatchesEntries() {
        TreeSet<String> expectedRows = new TreeSet<>();
        TreeSet<String> rows = new TreeSet<>();
        for (Map.Entry<String, KvEntry> e : f.services.entries().entrySet()) {
            if (e.getKey().startsWith(JournalStore.ENTRIES + "/")) {
                JournalEntry entry = JournalEntry.fromJson(e.getValue().value(), e.getKey());
                expectedRows.add(JournalStore.indexKey(entry.key(), entry.seq()));
            } else if (e.getKey().startsWith(JournalStore.KEYS + "/")) {
                rows.add(e.getKey());
            }
        }
        assertThat(rows).isEqualTo(expectedRows);
    }
}
