package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
import java.util.Objects;
import java.util.Optional;

/**
 * One journaled change: {@code seq} is the journal's own dense, gap-free numbering (1, 2, 3, ...),
 * {@code change} the node's committed write (a delete's value is JSON null), {@code mac} the hex
 * HMAC chain link when the journal is chained.
 */
public record JournalEntry(long seq, KvChange change, Optional<String> mac) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public JournalEntry {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(mac, "mac");
    }

    public String key() {
        return change.key();
    }

    public long revision() {
        return change.revision();
    }

    public long timestamp() {
        return change.timestamp();
    }

    public boolean isDelete() {
        return change.isDelete();
    }

    JournalEntry withMac(String newMac) {
        return new JournalEntry(seq, change, Optional.of(newMac));
    }

    /** The state this change left at its key (not for a delete, which leaves none). */
    KvEntry toKvEntry() {
        return change.entry().orElseThrow(() -> new IllegalStateException("journal entry " + seq + " is a delete"));
    }

    /** The stored and returned form: {@code seq}, then {@link WireJson#change}, then {@code mac} when chained. */
    public ObjectNode toJson() {
        ObjectNode o = WireJson.into(JsonNodeFactory.instance.objectNode().put("seq", seq), change);
        mac.ifPresent(m -> o.put("mac", m));
        return o;
    }

    /** Reads a stored entry; a malformed one is an internal error naming where it is. */
    static JournalEntry fromJson(JsonNode o, String where) {
        try {
            JsonNode mac = o.get("mac");
            KvChange change = new KvChange(o.get("key").asText(), o.get("value"), o.get("revision").asLong(),
                    o.get("timestamp").asLong(), o.get("origin").asText(), o.get("writer").asText());
            return new JournalEntry(o.get("seq").asLong(), change,
                    mac == null || mac.isNull() ? Optional.empty() : Optional.of(mac.asText()));
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
        o.put("revision", change.revision());
        o.put("key", change.key());
        o.set("value", canonical(change.value()));
        o.put("timestamp", change.timestamp());
        o.put("origin", change.origin());
        o.put("writer", change.writer());
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
