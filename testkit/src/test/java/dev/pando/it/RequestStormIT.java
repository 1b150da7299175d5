package dev.pando.it;

import static dev.pando.it.Json.num;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.node.config.NodeConfig;
import dev.pando.testkit.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** One client storming a real node is throttled alone; the node keeps serving everyone else. */
class RequestStormIT {

    @Test
    void stormIsRateLimitedPerClientAndOthersAreServed() throws Exception {
        try (TestNode node = TestNode.builder()
                .with(NodeConfig.RATE_PER_SECOND, 50L)
                .with(NodeConfig.RATE_BURST, 50L)
                .start()) {
            PandoClient stormer = node.client();
            int ok = 0;
            int limited = 0;
            long retryAfter = 0;
            for (int i = 0; i < 300; i++) {
                try {
                    stormer.set("/storm/" + (i % 10), num(i));
                    ok++;
                } catch (PandoException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    retryAfter = e.retryAfterMillis();
                    limited++;
                }
            }
            assertThat(limited).as("the storm is throttled").isPositive();
            assertThat(ok).as("the burst gets through").isGreaterThanOrEqualTo(50);
            assertThat(retryAfter).isBetween(1L, 1_000L);

            HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(node.url() + "/v1/ops/kv.get")).POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"/storm/1\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (raw.statusCode() == 429) { // still inside the storm's window
                assertThat(raw.headers().firstValue("Retry-After")).isPresent();
            }

            // Another client (the admin principal has its own bucket) is unaffected.
            try (PandoClient other = PandoClient.connect(node.url(), node.adminToken())) {
                for (int i = 0; i < 20; i++) {
                    assertThat(other.set("/other/" + i, num(i)).get("revision").asLong()).isPositive();
                }
            }
            // And the stormer is served again once it waits.
            Thread.sleep(retryAfter + 100);
            assertThat(stormer.get("/storm/1").get("key").asText()).isEqualTo("/storm/1");
            assertThat(stormer.health().get("status").asText()).isEqualTo("ok");
        }
    }
}
