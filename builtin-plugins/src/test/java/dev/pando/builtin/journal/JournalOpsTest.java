package dev.pando.builtin.journal;

import static dev.pando.builtin.journal.JournalFixture.call;
import static dev.pando.builtin.journal.JournalFixture.seqs;
import static dev.pando.host.testing.TestHost.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.Scope;
import dev.pando.api.plugin.Caller;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JournalOpsTest {
    private final JournalFixture f = new JournalFixture();
    private JournalPlugin j;
    private final List<Long> revs = new ArrayList<>();

    @BeforeEach
    void setUp() {
        j = f.journal();
        // 10 changes: /s/a/0../s/a/4 then /s/b/0../s/b/4, one second apart
        for (int i = 0; i < 10; i++) {
            revs.add(f.write("/s/" + (i < 5 ? "a" : "b") + "/" + (i % 5), Integer.toString(i)));
            f.clock.advance(1_000);
        }
        j.catchUp();
    }

    @AfterEach
    void tearDown() {
        f.stopAll();
    }

    @Test
    void answersOfLargeValuesStopAtTheAnswerBudgetAndPageOn() {
        // Six values of 1 MiB: every read answer stops after about 4 MiB of entries.
        String mib = "\"" + "x".repeat(1 << 20) + "\"";
        long lastBig = 0;
        for (int i = 0; i < 6; i++) {
            lastBig = f.write("/big/" + i, mib);
        }
        j.catchUp();
        int perAnswer = JournalPlugin.MAX_ANSWER_CHARS / (1 << 20);

        JsonNode first = call(j, "journal.query", "{\"pattern\":\"/big/*\",\"limit\":100}");
        assertThat(seqs(first)).containsExactly(11L, 12L, 13L, 14L).hasSize(perAnswer);
        JsonNode rest = call(j, "journal.query", "{\"pattern\":\"/big/*\",\"limit\":100,\"after\":\"" + first.get("next").asText() + "\"}");
        assertThat(seqs(rest)).containsExactly(15L, 16L);
        assertThat(rest.get("next").isNull()).isTrue();

        JsonNode since = call(j, "journal.since", "{\"seq\":10,\"limit\":100}");
        assertThat(seqs(since)).containsExactly(11L, 12L, 13L, 14L);
        assertThat(since.get("caughtUp").asBoolean()).isFalse();
        assertThat(seqs(call(j, "journal.since", "{\"seq\":" + since.get("next").asLong() + "}"))).containsExactly(15L, 16L);

        assertThat(seqs(call(j, "journal.latest", "{\"limit\":100}"))).containsExactly(16L, 15L, 14L, 13L);
        assertThat(seqs(call(j, "journal.latest", "{\"pattern\":\"/big/5\",\"limit\":100}"))).containsExactly(16L);

        JsonNode page = call(j, "journal.snapshot", "{\"revision\":" + lastBig + ",\"pattern\":\"/big/*\",\"limit\":100}");
        assertThat(page.get("entries")).hasSize(perAnswer);
        JsonNode next = call(j, "journal.snapshot", "{\"revision\":" + lastBig + ",\"pattern\":\"/big/*\",\"limit\":100,\"after\":\""
                + page.get("next").asText() + "\"}");
        assertThat(next.get("entries")).extracting(e -> e.get("key").asText()).containsExactly("/big/4", "/big/5");
    }

    @Test
    void queryByRevisionRange() {
        JsonNode r = call(j, "journal.query", "{\"fromRevision\":" + revs.get(2) + ",\"toRevision\":" + revs.get(4) + "}");
        assertThat(seqs(r)).containsExactly(3L, 4L, 5L);
        assertThat(r.get("next").isNull()).isTrue();
        assertThat(r.get("firstSeq").asLong()).isEqualTo(1);
        assertThat(r.get("compacted").asBoolean()).isFalse();
    }

    @Test
    void queryByPatternAndTime() {
        assertThat(seqs(call(j, "journal.query", "{\"pattern\":\"/s/b/*\"}"))).containsExactly(6L, 7L, 8L, 9L, 10L);
        assertThat(seqs(call(j, "journal.query", "{\"pattern\":\"/s/a/3\"}"))).containsExactly(4L);
        long t0 = JournalFixture.call(j, "journal.query", "{}").get("entries").get(0).get("timestamp").asLong();
        JsonNode r = call(j, "journal.query", "{\"fromTime\":" + (t0 + 2_000) + ",\"toTime\":" + (t0 + 3_000) + "}");
        assertThat(seqs(r)).containsExactly(3L, 4L);
    }

    @Test
    void queryPagesWithContinuationToken() {
        List<Long> all = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            JsonNode r = call(j, "journal.query", "{\"limit\":3" + (after == null ? "" : ",\"after\":\"" + after + "\"") + "}");
            all.addAll(seqs(r));
            after = r.get("next").isNull() ? null : r.get("next").asText();
            pages++;
        } while (after != null);
        assertThat(all).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(pages).isEqualTo(4);
    }

    @Test
    void queryRefusesBadArgs() {
        assertRefused(() -> call(j, "journal.query", "{\"limit\":0}"), ErrorCode.BAD_REQUEST, "'limit'", "between 1 and 1000");
        assertRefused(() -> call(j, "journal.query", "{\"limit\":1001}"), ErrorCode.BAD_REQUEST, "'limit'");
        assertRefused(() -> call(j, "journal.query", "{\"limit\":\"5\"}"), ErrorCode.BAD_REQUEST, "'limit'", "integer");
        assertRefused(() -> call(j, "journal.query", "{\"limit\":2.5}"), ErrorCode.BAD_REQUEST, "'limit'");
        assertRefused(() -> call(j, "journal.query", "{\"fromRevision\":5,\"toRevision\":4}"), ErrorCode.BAD_REQUEST, "fromRevision", "after toRevision");
        assertRefused(() -> call(j, "journal.query", "{\"fromTime\":5,\"toTime\":4}"), ErrorCode.BAD_REQUEST, "fromTime");
        assertRefused(() -> call(j, "journal.query", "{\"fromRevision\":-1}"), ErrorCode.BAD_REQUEST, "fromRevision");
        assertRefused(() -> call(j, "journal.query", "{\"pattern\":\"s/**\"}"), ErrorCode.BAD_REQUEST, "'pattern'", "invalid pattern");
        assertRefused(() -> call(j, "journal.query", "{\"pattern\":\"/a/b*\"}"), ErrorCode.BAD_REQUEST, "'pattern'");
        assertRefused(() -> call(j, "journal.query", "{\"after\":\"abc\"}"), ErrorCode.BAD_REQUEST, "'after'", "continuation token");
        assertRefused(() -> call(j, "journal.query", "{\"revision\":1}"), ErrorCode.BAD_REQUEST, "unknown argument 'revision'");
        assertRefused(() -> call(j, "journal.query", "[1]"), ErrorCode.BAD_REQUEST, "args must be a JSON object");
        assertRefused(() -> call(j, "journal.nope", "{}"), ErrorCode.NOT_FOUND, "journal.nope");
    }

    @Test
    void latestIsNewestFirst() {
        JsonNode r = call(j, "journal.latest", "{\"limit\":3}");
        assertThat(seqs(r)).containsExactly(10L, 9L, 8L);
        assertThat(seqs(call(j, "journal.latest", "{\"pattern\":\"/s/a/**\",\"limit\":2}"))).containsExactly(5L, 4L);
        assertRefused(() -> call(j, "journal.latest", "{\"limit\":-1}"), ErrorCode.BAD_REQUEST, "'limit'");
        assertRefused(() -> call(j, "journal.latest", "{\"after\":\"1\"}"), ErrorCode.BAD_REQUEST, "unknown argument 'after'");
    }

    @Test
    void sinceTailsWithNext() {
        JsonNode r = call(j, "journal.since", "{\"seq\":7,\"limit\":2}");
        assertThat(seqs(r)).containsExactly(8L, 9L);
        assertThat(r.get("next").asLong()).isEqualTo(9);
        assertThat(r.get("caughtUp").asBoolean()).isFalse();
        r = call(j, "journal.since", "{\"seq\":9}");
        assertThat(seqs(r)).containsExactly(10L);
        assertThat(r.get("caughtUp").asBoolean()).isTrue();
        r = call(j, "journal.since", "{\"seq\":10}");
        assertThat(seqs(r)).isEmpty();
        assertThat(r.get("next").asLong()).isEqualTo(10);
        f.write("/s/new", "1");
        j.catchUp();
        assertThat(seqs(call(j, "journal.since", "{\"seq\":10}"))).containsExactly(11L);
        // a filtered tail moves past what it skipped
        r = call(j, "journal.since", "{\"seq\":0,\"pattern\":\"/s/new\"}");
        assertThat(seqs(r)).containsExactly(11L);
        assertThat(r.get("next").asLong()).isEqualTo(11);
        assertRefused(() -> call(j, "journal.since", "{}"), ErrorCode.BAD_REQUEST, "missing argument 'seq'");
        assertRefused(() -> call(j, "journal.since", "{\"seq\":\"3\"}"), ErrorCode.BAD_REQUEST, "'seq'");
    }

    @Test
    void callersOnlySeeKeysTheyMayRead() {
        Caller onlyA = new Caller() {
            @Override
            public String name() {
                return "a-reader";
            }

            @Override
            public boolean isAuthenticated() {
                return true;
            }

            @Override
            public boolean may(Access access, String key) {
                return access == Access.READ && key.startsWith("/s/a/");
            }

            @Override
            public boolean holds(Scope scope) {
                return false;
            }
        };
        assertThat(seqs(call(j, "journal.query", "{}", onlyA))).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(seqs(call(j, "journal.latest", "{}", onlyA))).containsExactly(5L, 4L, 3L, 2L, 1L);
        // The admin's snapshot is kept for the pages that follow; another caller's view of the
        // same revision is still filtered by what that caller may read.
        JsonNode all = call(j, "journal.snapshot", "{\"revision\":" + revs.get(9) + "}");
        assertThat(all.get("entries").size()).isGreaterThan(5);
        JsonNode snap = call(j, "journal.snapshot", "{\"revision\":" + revs.get(9) + "}", onlyA);
        assertThat(snap.get("entries")).extracting(e -> e.get("key").asText()).allMatch(k -> k.startsWith("/s/a/")).hasSize(5);
        JsonNode paged = call(j, "journal.snapshot", "{\"revision\":" + revs.get(9) + ",\"limit\":2}", onlyA);
        JsonNode rest = call(j, "journal.snapshot", "{\"revision\":" + revs.get(9) + ",\"limit\":10,\"after\":\"" + paged.get("next").asText() + "\"}", onlyA);
        assertThat(rest.get("entries")).extracting(e -> e.get("key").asText()).allMatch(k -> k.startsWith("/s/a/")).hasSize(3);
    }

    @Test
    void statusReportsLag() {
        f.write("/s/late", "1");
        JsonNode s = call(j, "journal.status", "{}");
        assertThat(s.get("lag").asLong()).isPositive();
        assertThat(s.get("nodeRevision").asLong()).isGreaterThan(s.get("coveredRevision").asLong());
        assertThat(s.get("running").asBoolean()).isFalse();
        j.catchUp();
        s = call(j, "journal.status", "{}");
        assertThat(s.get("lag").asLong()).isZero();
        assertThat(s.get("firstSeq").asLong()).isEqualTo(1);
        assertThat(s.get("lastSeq").asLong()).isEqualTo(11);
        assertThat(s.get("lastRevision").asLong()).isGreaterThan(revs.get(9));
        assertRefused(() -> call(j, "journal.status", "{\"x\":1}"), ErrorCode.BAD_REQUEST, "unknown argument 'x'", "takes none");
    }
}
