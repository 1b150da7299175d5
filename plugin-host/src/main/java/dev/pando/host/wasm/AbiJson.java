package dev.pando.host.wasm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.PandoException;
import dev.pando.api.json.JsonRules;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.TopicEvent;

/** The JSON shapes ABI v1 exchanges with guests, in one place. */
final class AbiJson {
    /**
     * Strict ({@link JsonRules}): a guest's output followed by garbage is not "valid JSON with a
     * tail", and duplicate keys are an error, not "last wins".
     */
    private static final ObjectMapper MAPPER = JsonRules.strictMapper();

    private AbiJson() {}

    /**
     * Parses guest-provided JSON under the node's rules (strict UTF-8, no duplicate keys, finite
     * numbers, nested at most {@code maxDepth}), or throws {@code BAD_REQUEST} naming {@code what}.
     */
    static JsonNode parse(byte[] bytes, int maxDepth, String what) {
        JsonNode node = JsonRules.parse(bytes, maxDepth, what);
        if (node.isMissingNode()) {
            throw PandoException.badRequest(what + " is empty, not JSON");
        }
        return node;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            // A JsonNode tree always serialises; this would be a Jackson bug.
            throw new IllegalStateException("cannot serialise JSON", e);
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ObjectNode page(KvPage page) {
        ObjectNode o = MAPPER.createObjectNode();
        ArrayNode entries = o.putArray("entries");
        page.entries().forEach(e -> entries.add(e.toJson()));
        o.put("next", page.next());
        return o;
    }

    /** What {@code pando_on_event} receives for a committed change; {@code value} is null for a delete. */
    static ObjectNode change(KvChange c) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("kind", "change");
        o.put("key", c.key());
        o.set("value", c.value());
        o.put("revision", c.revision());
        o.put("timestamp", c.timestamp());
        o.put("origin", c.origin());
        o.put("writer", c.writer());
        return o;
    }

    /** What {@code pando_on_event} receives for a published event. */
    static ObjectNode event(TopicEvent e) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("kind", "event");
        o.put("topic", e.topic());
        o.set("payload", e.payload());
        o.put("publisher", e.publisher());
        o.put("timestamp", e.timestamp());
        return o;
    }
}
