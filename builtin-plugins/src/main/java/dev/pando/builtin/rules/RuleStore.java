package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.PluginKv;
import dev.pando.builtin.KeyHash;
import java.util.ArrayList;
import java.util.List;

/**
 * Rules persisted under the plugin's own prefix:
 * <ul>
 *   <li>{@code rules/<id>}: one entry per rule, {@code {rule, author, created, updated}};</li>
 *   <li>{@code memory/<id>/beyond/<hash of key>}: {@code {key}} for each key a threshold rule
 *       last saw beyond its threshold (absent: not beyond), so a restart does not fire again
 *       for a crossing already handled;</li>
 *   <li>{@code memory/<id>/fired}: when a rule with a cooldown last fired.</li>
 * </ul>
 * A rule's memory is cleared when it is put, enabled, disabled or deleted.
 */
final class RuleStore {
    private static final int PAGE = 500;

    private final PluginKv kv;
    private final String prefix;
    private final String memory;

    RuleStore(PluginKv kv, String pluginPrefix) {
        this.kv = kv;
        this.prefix = pluginPrefix + "/rules";
        this.memory = pluginPrefix + "/memory";
    }

    String keyOf(String id) {
        return prefix + "/" + id;
    }

    void save(RuleState state) {
        kv.set(keyOf(state.id()), state.toStored());
    }

    void delete(String id) {
        kv.delete(keyOf(id));
    }

    /** Every stored rule document, in id order. */
    List<KvEntry> loadAll() {
        return scan(prefix, Integer.MAX_VALUE);
    }

    /** Remembers whether {@code key} is beyond rule {@code id}'s threshold. */
    void saveBeyond(String id, String key, boolean beyond) {
        String row = memoryOf(id) + "/beyond/" + KeyHash.of(key);
        remember(beyond ? KvWrite.set(row, JsonNodeFactory.instance.objectNode().put("key", key)) : KvWrite.delete(row));
    }

    void saveFired(String id, long at) {
        remember(KvWrite.set(memoryOf(id) + "/fired", LongNode.valueOf(at)));
    }

    /**
     * Writes a rule's memory unpublished: it changes as often as the rule fires, and nobody
     * follows it (the rules themselves skip their own prefix), so no feed record is owed.
     */
    private void remember(KvWrite write) {
        kv.applyUnpublished(List.of(write));
    }

    /** Gives {@code state} the memory its rule had before the restart. */
    void restoreMemory(RuleState state) {
        kv.get(memoryOf(state.id()) + "/fired").ifPresent(e -> state.firedAt(e.value().asLong()));
        scan(memoryOf(state.id()) + "/beyond", RuleState.MAX_THRESHOLD_KEYS)
                .forEach(e -> state.rememberBeyond(e.value().path("key").asText()));
    }

    void clearMemory(String id) {
        scan(memoryOf(id), Integer.MAX_VALUE).forEach(e -> remember(KvWrite.delete(e.key())));
    }

    private String memoryOf(String id) {
        return memory + "/" + id;
    }

    /** Up to {@code max} entries below {@code under} (not {@code under} itself), in key order. */
    private List<KvEntry> scan(String under, int max) {
        List<KvEntry> out = new ArrayList<>();
        String after = null;
        do {
            KvPage page = kv.scan(under, after, PAGE);
            for (KvEntry e : page.entries()) {
                if (!e.key().equals(under) && out.size() < max) {
                    out.add(e);
                }
            }
            after = page.next().orElse(null);
        } while (after != null && out.size() < max);
        return out;
    }

    static String author(JsonNode doc) {
        return doc.path("author").asText();
    }
}
