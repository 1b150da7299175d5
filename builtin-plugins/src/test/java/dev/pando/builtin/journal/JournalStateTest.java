package dev.pando.builtin.journal;

import static dev.pando.builtin.journal.JournalFixture.call;
import static dev.pando.host.testing.TestHost.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.host.HostServices;
import dev.pando.host.testing.TestHost;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JournalStateTest {
    private final JournalFixture f = new JournalFixture();

    @AfterEach
    void tearDown() {
        f.stopAll();
    }

    /** Random sets and deletes over a few keys; returns the state after each revision. */
    private TreeMap<Long, Map<String, JsonNode>> churn(int n, JournalPlugin j) {
        Random random = new Random(42);
        TreeMap<Long, Map<String, JsonNode>> history = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String key = "/d/" + random.nextInt(8) + (random.nextBoolean() ? "/x" : "");
            if (random.nextInt(4) == 0 && f.services.get(key).isPresent()) {
                f.delete(key);
            } else {
                f.write(key, "{\"i\":" + i + "}");
            }
            history.put(f.context(null).feed().lastRevision(), f.userState());
            if (i % 7 == 0) {
                j.catchUp();
            }
        }
        j.catchUp();
        return history;
    }

    private Map<String, JsonNode> snapshot(JournalPlugin j, long revision, String pattern, int limit) {
        Map<String, JsonNode> out = new TreeMap<>();
        String after = null;
        do {
            JsonNode r = call(j, "journal.snapshot", "{\"revision\":" + revision + ",\"limit\":" + limit
                    + (pattern == null ? "" : ",\"pattern\":\"" + pattern + "\"")
                    + (after == null ? "" : ",\"after\":\"" + after + "\"") + "}");
            assertThat(r.get("revision").asLong()).isEqualTo(revision);
            r.get("entries").forEach(e -> out.put(e.get("key").asText(), e.get("value")));
            after = r.get("next").isNull() ? null : r.get("next").asText();
        } while (after != null);
        return out;
    }

    @Test
    void snapshotMatchesTheStateAtEveryRevision() {
        JournalPlugin j = f.journal();
        TreeMap<Long, Map<String, JsonNode>> history = churn(60, j);
        for (Map.Entry<Long, Map<String, JsonNode>> at : history.entrySet()) {
            assertThat(snapshot(j, at.getKey(), null, 3)).as("revision %d", at.getKey()).isEqualTo(at.getValue());
        }
        assertThat(snapshot(j, history.lastKey(), null, 1000)).isEqualTo(f.userState());
        Map<String, JsonNode> xOnly = new TreeMap<>(f.userState());
        xOnly.keySet().removeIf(k -> !k.endsWith("/x"));
        assertThat(snapshot(j, history.lastKey(), "/d/*/x", 2)).isEqualTo(xOnly);
        assertThat(snapshot(j, 0, null, 10)).isEmpty();
    }

    @Test
    void snapshotRefusesBadArgsAndTheFuture() {
        JournalPlugin j = f.journal();
        f.write("/a", "1");
        j.catchUp();
        long node = f.context(null).feed().lastRevision();
        assertRefused(() -> call(j, "journal.snapshot", "{\"revision\":" + (node + 5) + "}"), ErrorCode.UNAVAILABLE, "not journaled yet");
        assertRefused(() -> call(j, "journal.snapshot", "{}"), ErrorCode.BAD_REQUEST, "missing argument 'revision'");
        assertRefused(() -> call(j, "journal.snapshot", "{\"revision\":1,\"after\":\"no-slash\"}"), ErrorCode.BAD_REQUEST, "'after'");
        assertRefused(() -> call(j, "journal.snapshot", "{\"revision\":1,\"limit\":5000}"), ErrorCode.BAD_REQUEST, "'limit'");
    }

    @Test
    void compactionByCountKeepsSnapshotsFromTheBase() {
        JournalPlugin j = f.journal();
        TreeMap<Long, Map<String, JsonNode>> history = churn(40, j);
        long lastSeq = j.store().lastSeq();
        JsonNode c = call(j, "journal.compact", "{\"keepLast\":5}");
        assertThat(c.get("compacted").asLong()).isEqualTo(lastSeq - 5);
        assertThat(c.get("firstSeq").asLong()).isEqualTo(lastSeq - 4);
        assertThat(f.storedEntries()).hasSize(5);

        JsonNode q = call(j, "journal.query", "{}");
        assertThat(q.get("entries")).hasSize(5);
        assertThat(q.get("entries").get(0).get("seq").asLong()).isEqualTo(lastSeq - 4);
        assertThat(q.get("firstSeq").asLong()).isEqualTo(lastSeq - 4);
        assertThat(q.get("compacted").asBoolean()).isTrue();

        long base = c.get("baseRevision").asLong();
        assertThat(snapshot(j, history.lastKey(), null, 4)).isEqualTo(f.userState());
        assertThat(snapshot(j, base, null, 100)).isEqualTo(history.floorEntry(base).getValue());
        assertRefused(() -> call(j, "journal.snapshot", "{\"revision\":" + (base - 1) + "}"), ErrorCode.NOT_FOUND, "compacted", "from revision " + base);

        JsonNode since = call(j, "journal.since", "{\"seq\":1}");
        assertThat(since.get("gap").get("fromSeq").asLong()).isEqualTo(2);
        assertThat(since.get("gap").get("toSeq").asLong()).isEqualTo(lastSeq - 5);

        // compacting again is a no-op; the journal keeps going after it
        assertThat(call(j, "journal.compact", "{\"keepLast\":5}").get("compacted").asLong()).isZero();
        f.write("/after", "1");
        j.catchUp();
        assertThat(j.store().lastSeq()).isEqualTo(lastSeq + 1);
        assertThat(snapshot(j, f.context(null).feed().lastRevision(), null, 100)).isEqualTo(f.userState());
    }

    @Test
    void compactionByAge() {
        JournalPlugin j = f.journal();
        for (int i = 0; i < 6; i++) {
            f.write("/t/" + i, Integer.toString(i));
            f.clock.advance(10_000);
        }
        j.catchUp();
        // entries are 60s, 50s, ... 10s old: keep those younger than 35s
        JsonNode c = call(j, "journal.compact", "{\"maxAgeMs\":35000}");
        assertThat(c.get("compacted").asLong()).isEqualTo(3);
        assertThat(call(j, "journal.query", "{}").get("entries")).extracting(e -> e.get("key").asText()).containsExactly("/t/3", "/t/4", "/t/5");
        assertRefused(() -> call(j, "journal.compact", "{}"), ErrorCode.BAD_REQUEST, "keepLast", "no retention is configured");
        assertRefused(() -> call(j, "journal.compact", "{\"maxAgeMs\":0}"), ErrorCode.BAD_REQUEST, "'maxAgeMs'");
        assertRefused(() -> call(j, "journal.compact", "{\"keepLast\":-1}"), ErrorCode.BAD_REQUEST, "'keepLast'");
    }

    @Test
    void configuredRetentionRunsInTheBackground() throws Exception {
        for (int i = 0; i < 8; i++) {
            f.write("/r/" + i, Integer.toString(i));
        }
        JournalPlugin j = f.journal("{\"retention\":{\"maxEntries\":3}}", true);
        long deadline = System.currentTimeMillis() + 5_000;
        while ((j.store().lastSeq() < 8 || j.store().firstSeq() != 6) && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(j.store().lastSeq()).isEqualTo(8);
        assertThat(j.store().firstSeq()).isEqualTo(6);
        // the op without args applies the configured retention too
        f.write("/r/8", "8");
        j.catchUp();
        call(j, "journal.compact", "{}");
        assertThat(f.storedEntries()).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void replayWritesTheStateUnderTheTarget() {
        JournalPlugin j = f.journal();
        f.write("/site/a", "1");
        f.write("/site/b", "{\"x\":2}");
        long mid = f.write("/other/c", "3");
        f.write("/site/a", "10");
        f.delete("/site/b");
        j.catchUp();
        f.services.set("/replay/r1/stale", TestHost.json("0"), HostServices.NO_CAS, "admin");

        JsonNode r = call(j, "journal.replay", "{\"revision\":" + mid + ",\"target\":\"/replay/r1\"}");
        assertThat(r.get("written").asLong()).isEqualTo(3);
        assertThat(r.get("deleted").asLong()).isEqualTo(1);
        assertThat(f.services.get("/replay/r1/site/a").orElseThrow().value().asInt()).isEqualTo(1);
        assertThat(f.services.get("/replay/r1/site/b").orElseThrow().value().get("x").asInt()).isEqualTo(2);
        assertThat(f.services.get("/replay/r1/other/c")).isPresent();
        assertThat(f.services.get("/replay/r1/stale")).isEmpty();

        r = call(j, "journal.replay", "{\"pattern\":\"/site/**\",\"target\":\"/replay/r1\"}");
        assertThat(r.get("written").asLong()).isEqualTo(1);
        assertThat(f.services.get("/replay/r1/site/a").orElseThrow().value().asInt()).isEqualTo(10);
        assertThat(f.services.get("/replay/r1/site/b")).isEmpty();
        assertThat(f.services.get("/replay/r1/other/c")).isEmpty();

        long journaled = j.store().lastSeq();
        j.catchUp();
        assertThat(j.store().lastSeq()).as("replayed writes are the journal's own").isEqualTo(journaled);

        assertRefused(() -> call(j, "journal.replay", "{\"target\":\"/site\"}"), ErrorCode.FORBIDDEN, "replay prefixes", "/replay");
        assertRefused(() -> call(j, "journal.replay", "{\"target\":\"/_plugins/journal/x\"}"), ErrorCode.FORBIDDEN, "replay prefixes");
        assertRefused(() -> call(j, "journal.replay", "{}"), ErrorCode.BAD_REQUEST, "'target'", "required");
        assertRefused(() -> call(j, "journal.replay", "{\"target\":\"/replay/\"}"), ErrorCode.BAD_REQUEST, "'target'");
    }
}
