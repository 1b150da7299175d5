package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Objects;

/**
 * An ephemeral message on a topic (a path): delivered to current subscribers and listeners,
 * never stored. The one event type of the event bus, the transports, the host and plugins; its
 * JSON form is {@link dev.pando.api.json.WireJson#event}. The payload may be JSON {@code null},
 * never Java null.
 */
public record TopicEvent(String topic, JsonNode payload, long timestamp, String publisher) {
    public TopicEvent {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(publisher, "publisher");
        payload = payload == null ? NullNode.getInstance() : payload;
    }
}
