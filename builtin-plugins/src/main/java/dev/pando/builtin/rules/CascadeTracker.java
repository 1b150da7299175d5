package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.PluginContext;
import dev.pando.api.plugin.TopicEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Knows how deep in a cascade of rule outputs each change is. A write by a person or another
 * plugin is depth 0; a rule firing on a depth-d input writes at depth d+1. Depths of the rules'
 * own writes are remembered by revision (what {@code set} returns), so when the change comes
 * back through the listener its depth is known. Events have no revision: the depth of the last
 * publication per (rule, topic) stands in, which can only overestimate, so it errs on the side
 * of stopping.
 *
 * <p>Writes and lookups share one lock so a write from the scheduler thread is recorded before
 * the listener thread can look its change up. A rule output whose depth was forgotten (the maps
 * are bounded, and empty after a restart) counts as depth 1.
 */
final class CascadeTracker {
    static final int MAX_TRACKED = 10_000;

    private final String ruleWriterPrefix;
    private final Map<Long, Integer> byRevision = bounded();
    private final Map<String, Integer> byPublication = bounded();

    /** @param ruleWriterPrefix {@code plugin:<id>/rule:}: the writer names of rule outputs */
    CascadeTracker(String ruleWriterPrefix) {
        this.ruleWriterPrefix = ruleWriterPrefix;
    }

    private static <K> Map<K, Integer> bounded() {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Integer> eldest) {
                return size() > MAX_TRACKED;
            }
        };
    }

    boolean isRuleOutput(String writer) {
        return writer != null && writer.startsWith(ruleWriterPrefix);
    }

    synchronized int depthOf(KvChange change) {
        if (!isRuleOutput(change.writer())) {
            return 0;
        }
        Integer d = byRevision.remove(change.revision());
        return d == null ? 1 : d;
    }

    synchronized int depthOf(TopicEvent event) {
        if (!isRuleOutput(event.publisher())) {
            return 0;
        }
        Integer d = byPublication.get(event.publisher() + " " + event.topic());
        return d == null ? 1 : d;
    }

    /** Writes through {@code actor} and remembers the write's depth. */
    synchronized KvEntry set(PluginContext actor, String key, JsonNode value, int depth) {
        KvEntry entry = actor.kv().set(key, value);
        byRevision.put(entry.revision(), depth);
        return entry;
    }

    /** Publishes through {@code actor} ({@code writer} is the name it publishes as) and remembers the depth. */
    synchronized void publish(PluginContext actor, String writer, String topic, JsonNode payload, int depth) {
        byPublication.put(writer + " " + topic, depth);
        actor.publish(topic, payload);
    }
}
