package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.PluginKv;
import java.util.ArrayList;
import java.util.List;

/**
 * Rules persisted under the plugin's own prefix, one entry per rule:
 * {@code /_plugins/rules/rules/<id>} holding {@code {rule, author, created, updated}}.
 */
final class RuleStore {
    private static final int PAGE = 500;

    private final PluginKv kv;
    private final String prefix;

    RuleStore(PluginKv kv, String pluginPrefix) {
        this.kv = kv;
        this.prefix = pluginPrefix + "/rules";
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
        List<KvEntry> out = new ArrayList<>();
        String after = null;
        do {
            KvPage page = kv.scan(prefix, after, PAGE);
            for (KvEntry e : page.entries()) {
                if (!e.key().equals(prefix)) {
                    out.add(e);
                }
            }
            after = page.next();
        } while (after != null);
        return out;
    }

    static String author(JsonNode doc) {
        return doc.path("author").asText();
    }
}
