package dev.pando.it.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a subscriber on the receiving leaf saw of one run of writes: for each write index, when it
 * arrived and how long after it was sent ({@code System.nanoTime} in the same JVM, so the clocks
 * agree). Fed on the WebSocket's reader thread only; read after the run.
 */
final class Arrivals {
    private final String prefix;
    private final long[] latencyNanos;
    private final long[] arrivedAt;
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();

    /** Records changes of keys {@code prefix<i>} with {@code i < capacity} whose value holds the send time {@code t}. */
    Arrivals(String prefix, int capacity) {
        this.prefix = prefix;
        this.latencyNanos = new long[capacity];
        this.arrivedAt = new long[capacity];
    }

    /** A pushed frame: {@code {type: "change", sub, change: {key, value: {t, i}, ...}}}. */
    void onPush(JsonNode frame) {
        long now = System.nanoTime();
        JsonNode change = frame.path("change");
        if (!change.path("key").asText().startsWith(prefix)) {
            return;
        }
        int i = change.path("value").path("i").asInt(-1);
        if (i < 0 || i >= arrivedAt.length) {
            return;
        }
        if (arrivedAt[i] != 0) {
            duplicates.incrementAndGet();
            return;
        }
        latencyNanos[i] = Math.max(1, now - change.path("value").path("t").asLong());
        arrivedAt[i] = now;
        count.incrementAndGet();
    }

    int count() {
        return count.get();
    }

    int duplicates() {
        return duplicates.get();
    }

    /** Arrivals between the two instants (System.nanoTime). */
    int arrivedBetween(long fromNanos, long toNanos) {
        int n = 0;
        for (int i = 0; i < arrivedAt.length; i++) {
            if (arrivedAt[i] != 0 && arrivedAt[i] >= fromNanos && arrivedAt[i] < toNanos) {
                n++;
            }
        }
        return n;
    }

    /** The last arrival (System.nanoTime), 0 if none. */
    long lastArrival() {
        return Arrays.stream(arrivedAt).max().orElse(0);
    }

    /** Nearest-rank percentiles of arrival minus send time over writes {@code 0..sent-1} that arrived, in milliseconds. */
    ObjectNode percentiles(int sent) {
        long[] sorted = Arrays.stream(latencyNanos, 0, Math.min(sent, latencyNanos.length)).filter(l -> l > 0).sorted().toArray();
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("samples", sorted.length);
        o.put("p50Ms", ms(rank(sorted, 50)));
        o.put("p90Ms", ms(rank(sorted, 90)));
        o.put("p99Ms", ms(rank(sorted, 99)));
        o.put("p999Ms", ms(rank(sorted, 99.9)));
        o.put("maxMs", ms(sorted.length == 0 ? 0 : sorted[sorted.length - 1]));
        return o;
    }

    private static long rank(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    static double ms(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
