package dev.pando.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MetricsTest {
    /** One sample line of the text exposition format: name, optional {labels}, value. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)\\})? (\\S+)");

    private final Metrics m = new Metrics();

    private static List<String> lines(String text) {
        assertThat(text).endsWith("\n");
        return List.of(text.split("\n"));
    }

    /** Checks every line is a comment or a well-formed sample; returns sample line → value. */
    private static Map<String, String> samples(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : lines(text)) {
            if (line.startsWith("#")) {
                assertThat(line).matches("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");
                continue;
            }
            Matcher mt = SAMPLE.matcher(line);
            assertThat(mt.matches()).as("well-formed sample: %s", line).isTrue();
            Double.parseDouble(mt.group(3).replace("+Inf", "Infinity"));
            out.put(line.substring(0, line.lastIndexOf(' ')), mt.group(3));
        }
        return out;
    }

    @Test
    void counterWithHelpTypeAndLabels() {
        m.inc("pando_requests_total", "Requests by op and outcome", "op", "kv.set", "outcome", "ok");
        m.inc("pando_requests_total", "Requests by op and outcome", "op", "kv.set", "outcome", "ok");
        m.add("pando_requests_total", "Requests by op and outcome", 5, "op", "kv.get", "outcome", "ok");
        m.inc("pando_plain_total", "No labels");

        assertThat(m.render()).isEqualTo("""
                # HELP pando_plain_total No labels
                # TYPE pando_plain_total counter
                pando_plain_total 1
                # HELP pando_requests_total Requests by op and outcome
                # TYPE pando_requests_total counter
                pando_requests_total{op="kv.get",outcome="ok"} 5
                pando_requests_total{op="kv.set",outcome="ok"} 2
                """);
        assertThat(m.counter("pando_requests_total", "op", "kv.set", "outcome", "ok")).isEqualTo(2);
        assertThat(m.counter("pando_requests_total", "op", "kv.get", "outcome", "ok")).isEqualTo(5);
        assertThat(m.counter("pando_requests_total", "op", "kv.del", "outcome", "ok")).isZero();
        assertThat(m.counter("pando_absent_total")).isZero();
        assertThat(m.counter("pando_plain_total")).isEqualTo(1);
    }

    @Test
    void emptyRegistryRendersNothing() {
        assertThat(m.render()).isEmpty();
    }

    @Test
    void labelValuesAreEscaped() {
        m.inc("x_total", "h", "path", "a\"b\\c\nd");
        String text = m.render();
        assertThat(text).contains("x_total{path=\"a\\\"b\\\\c\\nd\"} 1\n");
        assertThat(lines(text)).hasSize(3);
        samples(text);
        // escaping is consistent between recording and reading back
        assertThat(m.counter("x_total", "path", "a\"b\\c\nd")).isEqualTo(1);
    }

    @Test
    void helpTextIsEscaped() {
        m.inc("y_total", "first line\nsecond \\ line");
        String text = m.render();
        assertThat(text).startsWith("# HELP y_total first line\\nsecond \\\\ line\n# TYPE y_total counter\n");
        assertThat(lines(text)).hasSize(3);
    }

    @Test
    void histogramBucketsAreCumulativeAndCountEqualsObservations() {
        long[] nanos = {
            50_000L,          // 0.00005 s  -> le 0.0001
            100_000L,         // exactly 0.0001 -> le 0.0001 (upper bounds are inclusive)
            100_001L,         // just over -> le 0.00025
            1_000_000L,       // exactly 1 ms
            3_000_000L,       // 3 ms -> le 0.005
            700_000_000L,     // 0.7 s -> le 1
            20_000_000_000L,  // 20 s -> only +Inf
        };
        for (long n : nanos) {
            m.observeNanos("lat_seconds", "Latency", n, "op", "kv.get");
        }
        m.observeNanos("lat_seconds", "Latency", 1_000L, "op", "kv.set");

        String text = m.render();
        Map<String, String> s = samples(text);
        assertThat(text).containsOnlyOnce("# HELP lat_seconds Latency\n").containsOnlyOnce("# TYPE lat_seconds histogram\n");

        List<Double> bounds = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        Pattern bucket = Pattern.compile("lat_seconds_bucket\\{op=\"kv.get\",le=\"([^\"]+)\"}");
        for (Map.Entry<String, String> e : s.entrySet()) {
            Matcher mt = bucket.matcher(e.getKey());
            if (mt.matches()) {
                bounds.add(mt.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(mt.group(1)));
                counts.add(Long.parseLong(e.getValue()));
            }
        }
        assertThat(bounds).hasSize(Metrics.BUCKETS.length + 1).isSorted();
        assertThat(bounds.get(bounds.size() - 1)).isInfinite();
        assertThat(counts).isSorted(); // cumulative
        for (int i = 0; i < bounds.size(); i++) {
            double le = bounds.get(i);
            long expected = java.util.Arrays.stream(nanos).filter(n -> n / 1e9 <= le).count();
            assertThat(counts.get(i)).as("le=%s", le).isEqualTo(expected);
        }
        assertThat(s.get("lat_seconds_count{op=\"kv.get\"}")).isEqualTo(String.valueOf(nanos.length));
        assertThat(counts.get(counts.size() - 1)).isEqualTo(nanos.length);
        assertThat(Double.parseDouble(s.get("lat_seconds_sum{op=\"kv.get\"}")))
                .isCloseTo(java.util.Arrays.stream(nanos).sum() / 1e9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(s.get("lat_seconds_count{op=\"kv.set\"}")).isEqualTo("1");
        assertThat(s.get("lat_seconds_bucket{op=\"kv.set\",le=\"+Inf\"}")).isEqualTo("1");
    }

    @Test
    void histogramWithoutLabels() {
        m.observeNanos("h_seconds", "h", 2_000_000);
        Map<String, String> s = samples(m.render());
        assertThat(s).containsEntry("h_seconds_bucket{le=\"+Inf\"}", "1").containsEntry("h_seconds_count", "1");
        assertThat(s.keySet()).anyMatch(k -> k.startsWith("h_seconds_sum"));
    }

    @Test
    void gaugesAreReadAtScrapeTime() {
        AtomicLong subscribers = new AtomicLong(3);
        m.gauge("pando_subscribers", "Live subscriptions", subscribers::get);
        assertThat(m.render()).contains("# TYPE pando_subscribers gauge\n").contains("pando_subscribers 3\n");
        subscribers.set(-2);
        assertThat(m.render()).contains("pando_subscribers -2\n");
        m.gauge("pando_subscribers", "Live subscriptions", () -> 42);
        assertThat(m.render()).contains("pando_subscribers 42\n").doesNotContain("pando_subscribers -2");
        m.gauge("pando_peers", "Peers", () -> 1, "state", "up");
        m.gauge("pando_peers", "Peers", () -> 2, "state", "down");
        assertThat(m.render()).contains("pando_peers{state=\"down\"} 2\n").contains("pando_peers{state=\"up\"} 1\n");
    }

    @Test
    void oneFamilyHasOneType() {
        m.inc("z", "h");
        assertThatThrownBy(() -> m.observeNanos("z", "h", 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("counter");
        assertThatThrownBy(() -> m.gauge("z", "h", () -> 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.inc("w", "h", "only-a-name")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pairs");
    }

    @Test
    void familiesAreSortedAndHeadersAppearOncePerFamily() {
        for (int i = 0; i < 20; i++) {
            m.inc("b_total", "b", "i", Integer.toString(i));
            m.inc("a_total", "a", "i", Integer.toString(i));
        }
        String text = m.render();
        assertThat(text.indexOf("# HELP a_total")).isLessThan(text.indexOf("# HELP b_total"));
        assertThat(text).containsOnlyOnce("# HELP a_total").containsOnlyOnce("# TYPE b_total");
        assertThat(samples(text)).hasSize(40);
    }

    @Test
    void concurrentUpdatesAreNotLost() throws InterruptedException {
        int threads = 8;
        int perThread = 20_000;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    m.inc("c_total", "c", "k", "v" + (i % 4));
                    m.observeNanos("d_seconds", "d", i * 1000L + id, "k", "v");
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        long total = 0;
        for (int k = 0; k < 4; k++) {
            total += m.counter("c_total", "k", "v" + k);
        }
        assertThat(total).isEqualTo((long) threads * perThread);
        Map<String, String> s = samples(m.render());
        assertThat(s.get("d_seconds_count{k=\"v\"}")).isEqualTo(String.valueOf(threads * perThread));
        assertThat(s.get("d_seconds_bucket{k=\"v\",le=\"+Inf\"}")).isEqualTo(String.valueOf(threads * perThread));
    }
}
