package dev.pando.node.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the fan-out subscribers of one client event loop received: written by that loop only (one
 * histogram per loop, not per subscriber, so 10,000 subscribers cost 57 KiB of histogram, not
 * 570 MB), read once the run is over. {@link #received} is shared by every loop, for the
 * runner's progress and drain checks.
 */
final class DeliveryStats {
    final ResponseScanner scanner = new ResponseScanner();
    final LatencyHistogram latency = new LatencyHistogram();
    final LongAdder received;
    /** Deliveries of writes sent during the warm-up (not in {@link #latency}). */
    long warmupDeliveries;
    long measuredDeliveries;
    /** System.nanoTime() of the last measured delivery. */
    long lastArrival;
    long slowConsumers;
    long disconnects;
    final Map<String, Long> errors = new TreeMap<>();

    DeliveryStats(LongAdder received) {
        this.received = received;
    }

    void error(String code) {
        errors.merge(code == null ? "UNKNOWN" : code, 1L, Long::sum);
    }

    void add(DeliveryStats other) {
        latency.add(other.latency);
        warmupDeliveries += other.warmupDeliveries;
        measuredDeliveries += other.measuredDeliveries;
        lastArrival = Math.max(lastArrival, other.lastArrival);
        slowConsumers += other.slowConsumers;
        disconnects += other.disconnects;
        other.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
    }
}
