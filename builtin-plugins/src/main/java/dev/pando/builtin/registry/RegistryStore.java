package dev.pando.builtin.registry;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.PluginKv;
import dev.pando.builtin.KeyHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The registry's durable layout under {@link #ROOT}; the KV is the truth the in-memory tables are
 * rebuilt from at start.
 *
 * <pre>
 * /registry/entities/&lt;id&gt;                     the entity (Entity.toJson)
 * /registry/tags/&lt;tag&gt;/&lt;id&gt;                  true: the tag index (tags are segment-safe by validation)
 * /registry/namespaces/&lt;sha256(pattern)&gt;      the namespace: pattern, owner, visibility, grants
 * /registry/tokens/&lt;id&gt;/&lt;sha256(token)&gt;      {expiresAt}: a token is never stored, only its hash
 * </pre>
 */
final class RegistryStore {
    static final String ROOT = "/registry";
    static final String ENTITIES = ROOT + "/entities";
    static final String TAGS = ROOT + "/tags";
    static final String NAMESPACES = ROOT + "/namespaces";
    static final String TOKENS = ROOT + "/tokens";
    /** Page size of the start-up loads. */
    private static final int LOAD_PAGE = 500;

    /** A live token as stored: whose it is and until when. */
    record StoredToken(String entity, String hash, long expiresAt) {}

    private final PluginKv kv;

    RegistryStore(PluginKv kv) {
        this.kv = kv;
    }

    static String entityKey(String id) {
        return ENTITIES + "/" + id;
    }

    static String tagPrefix(String tag) {
        return TAGS + "/" + tag;
    }

    static String namespaceKey(PathPattern pattern) {
        return NAMESPACES + "/" + KeyHash.of(pattern.toString());
    }

    static String tokenKey(String entity, String hash) {
        return TOKENS + "/" + entity + "/" + hash;
    }

    Optional<Entity> entity(String id) {
        return kv.get(entityKey(id)).map(e -> Entity.fromJson(e.value()));
    }

    /** Stores {@code next}, keeping the tag index in step with {@code previous} (empty: a new entity). */
    void saveEntity(Optional<Entity> previous, Entity next) {
        kv.set(entityKey(next.id()), next.toJson());
        for (String tag : next.tags()) {
            if (previous.isEmpty() || !previous.get().tags().contains(tag)) {
                kv.set(tagPrefix(tag) + "/" + next.id(), BooleanNode.TRUE);
            }
        }
        previous.ifPresent(p -> p.tags().stream().filter(t -> !next.tags().contains(t))
                .forEach(t -> kv.delete(tagPrefix(t) + "/" + next.id())));
    }

    void saveNamespace(Namespace ns) {
        kv.set(namespaceKey(ns.pattern()), ns.toJson(true));
    }

    void deleteNamespace(PathPattern pattern) {
        kv.delete(namespaceKey(pattern));
    }

    void saveToken(StoredToken t) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("expiresAt", t.expiresAt());
        kv.set(tokenKey(t.entity(), t.hash()), o);
    }

    void deleteToken(String entity, String hash) {
        kv.delete(tokenKey(entity, hash));
    }

    /** One page of entity ids carrying {@code tag}: reads that tag's index and nothing else. */
    KvPage tagPage(String tag, Optional<String> after, int limit) {
        return kv.scan(tagPrefix(tag), after.orElse(null), limit);
    }

    /** One page of entities, in id order. */
    KvPage entityPage(Optional<String> after, int limit) {
        return kv.scan(ENTITIES, after.orElse(null), limit);
    }

    /** The id an index or entity key ends with. */
    static String lastSegment(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    void loadEntities(Consumer<Entity> into) {
        scanAll(ENTITIES, e -> into.accept(Entity.fromJson(e.value())));
    }

    void loadNamespaces(Consumer<Namespace> into) {
        scanAll(NAMESPACES, e -> into.accept(Namespace.fromJson(e.value())));
    }

    List<StoredToken> loadTokens() {
        List<StoredToken> out = new ArrayList<>();
        scanAll(TOKENS, e -> {
            String rest = e.key().substring(TOKENS.length() + 1);
            int slash = rest.indexOf('/');
            out.add(new StoredToken(rest.substring(0, slash), rest.substring(slash + 1), e.value().path("expiresAt").asLong()));
        });
        return out;
    }

    private void scanAll(String prefix, Consumer<KvEntry> each) {
        String after = null;
        do {
            KvPage page = kv.scan(prefix, after, LOAD_PAGE);
            page.entries().forEach(each);
            after = page.next().orElse(null);
        } while (after != null);
    }
}
