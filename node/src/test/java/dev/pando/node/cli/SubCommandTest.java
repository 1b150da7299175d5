package dev.pando.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.client.FakeNode;
import dev.pando.client.PandoClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SubCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static FakeNode node;
    static PandoClient client;

    @BeforeAll
    static void start() {
        node = FakeNode.start();
        client = PandoClient.connect(node.uri(), null);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** Starts {@code pando sub …} in the background and returns once the node has the subscription. */
    static CompletableFuture<CliRun> subscribe(String... args) throws InterruptedException {
        long before = node.count("pubsub.subscribe");
        String[] all = new String[args.length + 3];
        all[0] = "sub";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--url";
        all[args.length + 2] = node.uri().toString();
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.run(all));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (node.count("pubsub.subscribe") == before && System.nanoTime() < deadline && !run.isDone()) {
            Thread.sleep(10);
        }
        return run;
    }

    @Test
    void printsPushedFramesAsJsonLines() throws Exception {
        CompletableFuture<CliRun> sub = subscribe("/home/**", "--count", "2");
        client.publish("/home/door", TextNode.valueOf("knock"));
        client.set("/home/light", IntNode.valueOf(1));
        CliRun r = sub.get(10, TimeUnit.SECONDS);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.lines()).hasSize(2);
        JsonNode event = JSON.readTree(r.lines().get(0));
        assertThat(event.get("type").asText()).isEqualTo("event");
        assertThat(event.at("/event/payload").asText()).isEqualTo("knock");
        JsonNode change = JSON.readTree(r.lines().get(1));
        assertThat(change.get("type").asText()).isEqualTo("change");
        assertThat(change.at("/change/key").asText()).isEqualTo("/home/light");
        assertThat(r.err()).startsWith("subscribed to /home/** (sub s");
    }

    @Test
    void snapshotLinesComeFirstAndFiltersApply() throws Exception {
        client.set("/garden/a", IntNode.valueOf(1));
        client.set("/garden/b", IntNode.valueOf(2));
        CompletableFuture<CliRun> sub = subscribe("/garden/*", "--snapshot", "--changes-only", "--count", "1");
        client.publish("/garden/a", TextNode.valueOf("ignored: events are filtered out"));
        client.set("/garden/c", IntNode.valueOf(3));
        CliRun r = sub.get(10, TimeUnit.SECONDS);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.lines()).hasSize(3);
        assertThat(JSON.readTree(r.lines().get(0)).at("/entry/key").asText()).isEqualTo("/garden/a");
        assertThat(JSON.readTree(r.lines().get(0)).get("type").asText()).isEqualTo("snapshot");
        assertThat(JSON.readTree(r.lines().get(1)).at("/entry/key").asText()).isEqualTo("/garden/b");
        assertThat(JSON.readTree(r.lines().get(2)).at("/change/key").asText()).isEqualTo("/garden/c");
    }

    @Test
    void slowConsumerErrorExitsOne() throws Exception {
        CompletableFuture<CliRun> sub = subscribe("/busy/**");
        ObjectNode frame = JSON.createObjectNode().put("type", "error");
        frame.putObject("error").put("code", "SLOW_CONSUMER").put("message", "fell behind");
        node.pushToAll(frame);
        CliRun r = sub.get(10, TimeUnit.SECONDS);
        assertThat(r.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(JSON.readTree(r.lines().get(0)).at("/error/code").asText()).isEqualTo("SLOW_CONSUMER");
        assertThat(r.err()).endsWith("error: SLOW_CONSUMER: fell behind\n");
    }

    @Test
    void disconnectExitsThree() throws Exception {
        CompletableFuture<CliRun> sub = subscribe("/gone/**");
        node.closeSessions();
        CliRun r = sub.get(10, TimeUnit.SECONDS);
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CONNECTION);
        assertThat(r.err()).endsWith("error: node at " + node.uri() + " closed the WebSocket (code 1001: going away)\n");
    }
}
