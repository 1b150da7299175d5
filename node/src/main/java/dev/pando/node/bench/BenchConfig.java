package dev.pando.node.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * One bench run.
 *
 * @param requests   requests to measure, or 0 to run for {@code duration} only
 * @param duration   measuring time, or null to stop by {@code requests} only (if both, whichever comes first)
 * @param stallAfter give up when no answer arrives for this long
 */
public record BenchConfig(URI url, String token, Transport transport, int connections, int pipeline,
        long requests, Duration duration, OpMix mix, int valueSize, int keyspace, long warmup, Duration stallAfter) {
    public BenchConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(mix, "mix");
        Objects.requireNonNull(stallAfter, "stallAfter");
        require(connections >= 1, "connections must be at least 1");
        require(pipeline >= 1, "pipeline must be at least 1");
        require(requests >= 0, "requests must not be negative");
        require(requests > 0 || duration != null, "give a request count or a duration");
        require(duration == null || !duration.isNegative() && !duration.isZero(), "duration must be positive");
        require(valueSize >= 0, "value size must not be negative");
        require(keyspace >= 1, "keyspace must be at least 1");
        require(warmup >= 0, "warmup must not be negative");
    }

    /** Requests in flight per connection: HTTP/1.1 without pipelining allows one. */
    public int effectivePipeline() {
        return transport == Transport.http ? 1 : pipeline;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
