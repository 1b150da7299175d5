package dev.pando.builtin.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.PandoException;
import dev.pando.api.json.WireJson;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Changes between peers: {@link WireJson#change} with {@code originRevision} always present. */
final class ChangeJson {
    /**
     * Bytes of JSON one message of changes to the hub holds at most (a larger change travels
     * alone): a quarter of a node's default {@code limits.max-frame-bytes}, so a backlog of large
     * values is sent in several messages instead of one the hub must refuse.
     */
    static final int MAX_BATCH_BYTES = 256 * 1024;

    private ChangeJson() {}

    /**
     * As {@link #write}, for the longest prefix of {@code changes} whose JSON stays within
     * {@link #MAX_BATCH_BYTES}, and at least the first change: what one message carries. The
     * array's size tells how many of {@code changes} it holds.
     */
    static ArrayNode writeFitting(List<KvChange> changes) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        long bytes = 0;
        for (KvChange c : changes) {
            ObjectNode o = json(c);
            bytes += o.toString().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_BATCH_BYTES && !a.isEmpty()) {
                break;
            }
            a.add(o);
        }
        return a;
    }

    /** The change that left {@code e}, as a snapshot offers it. */
    static KvChange of(KvEntry e) {
        return new KvChange(e.key(), e.value(), e.revision(), e.timestamp(), e.origin(), e.writer(), e.originRevision());
    }

    static ArrayNode write(List<KvChange> changes) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (KvChange c : changes) {
            a.add(json(c));
        }
        return a;
    }

    private static ObjectNode json(KvChange c) {
        ObjectNode o = WireJson.change(c);
        o.put("originRevision", c.originRevision());
        return o;
    }

    /** Reads a batch of at most {@code max}; anything malformed is {@code BAD_REQUEST}. */
    static List<KvChange> read(JsonNode array, int max) {
        if (!array.isArray()) {
            throw PandoException.badRequest("'changes' must be an array");
        }
        if (array.size() > max) {
            throw PandoException.badRequest("a batch holds at most " + max + " changes, got " + array.size());
        }
        List<KvChange> out = new ArrayList<>(array.size());
        for (JsonNode o : array) {
            String key = Keys.requireValid(o.path("key").asText(""));
            long revision = o.path("revision").asLong(0);
            long originRevision = o.path("originRevision").asLong(0);
            String origin = o.path("origin").asText("");
            if (revision <= 0 || originRevision <= 0 || origin.isEmpty() || !o.has("value")) {
                throw PandoException.badRequest("change of '" + key + "' lacks value, revision, origin or originRevision");
            }
            out.add(new KvChange(key, o.get("value"), revision, o.path("timestamp").asLong(0), origin, o.path("writer").asText("unknown"),
                    originRevision));
        }
        return out;
    }
}
