package dev.pando.host.wasm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.PandoException;
import dev.pando.api.json.JsonRules;
import dev.pando.api.json.WireJson;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.TopicEvent;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * The writes of a {@code kv_apply} document: {@code {"writes": [w, ...]}}, each {@code w}
     * either {@code {"key": k, "value": v}} with an optional {@code "ifRevision": n} or
     * {@code {"key": k, "delete": true}}. Anything else is {@code BAD_REQUEST} naming the write.
     */
    static List<KvWrite> writes(JsonNode doc) {
        JsonNode writes = doc.get("writes");
        if (!doc.isObject() || doc.size() != 1 || writes == null || !writes.isArray()) {
            throw PandoException.badRequest("kv_apply takes an object with one member, 'writes', an array");
        }
        List<KvWrite> out = new ArrayList<>(writes.size());
        for (JsonNode w : writes) {
            String what = "kv_apply write " + out.size();
            JsonNode key = w.get("key");
            if (!w.isObject() || key == null || !key.isTextual()) {
                throw PandoException.badRequest(what + " needs a string 'key'");
            }
            JsonNode delete = w.get("delete");
            if (delete != null) {
                if (!delete.equals(BooleanNode.TRUE) || w.size() != 2) {
                    throw PandoException.badRequest(what + ": a delete has 'key' and 'delete': true, nothing else");
                }
                out.add(KvWrite.delete(key.asText()));
                continue;
            }
            JsonNode value = w.get("value");
            JsonNode ifRevision = w.get("ifRevision");
            if (value == null || w.size() != (ifRevision == null ? 2 : 3)) {
                throw PandoException.badRequest(what + ": a set has 'key', 'value' and optionally 'ifRevision', nothing else");
            }
            if (ifRevision == null) {
                out.add(KvWrite.set(key.asText(), value));
            } else if (ifRevision.canConvertToExactIntegral() && ifRevision.canConvertToLong() && ifRevision.asLong() >= 0) {
                out.add(KvWrite.set(key.asText(), value, ifRevision.asLong()));
            } else {
                throw PandoException.badRequest(what + ": 'ifRevision' must be 0 (must not exist) or a revision, got " + ifRevision);
            }
        }
        return out;
    }

    /** Bytes {@link #revisions} takes at most for {@code writes} writes: one 19-digit number and a comma each. */
    static long revisionsBound(int writes) {
        return 16 + 20L * writes;
    }

    /**
     * What {@code kv_apply} answers: {@code {"revisions": [r, ...]}}, one per write in order, the
     * revision it committed at, or 0 for a delete of a key that did not exist (which commits
     * nothing). {@code changes} are the batch's, in write order.
     */
    static ObjectNode revisions(List<KvWrite> writes, List<KvChange> changes) {
        ObjectNode o = MAPPER.createObjectNode();
        ArrayNode array = o.putArray("revisions");
        int next = 0;
        for (KvWrite w : writes) {
            // A delete made a change only if the next one is the delete of its key: a set of that
            // key would have had to come first, and its change would be next instead.
            boolean changed = next < changes.size()
                    && (w instanceof KvWrite.Set || changes.get(next).isDelete() && changes.get(next).key().equals(w.key()));
            array.add(changed ? changes.get(next++).revision() : 0);
        }
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
