package dev.pando.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoConnectionException;
import dev.pando.testkit.ChildNode;
import dev.pando.testkit.Eventually;
import dev.pando.testkit.TestScale;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's promise under {@code kill -9}: a child node takes continuous writes and is
 * killed with SIGKILL at a random moment, again and again; after every restart the journal,
 * once caught up, holds every acknowledged write exactly once, in revision order, with dense
 * sequence numbers. Writes in flight at the kill may or may not have committed; if they did,
 * they are journaled too (they are changes like any other), but never twice.
 */
class JournalCrashIT {
    private static final int CYCLES = TestScale.scaled(30);
    private static final int KEYS = 64;
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** revision → the write acknowledged at it; filled by the writer threads across all cycles. */
    private final ConcurrentSkipListMap<Long, String> acknowledged = new ConcurrentSkipListMap<>();

    @Test
    void journalHasEveryAcknowledgedWriteOnceAfterEachKill() throws Exception {
        Random random = new Random(42);
        long i = 0;
        try (ChildNode node = new ChildNode(dir.resolve("node"), Map.of("plugins.builtins", "journal", "limits.rate-per-second", "0"))) {
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                node.start();
                verify(node, cycle); // what the previous kill left, once the journal has caught up
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    long start = i + w * 1_000_000L;
                    Thread t = new Thread(() -> write(node, start, stop), "crash-writer-" + w);
                    t.start();
                    writers.add(t);
                }
                Thread.sleep(100 + random.nextInt(500));
                node.kill(); // mid-write, mid-journal, mid-cursor-commit: wherever it happens to be
                stop.set(true);
                for (Thread t : writers) {
                    t.join(30_000);
                }
                i += 10_000_000L;
            }
            node.start();
            verify(node, CYCLES);
        }
        assertThat(acknowledged).as("the writers got writes acknowledged").hasSizeGreaterThan(CYCLES);
    }

    /** Writes until the node dies or {@code stop}; records each acknowledged write. */
    private void write(ChildNode node, long start, AtomicBoolean stop) {
        try (PandoClient client = node.adminClient()) {
            for (long n = start; !stop.get(); n++) {
                String key = "/crash/k" + (n % KEYS);
                ObjectNode value = Json.obj().put("n", n);
                long revision = client.set(key, value).path("revision").asLong();
                acknowledged.put(revision, key + "=" + value);
            }
        } catch (PandoConnectionException e) {
            // the kill: this write's fate is unknown, and that is allowed
        }
    }

    private void verify(ChildNode node, int cycle) {
        try (PandoClient admin = node.adminClient()) {
            long lastAcked = acknowledged.isEmpty() ? 0 : acknowledged.lastKey();
            Eventually.eventually("journal caught up to revision " + lastAcked + " after kill " + cycle, CATCH_UP, () -> {
                JsonNode status = admin.call("journal.status", Json.obj());
                return status.path("lastRevision").asLong() >= lastAcked ? status : null;
            });
            TreeMap<Long, String> journaled = new TreeMap<>();
            long expectedSeq = 0;
            String after = null;
            do {
                ObjectNode args = Json.obj().put("limit", 1000);
                if (after != null) {
                    args.put("after", after);
                }
                JsonNode page = admin.call("journal.query", args);
                for (JsonNode e : page.path("entries")) {
                    long seq = e.path("seq").asLong();
                    long revision = e.path("revision").asLong();
                    assertThat(seq).as("seq after kill %d: dense, no gap, no duplicate", cycle).isEqualTo(expectedSeq + 1);
                    expectedSeq = seq;
                    assertThat(journaled.isEmpty() || revision > journaled.lastKey())
                            .as("revision %d after %s, kill %d", revision, journaled.isEmpty() ? "-" : journaled.lastKey(), cycle).isTrue();
                    assertThat(e.path("key").asText()).doesNotStartWith("/_plugins/journal");
                    journaled.put(revision, e.path("key").asText() + "=" + e.path("value"));
                }
                after = page.path("next").isNull() || page.path("next").isMissingNode() ? null : page.path("next").asText();
            } while (after != null);
            for (Map.Entry<Long, String> ack : acknowledged.entrySet()) {
                assertThat(journaled.get(ack.getKey())).as("acknowledged write at revision %d after kill %d", ack.getKey(), cycle)
                        .isEqualTo(ack.getValue());
            }
            // A key's history comes from the key index, which the kills must leave whole too.
            String key = "/crash/k" + (cycle % KEYS);
            List<Long> expected = journaled.entrySet().stream().filter(e -> e.getValue().startsWith(key + "=")).map(Map.Entry::getKey).toList();
            assertThat(keyHistory(admin, key)).as("history of %s from the key index after kill %d", key, cycle).isEqualTo(expected);
        }
    }

    private static List<Long> keyHistory(PandoClient admin, String key) {
        List<Long> revisions = new ArrayList<>();
        String after = null;
        do {
            ObjectNode args = Json.obj().put("pattern", key).put("limit", 1000);
            if (after != null) {
                args.put("after", after);
            }
            JsonNode page = admin.call("journal.query", args);
            page.path("entries").forEach(e -> revisions.add(e.path("revision").asLong()));
            after = page.path("next").isNull() || page.path("next").isMissingNode() ? null : page.path("next").asText();
        } while (after != null);
        return revisions;
    }
}
