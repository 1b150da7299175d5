package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.client.PandoClient;
import dev.pando.client.SubscribeOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Watch}: bounded waits for pushed changes and events, and what a failed wait says. */
@PandoTest(inMemory = true)
class WatchIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SHORT = Duration.ofMillis(300);

    @Test
    void awaitChangeSkipsOtherKeysAndReturnsTheChange(TestNode node) {
        PandoClient client = node.client();
        try (Watch watch = node.watch("/w/**")) {
            assertThat(watch.pattern()).isEqualTo("/w/**");
            assertThat(watch.subscription().id()).isNotBlank();
            client.set("/w/other", JSON.getNodeFactory().numberNode(1));
            JsonNode ack = client.set("/w/wanted", JSON.getNodeFactory().numberNode(2));
            client.set("/elsewhere", JSON.getNodeFactory().numberNode(3));

            JsonNode change = watch.awaitChange("/w/wanted", Duration.ofSeconds(5));
            assertThat(change.path("key").asText()).isEqualTo("/w/wanted");
            assertThat(change.path("value").asInt()).isEqualTo(2);
            assertThat(change.path("revision").asLong()).isEqualTo(ack.path("revision").asLong());
            assertThat(change.path("writer").asText()).isEqualTo("anonymous");
            assertThat(watch.drain()).as("/w/other was skipped, /elsewhere is not watched").isEmpty();

            client.delete("/w/wanted");
            JsonNode delete = watch.awaitChange(c -> c.path("value").isNull(), Duration.ofSeconds(5));
            assertThat(delete.path("key").asText()).isEqualTo("/w/wanted");
        }
    }

    @Test
    void awaitEventReturnsTheEventOfThatTopic(TestNode node) {
        PandoClient client = node.client();
        try (Watch watch = node.watch("/alerts/*", SubscribeOptions.eventsOnly())) {
            client.publish("/alerts/smoke", JSON.createObjectNode().put("level", 1));
            client.publish("/alerts/fire", JSON.createObjectNode().put("level", 3));
            JsonNode event = watch.awaitEvent("/alerts/fire");
            assertThat(event.path("topic").asText()).isEqualTo("/alerts/fire");
            assertThat(event.path("payload").path("level").asInt()).isEqualTo(3);
            assertThat(event.path("publisher").asText()).isEqualTo("anonymous");

            client.publish("/alerts/flood", JSON.createObjectNode().put("level", 2));
            JsonNode matched = watch.awaitEvent(e -> e.path("payload").path("level").asInt() == 2, Duration.ofSeconds(5));
            assertThat(matched.path("topic").asText()).isEqualTo("/alerts/flood");
        }
    }

    @Test
    void aWatchCanStartWithASnapshotAndSeesAdminWrites(TestNode node) {
        try (Watch watch = node.watch("/s/**", SubscribeOptions.changesOnly().withSnapshot(true))) {
            assertThat(watch.subscription().snapshot()).isEmpty();
        }
        node.client().set("/s/1", JSON.getNodeFactory().numberNode(1));
        try (Watch watch = node.watch("/s/**", SubscribeOptions.changesOnly().withSnapshot(true))) {
            assertThat(watch.subscription().snapshot()).extracting(e -> e.path("key").asText()).containsExactly("/s/1");
        }
        try (Watch watch = node.watch("/**")) {
            node.call("kv.set", JSON.createObjectNode().put("key", "/any/where").put("value", 1));
            assertThat(watch.awaitChange("/any/where").path("writer").asText()).isEqualTo("admin");
        }
    }

    @Test
    void aTimeoutListsWhatWasReceived(TestNode node) {
        PandoClient client = node.client();
        try (Watch watch = node.watch("/t/**")) {
            client.set("/t/a", JSON.getNodeFactory().textNode("first"));
            client.publish("/t/topic", JSON.createObjectNode().put("n", 1));
            AssertionError e = catchThrowableOfType(AssertionError.class, () -> watch.awaitChange("/t/never", SHORT));
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("timed out after 300 ms waiting for a change to /t/never on watch '/t/**'")
                    .contains("received 2 frames").contains("\"key\":\"/t/a\"").contains("\"topic\":\"/t/topic\"");

            AssertionError none = catchThrowableOfType(AssertionError.class, () -> watch.awaitEvent("/t/never", SHORT));
            assertThat(none.getMessage()).contains("waiting for an event on /t/never").contains("nothing else was received");
        }
    }

    @Test
    void assertQuietAndDrain(TestNode node) {
        PandoClient client = node.client();
        try (Watch watch = node.watch("/q/**")) {
            watch.assertQuiet(SHORT);
            client.set("/q/x", JSON.getNodeFactory().numberNode(1));
            AssertionError loud = catchThrowableOfType(AssertionError.class, () -> watch.assertQuiet(Duration.ofSeconds(5)));
            assertThat(loud).isNotNull();
            assertThat(loud.getMessage()).contains("should have stayed quiet").contains("\"key\":\"/q/x\"");

            client.set("/q/y", JSON.getNodeFactory().numberNode(2));
            client.set("/q/z", JSON.getNodeFactory().numberNode(3));
            watch.awaitChange("/q/z");
            assertThat(watch.drain()).isEmpty();
            client.set("/q/w", JSON.getNodeFactory().numberNode(4));
            List<JsonNode> frames = Eventually.eventually("the change to /q/w is queued", Duration.ofSeconds(5), () -> {
                List<JsonNode> d = watch.drain();
                return d.isEmpty() ? null : d;
            });
            assertThat(frames).hasSize(1);
            assertThat(frames.get(0).path("type").asText()).isEqualTo("change");
            assertThat(frames.get(0).path("change").path("key").asText()).isEqualTo("/q/w");
        }
    }

    @Test
    void aWatchEndsWithARestartAndSaysSo(TestNode node) {
        Watch watch = node.watch("/r/**");
        node.restart();
        AssertionError e = catchThrowableOfType(AssertionError.class, () -> watch.awaitChange("/r/x", Duration.ofSeconds(5)));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("the subscription ended");
        AssertionError again = catchThrowableOfType(AssertionError.class, () -> watch.awaitChange("/r/x", Duration.ofSeconds(5)));
        assertThat(again.getMessage()).as("and every later wait fails at once").contains("the subscription ended");

        try (Watch fresh = node.watch("/r/**")) {
            node.client().set("/r/x", JSON.getNodeFactory().numberNode(1));
            assertThat(fresh.awaitChange("/r/x").path("value").asInt()).isEqualTo(1);
        }
    }
}
