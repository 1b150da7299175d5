package dev.pando.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.client.FakeNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    static FakeNode node;

    @BeforeAll
    static void start() {
        node = FakeNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void jsonSummary() throws Exception {
        CliRun r = CliRun.run("bench", "--url", node.uri().toString(), "--connections", "3", "--pipeline", "4",
                "--requests", "500", "--mix", "set=100,get=0", "--value-size", "10", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.lines()).hasSize(1);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("transport").asText()).isEqualTo("ws");
        assertThat(j.get("requests").asLong()).isEqualTo(500);
        assertThat(j.get("errors").asLong()).isZero();
        assertThat(j.get("valueSize").asInt()).isEqualTo(10);
        assertThat(j.at("/latencyMs/p99").asDouble()).isPositive();
        assertThat(j.get("throughput").asLong()).isPositive();
    }

    @Test
    void textSummaryOverHttp() {
        CliRun r = CliRun.run("bench", "--url", node.uri().toString(), "--transport", "http", "--connections", "2",
                "--pipeline", "8", "--requests", "100");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.lines()).hasSize(2);
        assertThat(r.lines().get(0)).isEqualTo("transport=http connections=2 pipeline=1 mix=set:100 value=3B requests=100 errors=0");
        assertThat(r.lines().get(1)).startsWith("throughput: ");
        assertThat(r.err()).contains("--pipeline is ignored");
    }

    @Test
    void nonsenseOptionsAreUsageErrors() {
        assertThat(CliRun.run("bench", "--mix", "set=10").err()).startsWith("error: mix percentages must add up to 100");
        assertThat(CliRun.run("bench", "--connections", "0").exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.run("bench", "--transport", "udp").exit()).isEqualTo(ExitCodes.USAGE);
    }
}
