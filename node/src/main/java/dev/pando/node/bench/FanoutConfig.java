package dev.pando.node.bench;

import dev.pando.api.path.Keys;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * One fan-out run: {@code subscribers} WebSocket sessions subscribed to {@code <prefix>/**},
 * {@code writers} connections writing {@code rate} changes a second in all under {@code prefix}
 * for {@code warmup} (not measured) and then {@code duration}.
 *
 * @param loops       client event loops the subscribers are spread over
 * @param connectRate sessions opened per second before the run
 * @param drainAfter  after the writes, give up waiting for answers or deliveries when none came for this long
 */
public record FanoutConfig(URI url, String token, int subscribers, int writers, double rate, Duration duration,
        Duration warmup, int loops, double connectRate, int keyspace, String prefix, Duration drainAfter) {
    public FanoutConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(drainAfter, "drainAfter");
        require(subscribers >= 1, "subscribers must be at least 1");
        require(writers >= 1, "writers must be at least 1");
        require(rate > 0 && Double.isFinite(rate), "rate must be positive");
        require(!duration.isNegative() && !duration.isZero(), "duration must be positive");
        require(!warmup.isNegative(), "warmup must not be negative");
        require(loops >= 1, "loops must be at least 1");
        require(connectRate > 0 && Double.isFinite(connectRate), "connect rate must be positive");
        require(keyspace >= 1, "keyspace must be at least 1");
        require(!drainAfter.isNegative() && !drainAfter.isZero(), "drain time-out must be positive");
        require(Keys.isValid(prefix), "prefix must be a key such as /bench/fanout, got '" + prefix + "'");
    }

    /** The pattern every subscriber subscribes to. */
    public String pattern() {
        return prefix + "/**";
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
