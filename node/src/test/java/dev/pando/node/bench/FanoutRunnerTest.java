package dev.pando.node.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.client.PandoConnectionException;
import dev.pando.node.PandoNode;
import dev.pando.node.config.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fan-out bench against a real in-process node (RocksDB, event bus, WebSocket sessions), at a small size. */
class FanoutRunnerTest {
    @TempDir
    static Path dir;
    static PandoNode node;

    @BeforeAll
    static void start() throws Exception {
        node = PandoNode.start(BenchNodes.config(dir));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static FanoutConfig config(int subscribers, int writers, double rate, Duration duration, Duration warmup) {
        return new FanoutConfig(node.url(), null, subscribers, writers, rate, duration, warmup, 2, 500, 50, "/bench/fanout",
                Duration.ofSeconds(5));
    }

    @Test
    void everyAcknowledgedWriteReachesEverySubscriberAndIsTimed() throws Exception {
        List<String> progress = new CopyOnWriteArrayList<>();
        long revision = node.store().lastRevision();
        FanoutResult r = FanoutRunner.run(config(20, 2, 200, Duration.ofMillis(1000), Duration.ofMillis(250)), progress::add);

        long written = node.store().lastRevision() - revision;
        assertThat(r.errorsByCode()).isEmpty();
        assertThat(r.toJson().at("/writes/acked").asLong()).as("every write answered").isEqualTo(written);
        // The schedule, not the answers, sets the count: 200/s for 1.25 s.
        assertThat(written).isBetween(249L, 251L);
        assertThat(r.expected()).isEqualTo(written * 20);
        assertThat(r.received()).isEqualTo(r.expected());
        assertThat(r.lost()).isZero();
        assertThat(r.latency().count()).as("measured deliveries are timed").isEqualTo(r.acked() * 20);
        assertThat(r.acked()).as("warm-up writes are delivered but not measured").isLessThan(written);
        assertThat(r.latency().min()).isPositive();
        assertThat(r.slowConsumers()).isZero();
        assertThat(r.disconnects()).isZero();
        assertThat(r.clean()).isTrue();
        assertThat(r.deliveriesPerSecond()).isPositive();
        awaitNoSubscriptions(node);
        assertThat(progress).anyMatch(l -> l.startsWith("subscribers: 20 of 20 opened, 20 established"));
        assertThat(r.toText()).contains("fanout subscribers=20 writers=2 rate=200/s duration=1s warmup=0.25s pattern=/bench/fanout/**")
                .contains("lost=0").containsPattern("delivery latency p50=\\d+\\.\\d\\dms p90=\\S+ p99=\\S+ max=\\S+");
        assertThat(r.toJson().get("expected").asLong()).isEqualTo(r.expected());
        assertThat(r.toJson().at("/latencyMs/p99").asDouble()).isPositive();
    }

    @Test
    void aNodeThatRefusesTheSessionsNamesTheLimitToRaise(@TempDir Path other) throws Exception {
        try (PandoNode small = PandoNode.start(BenchNodes.config(other).with(NodeConfig.MAX_CONNECTIONS_PER_ADDRESS, 5))) {
            FanoutConfig c = new FanoutConfig(small.url(), null, 8, 1, 10, Duration.ofMillis(200), Duration.ZERO, 1, 1000, 10,
                    "/bench/fanout", Duration.ofSeconds(1));
            assertThatThrownBy(() -> FanoutRunner.run(c, line -> {})).isInstanceOf(PandoConnectionException.class)
                    .hasMessageContaining("could not be opened")
                    .hasMessageContaining("--set limits.max-connections-per-address=0");
            awaitNoSubscriptions(small);
        }
    }

    /** The bench closes every session it opened; the node notices within a bounded wait. */
    static void awaitNoSubscriptions(PandoNode n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (n.events().subscriptionCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(n.events().subscriptionCount()).as("subscriptions left after the run").isZero();
    }
}
