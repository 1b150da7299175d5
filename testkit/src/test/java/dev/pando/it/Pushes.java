package dev.pando.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** Reading pushes a test's WebSocket subscription received. */
final class Pushes {
    private Pushes() {}

    /**
     * The subjects (a change's key, an event's topic) of the next {@code n} pushes, waiting up to
     * 5 s for each, in arrival order. Compare them in any order when they mix changes and events:
     * a change and an event are not ordered against each other (docs/protocol.md).
     */
    static List<String> subjects(BlockingQueue<JsonNode> pushes, int n) throws InterruptedException {
        List<String> seen = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            JsonNode p = pushes.poll(5, TimeUnit.SECONDS);
            assertThat(p).as("push %d of %d", i + 1, n).isNotNull();
            seen.add(p.has("change") ? p.get("change").get("key").asText() : p.get("event").get("topic").asText());
        }
        return seen;
    }
}
