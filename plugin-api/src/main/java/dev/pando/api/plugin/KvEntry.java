package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.json.WireJson;
import java.util.Objects;

/**
 * A stored value with its metadata: the one entry type of the store, the transports, the host
 * and plugins. {@code revision} is node-wide and strictly increasing; {@code origin} is the id of
 * the node that first accepted the write; {@code writer} the principal that made it. Its JSON
 * form is {@link WireJson#entry}.
 */
public record KvEntry(String key, JsonNode value, long revision, long timestamp, String origin, String writer, long originRevision) {
    public KvEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(writer, "writer");
    }

    /** An entry written on this node: its origin revision is its revision. */
    public KvEntry(String key, JsonNode value, long revision, long timestamp, String origin, String writer) {
        this(key, value, revision, timestamp, origin, writer, revision);
    }

    /** Its JSON form, {@link WireJson#entry}. */
    public ObjectNode toJson() {
        return WireJson.entry(this);
    }
}
