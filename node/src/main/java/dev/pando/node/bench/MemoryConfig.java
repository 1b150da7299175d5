package dev.pando.node.bench;

import java.net.URI;
import java.util.Objects;

/**
 * One memory report: {@code sessions} idle WebSocket sessions opened at {@code connectRate} a
 * second over {@code loops} client event loops; with {@code subscribe}, each holds one
 * subscription of its own ({@code /bench/memory/<i>/**}).
 */
public record MemoryConfig(URI url, String token, int sessions, boolean subscribe, int loops, double connectRate) {
    public MemoryConfig {
        Objects.requireNonNull(url, "url");
        if (sessions < 1) {
            throw new IllegalArgumentException("sessions must be at least 1");
        }
        if (loops < 1) {
            throw new IllegalArgumentException("loops must be at least 1");
        }
        if (!(connectRate > 0) || !Double.isFinite(connectRate)) {
            throw new IllegalArgumentException("connect rate must be positive");
        }
    }
}
