package dev.pando.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * An active subscription. {@code revision} is the node's revision when it was registered; the
 * {@code snapshot} (empty unless asked for) holds the matching entries as of that revision, and
 * every pushed change has a higher revision.
 */
public record Subscription(String id, String pattern, long revision, List<JsonNode> snapshot) {
    public Subscription {
        snapshot = List.copyOf(snapshot);
    }
}
