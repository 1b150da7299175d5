package dev.pando.node.bench;

import java.util.Map;
import java.util.TreeMap;

/** What the fan-out writers saw: writes sent and acknowledged, their round trips, failures by code. */
final class WriteStats {
    final LatencyHistogram latency = new LatencyHistogram();
    long sent;
    /** Acknowledged writes of the measured phase (their round trips are in {@link #latency}). */
    long acked;
    long ackedWarmup;
    /** Writes skipped because {@link FanoutWriter#MAX_IN_FLIGHT} were unanswered when they were due. */
    long behind;
    final Map<String, Long> errors = new TreeMap<>();

    void error(String code) {
        error(code, 1);
    }

    void error(String code, long n) {
        errors.merge(code == null ? "UNKNOWN" : code, n, Long::sum);
    }

    long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    void add(WriteStats other) {
        latency.add(other.latency);
        sent += other.sent;
        acked += other.acked;
        ackedWarmup += other.ackedWarmup;
        behind += other.behind;
        other.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
    }
}
