package dev.pando.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.node.PandoNode;
import dev.pando.node.bench.BenchNodes;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pando bench fanout} and {@code pando bench memory} against a real in-process node, at a small size. */
class BenchModesCommandTest {
    @TempDir
    static Path dir;
    static PandoNode node;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        node = BenchNodes.start(dir);
        url = node.url().toString();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void fanoutPrintsOneJsonObjectAndProgressOnStderr() throws Exception {
        CliRun r = CliRun.run("bench", "fanout", "--url", url, "--subscribers", "10", "--rate", "100", "--duration", "0.5",
                "--warmup", "0.1", "--loops", "1", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.lines()).hasSize(1);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("mode").asText()).isEqualTo("fanout");
        assertThat(j.get("subscribers").asInt()).isEqualTo(10);
        assertThat(j.at("/writes/acked").asLong()).isBetween(59L, 61L);
        assertThat(j.get("expected").asLong()).isEqualTo(j.at("/writes/acked").asLong() * 10);
        assertThat(j.get("received").asLong()).isEqualTo(j.get("expected").asLong());
        assertThat(j.get("lost").asLong()).isZero();
        assertThat(j.at("/latencyMs/p50").asDouble()).isPositive();
        assertThat(j.at("/latencyMs/p95").isNumber()).isTrue();
        assertThat(r.err()).contains("subscribers: 10 of 10 opened, 10 established").contains("writing 100 changes/s for 0.5 s");
    }

    @Test
    void fanoutTextSummary() {
        CliRun r = CliRun.run("bench", "fanout", "--url", url, "--subscribers", "3", "--writers", "2", "--rate", "50",
                "--duration", "0.3", "--warmup", "0");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.lines()).hasSize(4);
        assertThat(r.lines().get(0)).isEqualTo("fanout subscribers=3 writers=2 rate=50/s duration=0.3s warmup=0s pattern=/bench/fanout/**");
        assertThat(r.lines().get(2)).contains("lost=0 slow-consumers=0 disconnects=0");
        assertThat(r.lines().get(3)).startsWith("delivery latency p50=");
    }

    @Test
    void memoryReadsTheAdminTokenFromTheDataDir() throws Exception {
        CliRun r = CliRun.run("bench", "memory", "--url", url, "--data-dir", dir.resolve("data").toString(), "--sessions", "25", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("mode").asText()).isEqualTo("memory");
        assertThat(j.get("sessionsCounted").asLong()).isEqualTo(25);
        assertThat(j.at("/open/sessions").asLong()).isEqualTo(j.at("/before/sessions").asLong() + 25);
        assertThat(j.has("bytesPerSession")).isTrue();
        assertThat(r.err()).contains("sessions: 25 of 25 opened, 25 established").contains("with the sessions: heap ");
    }

    @Test
    void memoryWithoutTheAdminTokenIsRefused() {
        CliRun r = CliRun.run("bench", "memory", "--url", url, "--data-dir", dir.resolve("nowhere").toString(), "--sessions", "2");
        assertThat(r.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(r.err()).startsWith("error: UNAUTHORIZED: op 'admin.memory' requires");
    }

    @Test
    void nonsenseOptionsAreUsageErrors() {
        assertThat(CliRun.run("bench", "fanout", "--subscribers", "0").err()).startsWith("error: subscribers must be at least 1");
        assertThat(CliRun.run("bench", "fanout", "--rate", "0").exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.run("bench", "fanout", "--prefix", "bench").err()).contains("prefix must be a key");
        assertThat(CliRun.run("bench", "memory", "--sessions", "0").exit()).isEqualTo(ExitCodes.USAGE);
        CliRun help = CliRun.run("bench", "--help");
        assertThat(help.out()).contains("fanout", "memory");
        assertThat(CliRun.run("bench", "fanout", "--help").out()).contains("limits.max-connections-per-address=0");
    }
}
