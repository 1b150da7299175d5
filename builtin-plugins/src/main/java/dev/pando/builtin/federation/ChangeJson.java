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
import java.util.ArrayList;
import java.util.List;

/** Changes between peers: {@link WireJson#change} with {@code originRevision} always present. */
final class ChangeJson {
    private ChangeJson() {}

    /** The change that left {@code e}, as a snapshot offers it. */
    static KvChange of(KvEntry e) {
        return new KvChange(e.key(), e.value(), e.revision(), e.timestamp(), e.origin(), e.writer(), e.originRevision());
    }

    static ArrayNode write(List<KvChange> changes) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (KvChange c : changes) {
            ObjectNode o = WireJson.change(c);
            o.put("originRevision", c.originRevision());
            a.add(o);
        }
        return a;
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
