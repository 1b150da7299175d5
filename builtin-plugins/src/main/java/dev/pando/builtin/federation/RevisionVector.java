package dev.pando.builtin.federation;

import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.PluginKv;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Origin → the highest origin revision held among the keys {@code inScope} accepts: what two
 * replicas of the same keys compare to find changes one of them missed. Computed by a scan of the
 * node's keys (not {@link Internal} ones), so it costs what the replica holds.
 */
final class RevisionVector {
    private RevisionVector() {}

    static Map<String, Long> of(PluginKv kv, Predicate<KvEntry> inScope, int maxEntries) {
        Map<String, Long> vector = new TreeMap<>();
        String after = null;
        do {
            KvPage page = kv.scan("/", after, 1000);
            for (KvEntry e : page.entries()) {
                if (!Internal.is(e.key()) && inScope.test(e)) {
                    vector.merge(e.origin(), e.originRevision(), Math::max);
                }
            }
            if (vector.size() > maxEntries) {
                throw PandoException.badRequest("more than " + maxEntries + " origins in the replica (max_vector_entries)");
            }
            after = page.next().orElse(null);
        } while (after != null);
        return vector;
    }
}
