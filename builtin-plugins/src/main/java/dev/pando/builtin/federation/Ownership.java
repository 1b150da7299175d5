package dev.pando.builtin.federation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.PluginKv;
import dev.pando.signing.Ed25519KeyPair;
import java.util.ArrayList;
import java.util.List;

/**
 * Who owns what, as the registry says: a node is the registry entity {@code e<fingerprint>} of
 * its key, and may declare only namespaces inside the namespaces that entity owns while it is
 * active. Read from the registry's own records, so the registry builtin must be running on a hub.
 */
final class Ownership {
    private static final String NAMESPACES = "/registry/namespaces";
    private static final String ENTITIES = "/registry/entities/";

    private final PluginKv kv;

    Ownership(PluginKv kv) {
        this.kv = kv;
    }

    /** Throws {@code FORBIDDEN} naming the first declared namespace the node's entity does not own. */
    void requireOwned(byte[] nodeKey, String node, List<PathPattern> declared) {
        String entity = "e" + Ed25519KeyPair.fingerprint(nodeKey);
        String status = kv.get(ENTITIES + entity).map(e -> e.value().path("status").asText()).orElse("unregistered");
        if (!status.equals("active")) {
            throw new PandoException(ErrorCode.FORBIDDEN, "node " + node + " is registry entity " + entity + ", which is " + status
                    + "; register it (type node) with the namespaces it owns");
        }
        List<PathPattern> owned = ownedBy(entity);
        for (PathPattern d : declared) {
            if (owned.stream().noneMatch(o -> o.contains(d))) {
                throw new PandoException(ErrorCode.FORBIDDEN, "node " + node + " declares '" + d + "', which its registry entity " + entity
                        + " does not own (it owns " + owned + ")");
            }
        }
    }

    private List<PathPattern> ownedBy(String entity) {
        List<PathPattern> owned = new ArrayList<>();
        String after = null;
        do {
            KvPage page = kv.scan(NAMESPACES, after, 1000);
            for (KvEntry e : page.entries()) {
                JsonNode ns = e.value();
                if (ns.path("owner").asText().equals(entity)) {
                    owned.add(PathPattern.compile(ns.path("pattern").asText()));
                }
            }
            after = page.next().orElse(null);
        } while (after != null);
        return owned;
    }
}
