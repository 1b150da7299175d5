package dev.pando.node.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The figures of one fan-out run, as a short text summary or as JSON (latencies in milliseconds). */
public final class FanoutResult {
    private final FanoutConfig config;
    private final WriteStats writes;
    private final DeliveryStats deliveries;
    private final long measuredNanos;

    /** @param measuredNanos from the end of the warm-up to the last measured delivery */
    FanoutResult(FanoutConfig config, WriteStats writes, DeliveryStats deliveries, long measuredNanos) {
        this.config = config;
        this.writes = writes;
        this.deliveries = deliveries;
        this.measuredNanos = Math.max(1, measuredNanos);
    }

    /** Deliveries owed: every acknowledged write (warm-up included) to every subscriber. */
    public long expected() {
        return (writes.acked + writes.ackedWarmup) * config.subscribers();
    }

    public long received() {
        return deliveries.warmupDeliveries + deliveries.measuredDeliveries;
    }

    /** Expected minus received: deliveries that never came (negative if some came twice). */
    public long lost() {
        return expected() - received();
    }

    /** Writes acknowledged in the measured phase. */
    public long acked() {
        return writes.acked;
    }

    public long slowConsumers() {
        return deliveries.slowConsumers;
    }

    /** Subscriber sessions the node closed during the run. */
    public long disconnects() {
        return deliveries.disconnects;
    }

    /** Failed writes and unexpected frames, by code ({@code UNANSWERED}, {@code CONNECTION_LOST}, wire codes...). */
    public Map<String, Long> errorsByCode() {
        Map<String, Long> all = new TreeMap<>(writes.errors);
        deliveries.errors.forEach((k, v) -> all.merge(k, v, Long::sum));
        if (writes.behind > 0) {
            all.merge("BEHIND", writes.behind, Long::sum);
        }
        return all;
    }

    public long errors() {
        return errorsByCode().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Send-to-arrival latency of every measured delivery. */
    public LatencyHistogram latency() {
        return deliveries.latency;
    }

    /** Measured deliveries per second, from the end of the warm-up to the last of them. */
    public double deliveriesPerSecond() {
        return deliveries.measuredDeliveries / (measuredNanos / 1e9);
    }

    /** True when nothing was lost, failed or cut off. */
    public boolean clean() {
        return lost() == 0 && errors() == 0 && slowConsumers() == 0 && disconnects() == 0;
    }

    public String toText() {
        LatencyHistogram d = deliveries.latency;
        LatencyHistogram w = writes.latency;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "fanout subscribers=%d writers=%d rate=%s/s duration=%ss warmup=%ss pattern=%s%n",
                config.subscribers(), config.writers(), number(config.rate()), number(config.duration().toMillis() / 1e3),
                number(config.warmup().toMillis() / 1e3), config.pattern()));
        sb.append(String.format(Locale.ROOT, "writes: sent=%d acked=%d errors=%d   set p50=%sms p99=%sms%n",
                writes.sent, writes.acked + writes.ackedWarmup, writes.errorCount() + writes.behind,
                ms(w.valueAtPercentile(50)), ms(w.valueAtPercentile(99))));
        sb.append(String.format(Locale.ROOT, "deliveries: expected=%d received=%d lost=%d slow-consumers=%d disconnects=%d   %.0f deliveries/s%n",
                expected(), received(), lost(), slowConsumers(), disconnects(), deliveriesPerSecond()));
        sb.append(String.format(Locale.ROOT, "delivery latency p50=%sms p90=%sms p99=%sms max=%sms",
                ms(d.valueAtPercentile(50)), ms(d.valueAtPercentile(90)), ms(d.valueAtPercentile(99)), ms(d.max())));
        Map<String, Long> errors = errorsByCode();
        if (!errors.isEmpty()) {
            sb.append("\nerrors by code: ").append(errors.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
        }
        return sb.toString();
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("mode", "fanout").put("subscribers", config.subscribers()).put("writers", config.writers())
                .put("rate", config.rate()).put("durationMs", config.duration().toMillis())
                .put("warmupMs", config.warmup().toMillis()).put("pattern", config.pattern());
        n.putObject("writes").put("sent", writes.sent).put("acked", writes.acked + writes.ackedWarmup)
                .put("ackedMeasured", writes.acked).put("errors", writes.errorCount() + writes.behind)
                .set("latencyMs", BenchResult.latencyJson(writes.latency));
        n.put("expected", expected()).put("received", received()).put("lost", lost())
                .put("measuredDeliveries", deliveries.measuredDeliveries)
                .put("deliveriesPerSecond", Math.round(deliveriesPerSecond()))
                .put("slowConsumers", slowConsumers()).put("disconnects", disconnects())
                .put("errors", errors());
        ObjectNode byCode = n.putObject("errorsByCode");
        errorsByCode().forEach(byCode::put);
        n.set("latencyMs", BenchResult.latencyJson(deliveries.latency));
        return n;
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }
}
