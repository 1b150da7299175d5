package dev.pando.builtin.registry;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.PluginContext;
import dev.pando.api.plugin.PluginIdentities;
import dev.pando.builtin.registry.RegistryStore.StoredToken;
import java.time.Clock;
import java.util.List;

/**
 * What the registry's ops share: the store, the in-memory tables, the config and the one lock
 * that serialises changes, so the KV and the tables never disagree. Changes write the KV first and
 * the tables after, under the lock; identities are invalidated after it is released, because the
 * node re-checks sessions inside that call and the re-check asks our validator.
 */
final class Registry {
    private static final Scope NODE_ADMIN = Scope.parse("admin:/**");

    final RegistryStore store;
    final Directory directory = new Directory();
    final TokenTable tokens = new TokenTable();
    final Challenges challenges;
    final RegistryConfig config;
    final Clock clock;
    final PluginContext context;
    final Object lock = new Object();
    private final PluginIdentities identities;

    Registry(PluginContext context, RegistryConfig config) {
        this.context = context;
        this.config = config;
        this.store = new RegistryStore(context.kv());
        this.challenges = new Challenges(config.maxChallenges());
        this.clock = context.clock();
        this.identities = context.identities();
    }

    /** Rebuilds the tables from the KV, dropping tokens that expired while the node was down. */
    void load() {
        synchronized (lock) {
            store.loadEntities(directory::put);
            store.loadNamespaces(directory::putNamespace);
            long now = clock.millis();
            for (StoredToken t : store.loadTokens()) {
                if (t.expiresAt() <= now || directory.entity(t.entity()).isEmpty()) {
                    store.deleteToken(t.entity(), t.hash());
                } else {
                    tokens.add(t);
                }
            }
        }
    }

    EntityValidator validator() {
        return new EntityValidator(directory, tokens, clock);
    }

    void register(EntityValidator validator) {
        identities.register(validator);
    }

    long now() {
        return clock.millis();
    }

    /** Never call while holding {@link #lock}. */
    void invalidate(String entityId) {
        identities.invalidate(Entity.principalOf(entityId));
    }

    /** Never call while holding {@link #lock}. */
    void invalidateAll() {
        identities.invalidateAll();
    }

    Entity requireEntity(String op, String id) {
        return directory.entity(id).orElseThrow(() -> new PandoException(ErrorCode.NOT_FOUND, op + ": no entity '" + id + "'"));
    }

    Namespace requireNamespace(String op, PathPattern pattern) {
        return directory.namespace(pattern).orElseThrow(() -> new PandoException(ErrorCode.NOT_FOUND,
                op + ": no entity owns the namespace '" + pattern + "'"));
    }

    static boolean isNodeAdmin(Caller caller) {
        return caller.holds(NODE_ADMIN);
    }

    /** {@code FORBIDDEN} unless {@code caller} is the namespace's owner or a node admin. */
    static void requireOwnerOrAdmin(String op, Namespace ns, Caller caller) {
        if (!caller.name().equals(Entity.principalOf(ns.owner())) && !isNodeAdmin(caller)) {
            throw new PandoException(ErrorCode.FORBIDDEN, op + ": '" + caller.name() + "' neither owns '" + ns.pattern()
                    + "' (owner: " + Entity.principalOf(ns.owner()) + ") nor is a node admin");
        }
    }

    /** {@code CONFLICT} if one of {@code wanted} overlaps a namespace owned by anyone but {@code owner}. */
    void requireFree(String op, List<PathPattern> wanted, String owner) {
        for (PathPattern p : wanted) {
            List<Namespace> taken = directory.overlapping(p, owner);
            if (!taken.isEmpty()) {
                Namespace other = taken.get(0);
                throw new PandoException(ErrorCode.CONFLICT, op + ": namespace '" + p + "' overlaps '" + other.pattern()
                        + "', owned by entity '" + other.owner() + "'");
            }
        }
    }

    /** Deletes every token of {@code entityId}, durably and in memory; call under {@link #lock}. */
    int dropTokens(String entityId) {
        List<StoredToken> all = tokens.of(entityId);
        for (StoredToken t : all) {
            store.deleteToken(t.entity(), t.hash());
            tokens.remove(t);
        }
        return all.size();
    }
}
