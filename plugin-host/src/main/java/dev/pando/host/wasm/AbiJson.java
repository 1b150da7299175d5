package dev.pando.host.wasm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.PandoException;
import dev.pando.api.json.JsonRules;
import dev.pando.api.json.WireJson;
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
        page.entries().forEach(e -> entries.add(WireJson.entry(e)));
        o.put("next", page.next().orElse(null));
        return o;
    }

    /** What {@code pando_on_event} receives for a committed change: {@code kind} then {@link WireJson#change}. */
    static ObjectNode change(KvChange c) {
        return WireJson.into(MAPPER.createObjectNode().put("kind", "change"), c);
    }

    /** What {@code pando_on_event} receives for a published event: {@code kind} then {@link WireJson#event}. */
    static ObjectNode event(TopicEvent e) {
        return WireJson.into(MAPPER.createObjectNode().put("kind", "event"), e);
    }
}
