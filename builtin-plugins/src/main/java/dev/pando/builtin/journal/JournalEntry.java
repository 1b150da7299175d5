package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.json.WireJson;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One journaled change: {@code seq} is the journal's own dense, gap-free numbering (1, 2, 3, ...),
 * {@code revision} the node revision of the change. {@code value} is null for a delete;
 * {@code mac} is the hex HMAC chain link, or null when the journal is not chained.
 */
public record JournalEntry(long seq, long revision, String key, JsonNode value, long timestamp,
                           String origin, String writer, String mac) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public boolean isDelete() {
        return value == null;
    }

    JournalEntry withMac(String newMac) {
        return new JournalEntry(seq, revision, key, value, timestamp, origin, writer, newMac);
    }

    /** The state this change left at its key (not for a delete, which leaves none). */
    KvEntry toKvEntry() {
        return new KvEntry(key, value, revision, timestamp, origin, writer);
    }

    /** The change this entry records; its value is JSON null for a delete. */
    KvChange change() {
        return new KvChange(key, value, revision, timestamp, origin, writer);
    }

    /** The stored and returned form: {@code seq}, then {@link WireJson#change}, then {@code mac} when chained. */
    public ObjectNode toJson() {
        ObjectNode o = WireJson.into(JsonNodeFactory.instance.objectNode().put("seq", seq), change());
        if (mac != null) {
            o.put("mac", mac);
        }
        return o;
    }

    /** Reads a stored entry; a malformed one is an internal error naming where it is. */
    static JournalEntry fromJson(JsonNode o, String where) {
        try {
            JsonNode v = o.get("value");
            JsonNode mac = o.get("mac");
            return new JournalEntry(
                    o.get("seq").asLong(),
                    o.get("revision").asLong(),
                    o.get("key").asText(),
                    v == null || v.isNull() ? null : v,
                    o.get("timestamp").asLong(),
                    o.get("origin").asText(),
                    o.get("writer").asText(),
                    mac == null || mac.isNull() ? null : mac.asText());
        } catch (RuntimeException e) {
            throw new PandoException(ErrorCode.INTERNAL, "journal entry at " + where + " is malformed: " + o);
        }
    }

    /**
     * The bytes the HMAC chain signs: the entry without its mac, fields in a fixed order and
     * object members of the value sorted by name, so the same entry always gives the same bytes
     * however the store hands its JSON back.
     */
    byte[] canonicalBytes() {
        // The signed layout is frozen (chains written by earlier versions must still verify), so
        // it is spelled out here rather than taken from the JSON form, whose order may change.
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("seq", seq);
        o.put("revision", revision);
        o.put("key", key);
        o.set("value", value == null ? NullNode.getInstance() : canonical(value));
        o.put("timestamp", timestamp);
        o.put("origin", origin);
        o.put("writer", writer);
        try {
            return MAPPER.writeValueAsBytes(o);
        } catch (Exception e) {
            throw new PandoException(ErrorCode.INTERNAL, "cannot serialise journal entry " + seq + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode canonical(JsonNode node) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                names.add(it.next().getKey());
            }
            names.sort(null);
            ObjectNode sorted = JsonNodeFactory.instance.objectNode();
            for (String name : names) {
                sorted.set(name, canonical(node.get(name)));
            }
            return sorted;
        }
        if (node.isArray()) {
            var array = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> array.add(canonical(n)));
            return array;
        }
        return node;
    }
}
