package dev.pando.node.bench;

import java.util.Map;
import java.util.TreeMap;

/** What one connection saw during one phase; written by its event loop only, read after the phase. */
final class PhaseStats {
    final LatencyHistogram latency = new LatencyHistogram();
    long answered;
    /** kv.get of a key that does not exist: expected with a fresh keyspace, so not an error. */
    long misses;
    final Map<String, Long> errors = new TreeMap<>();

    void error(String code, long n) {
        errors.merge(code == null ? "UNKNOWN" : code, n, Long::sum);
    }

    void add(PhaseStats other) {
        latency.add(other.latency);
        answered += other.answered;
        misses += other.misses;
        other.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
    }
}
