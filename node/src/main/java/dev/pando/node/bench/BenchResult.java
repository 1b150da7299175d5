package dev.pando.node.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The figures of one bench run, as the two-line summary or as JSON. */
public final class BenchResult {
    private final BenchConfig config;
    private final PhaseStats stats;
    private final long elapsedNanos;
    private final boolean stalled;

    BenchResult(BenchConfig config, PhaseStats stats, long elapsedNanos, boolean stalled) {
        this.config = config;
        this.stats = stats;
        this.elapsedNanos = Math.max(1, elapsedNanos);
        this.stalled = stalled;
    }

    /** Answers received in the measured phase (errors included). */
    public long requests() {
        return stats.answered;
    }

    /** Failed requests: ok:false answers (except get misses) plus requests lost with a connection. */
    public long errors() {
        return stats.errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Failed requests by error code (wire codes, plus CONNECTION_LOST, HTTP_nnn, UNMATCHED_ANSWER). */
    public Map<String, Long> errorsByCode() {
        return Map.copyOf(stats.errors);
    }

    /** kv.get answers with NOT_FOUND (the key was never set): reported, not counted as errors. */
    public long misses() {
        return stats.misses;
    }

    public double throughput() {
        return stats.answered / (elapsedNanos / 1e9);
    }

    public long elapsedNanos() {
        return elapsedNanos;
    }

    /** True if the run was cut short because no answer came for {@link BenchConfig#stallAfter()}. */
    public boolean stalled() {
        return stalled;
    }

    public LatencyHistogram latency() {
        return stats.latency;
    }

    /** The human summary, two lines (more when there are errors or a stall). */
    public String toText() {
        LatencyHistogram h = stats.latency;
        StringBuilder sb = new StringBuilder();
        sb.append("transport=").append(config.transport()).append(" connections=").append(config.connections())
                .append(" pipeline=").append(config.effectivePipeline()).append(" mix=").append(config.mix().label())
                .append(" value=").append(config.valueSize()).append("B requests=").append(requests())
                .append(" errors=").append(errors());
        if (config.mix().getPercent() > 0) {
            sb.append(" misses=").append(misses());
        }
        sb.append('\n').append(String.format(Locale.ROOT, "throughput: %.0f ops/s   latency p50=%sms p99=%sms p999=%sms max=%sms",
                throughput(), ms(h.valueAtPercentile(50)), ms(h.valueAtPercentile(99)), ms(h.valueAtPercentile(99.9)), ms(h.max())));
        if (errors() > 0) {
            sb.append("\nerrors by code: ").append(stats.errors.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
        }
        if (stalled) {
            sb.append("\nstalled: no answer for ").append(config.stallAfter().toSeconds()).append(" s, connections dropped");
        }
        return sb.toString();
    }

    /** The same figures as JSON (latencies in milliseconds). */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode n = f.objectNode();
        n.put("transport", config.transport().name()).put("connections", config.connections())
                .put("pipeline", config.effectivePipeline());
        n.putObject("mix").put("set", config.mix().setPercent()).put("get", config.mix().getPercent());
        n.put("valueSize", config.valueSize()).put("keyspace", config.keyspace())
                .put("requests", requests()).put("errors", errors());
        ObjectNode byCode = n.putObject("errorsByCode");
        stats.errors.forEach(byCode::put);
        n.put("misses", misses())
                .put("durationMs", Math.round(elapsedNanos / 1e6))
                .put("throughput", Math.round(throughput()));
        n.set("latencyMs", latencyJson(stats.latency));
        n.put("stalled", stalled);
        return n;
    }

    /**
     * A histogram's figures in milliseconds to the microsecond: min, mean, p50, p90, p95, p99,
     * p999, max (redis-benchmark's {@code --csv} gives p50, p95 and p99, so each has its match).
     */
    static ObjectNode latencyJson(LatencyHistogram h) {
        return JsonNodeFactory.instance.objectNode()
                .put("min", msValue(h.min())).put("mean", msValue(Math.round(h.mean())))
                .put("p50", msValue(h.valueAtPercentile(50))).put("p90", msValue(h.valueAtPercentile(90)))
                .put("p95", msValue(h.valueAtPercentile(95)))
                .put("p99", msValue(h.valueAtPercentile(99))).put("p999", msValue(h.valueAtPercentile(99.9)))
                .put("max", msValue(h.max()));
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    private static double msValue(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }
}
