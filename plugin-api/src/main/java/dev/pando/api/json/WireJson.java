package dev.pando.api.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.TopicEvent;

/**
 * The one JSON form of entries, changes and events, used by op results, pushed frames, the WASM
 * ABI and the journal, so the same thing reads the same everywhere:
 * <ul>
 *   <li>entry and change: {@code {key, value, revision, timestamp, origin, writer}}, a delete's
 *       {@code value} being {@code null}, and {@code originRevision} after them when the write
 *       came from another node (its revision there differs from its revision here);</li>
 *   <li>event: {@code {topic, payload, timestamp, publisher}}.</li>
 * </ul>
 * Callers that frame these (a push's {@code type}, the ABI's {@code kind}, the journal's
 * {@code seq}) add their own fields around or before them.
 */
public final class WireJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private WireJson() {}

    public static ObjectNode entry(KvEntry e) {
        return into(NODES.objectNode(), e);
    }

    public static ObjectNode change(KvChange c) {
        return into(NODES.objectNode(), c);
    }

    public static ObjectNode event(TopicEvent e) {
        return into(NODES.objectNode(), e);
    }

    /** Appends the entry's fields to {@code o} (after any framing fields it already holds). */
    public static ObjectNode into(ObjectNode o, KvEntry e) {
        return record(o, e.key(), e.value(), e.revision(), e.timestamp(), e.origin(), e.writer(), e.originRevision());
    }

    /** Appends the change's fields to {@code o} (after any framing fields it already holds). */
    public static ObjectNode into(ObjectNode o, KvChange c) {
        return record(o, c.key(), c.value(), c.revision(), c.timestamp(), c.origin(), c.writer(), c.originRevision());
    }

    /** Appends the event's fields to {@code o} (after any framing fields it already holds). */
    public static ObjectNode into(ObjectNode o, TopicEvent e) {
        o.put("topic", e.topic());
        o.set("payload", e.payload());
        o.put("timestamp", e.timestamp());
        o.put("publisher", e.publisher());
        return o;
    }

    private static ObjectNode record(ObjectNode o, String key, JsonNode value,
                                     long revision, long timestamp, String origin, String writer, long originRevision) {
        o.put("key", key);
        o.set("value", value);
        o.put("revision", revision);
        o.put("timestamp", timestamp);
        o.put("origin", origin);
        o.put("writer", writer);
        if (originRevision != revision) {
            o.put("originRevision", originRevision);
        }
        return o;
    }
}
