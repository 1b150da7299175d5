package dev.pando.node.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.ErrorCode;
import dev.pando.client.FakeNode;
import dev.pando.client.PandoConnectionException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BenchRunnerTest {
    static FakeNode node;

    @BeforeAll
    static void start() {
        node = FakeNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static BenchConfig config(Transport transport, int connections, int pipeline, long requests, String mix) {
        return new BenchConfig(node.uri(), null, transport, connections, pipeline, requests, null, OpMix.parse(mix), 3, 1000, 0,
                Duration.ofSeconds(5));
    }

    @Test
    void webSocketRunAnswersExactlyTheRequestedCount() throws Exception {
        long before = node.count("kv.set");
        BenchResult r = BenchRunner.run(config(Transport.ws, 4, 8, 2_000, "set=100"));
        assertThat(r.requests()).isEqualTo(2_000);
        assertThat(r.errors()).isZero();
        assertThat(r.latency().count()).isEqualTo(2_000);
        assertThat(r.throughput()).isPositive();
        assertThat(r.stalled()).isFalse();
        assertThat(node.count("kv.set") - before).isEqualTo(2_000);
        assertThat(r.toText()).matches("(?s)transport=ws connections=4 pipeline=8 mix=set:100 value=3B requests=2000 errors=0\n"
                + "throughput: \\d+ ops/s   latency p50=\\d+\\.\\d\\dms p99=\\d+\\.\\d\\dms p999=\\d+\\.\\d\\dms max=\\d+\\.\\d\\dms");
    }

    @Test
    void warmupIsNotMeasuredAndGetMissesAreNotErrors() throws Exception {
        long before = node.count("kv.set") + node.count("kv.get");
        BenchConfig c = new BenchConfig(node.uri(), null, Transport.ws, 2, 4, 1_000, null, OpMix.parse("set=50,get=50"), 3,
                1_000_000, 200, Duration.ofSeconds(5));
        BenchResult r = BenchRunner.run(c);
        assertThat(r.requests()).isEqualTo(1_000);
        assertThat(node.count("kv.set") + node.count("kv.get") - before).isEqualTo(1_200);
        assertThat(r.errors()).isZero();
        assertThat(r.misses()).isPositive();
        assertThat(r.toText()).contains("mix=set:50,get:50").contains("misses=");
    }

    @Test
    void httpRunUsesOneRequestPerConnection() throws Exception {
        BenchResult r = BenchRunner.run(config(Transport.http, 3, 16, 600, "set=100"));
        assertThat(r.requests()).isEqualTo(600);
        assertThat(r.errors()).isZero();
        assertThat(r.toJson().get("pipeline").asInt()).isEqualTo(1);
    }

    @Test
    void durationBoundsTheRun() throws Exception {
        BenchConfig c = new BenchConfig(node.uri(), null, Transport.ws, 2, 4, 0, Duration.ofMillis(300), OpMix.parse("set=100"),
                3, 1000, 0, Duration.ofSeconds(5));
        long t0 = System.nanoTime();
        BenchResult r = BenchRunner.run(c);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(r.requests()).isPositive();
        assertThat(r.elapsedNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
    }

    @Test
    void errorAnswersAreCountedByCode() throws Exception {
        node.failSets = ErrorCode.RATE_LIMITED;
        try {
            BenchResult r = BenchRunner.run(config(Transport.ws, 2, 4, 100, "set=100"));
            assertThat(r.requests()).isEqualTo(100);
            assertThat(r.errors()).isEqualTo(100);
            assertThat(r.errorsByCode()).containsEntry("RATE_LIMITED", 100L);
            assertThat(r.toText()).contains("errors=100").contains("errors by code: RATE_LIMITED=100");
            assertThat(r.toJson().at("/errorsByCode/RATE_LIMITED").asLong()).isEqualTo(100);
        } finally {
            node.failSets = null;
        }
    }

    @Test
    void aSilentNodeStallsTheRunInsteadOfHangingIt() throws Exception {
        node.silent = true;
        try {
            BenchConfig c = new BenchConfig(node.uri(), null, Transport.ws, 2, 4, 1_000, null, OpMix.parse("set=100"), 3, 1000, 0,
                    Duration.ofMillis(300));
            BenchResult r = BenchRunner.run(c);
            assertThat(r.stalled()).isTrue();
            assertThat(r.errorsByCode()).containsEntry("CONNECTION_LOST", 8L);
            assertThat(r.toText()).contains("stalled: no answer");
        } finally {
            node.silent = false;
        }
    }

    @Test
    void unreachableNodeIsAConnectionError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        BenchConfig c = new BenchConfig(URI.create("http://127.0.0.1:" + port), null, Transport.ws, 2, 1, 10, null,
                OpMix.parse("set=100"), 3, 10, 0, Duration.ofSeconds(1));
        assertThatThrownBy(() -> BenchRunner.run(c)).isInstanceOf(PandoConnectionException.class)
                .hasMessageContaining("connection refused — is `pando serve` running?");
    }
}
