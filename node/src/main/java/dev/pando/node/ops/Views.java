package dev.pando.node.ops;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.node.kv.Change;
import dev.pando.node.kv.Entry;

/** The JSON shapes of entries and changes, identical in op results and pushed frames. */
public final class Views {
    private Views() {}

    public static ObjectNode entry(Entry e) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("key", e.key());
        n.set("value", e.value());
        meta(n, e.revision(), e.timestamp(), e.origin(), e.writer());
        return n;
    }

    public static ObjectNode change(Change c) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("key", c.key());
        n.set("value", c.isDelete() ? JsonNodeFactory.instance.nullNode() : c.value());
        meta(n, c.revision(), c.timestamp(), c.origin(), c.writer());
        return n;
    }

    private static void meta(ObjectNode n, long revision, long timestamp, String origin, String writer) {
        n.put("revision", revision);
        n.put("timestamp", timestamp);
        n.put("origin", origin);
        n.put("writer", writer);
    }
}
