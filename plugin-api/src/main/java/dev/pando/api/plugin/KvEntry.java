package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A stored entry: its value and where it came from. */
public record KvEntry(String key, JsonNode value, long revision, long timestamp, String origin, String writer) {

    /** {@code {key, value, revision, timestamp, origin, writer}}: how entries travel as JSON (ABI, ops). */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("key", key);
        o.set("value", value);
        o.put("revision", revision);
        o.put("timestamp", timestamp);
        o.put("origin", origin);
        o.put("writer", writer);
        return o;
    }
}
