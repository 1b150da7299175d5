package dev.pando.builtin.registry;

import dev.pando.api.Access;
import dev.pando.api.Scope;
import dev.pando.api.path.PathPattern;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry in memory: entities by id, the namespace table and each entity's computed scopes.
 * Token validation reads it on any thread without locks; changes come from the ops, one at a time
 * under their lock. Entities and namespace tables are immutable and replaced on change, so a cached
 * scope list is current exactly when the entity and table it was computed from are still the ones
 * held: a reader racing a change can never leave a stale answer behind.
 */
final class Directory {
    private final Map<String, Entity> entities = new ConcurrentHashMap<>();
    private volatile SortedMap<String, Namespace> namespaces = Collections.emptySortedMap();
    private final Map<String, Cached> scopes = new ConcurrentHashMap<>();

    private record Cached(Entity entity, SortedMap<String, Namespace> table, List<Scope> scopes) {}

    Optional<Entity> entity(String id) {
        return Optional.ofNullable(entities.get(id));
    }

    Collection<Entity> entities() {
        return entities.values();
    }

    void put(Entity e) {
        entities.put(e.id(), e);
    }

    Optional<Namespace> namespace(PathPattern pattern) {
        return Optional.ofNullable(namespaces.get(pattern.toString()));
    }

    /** Every namespace, in pattern order. */
    Collection<Namespace> namespaces() {
        return namespaces.values();
    }

    /** The namespaces owned by anyone but {@code owner} that overlap {@code pattern}. */
    List<Namespace> overlapping(PathPattern pattern, String owner) {
        return namespaces.values().stream().filter(ns -> !ns.owner().equals(owner) && ns.overlaps(pattern)).toList();
    }

    void putNamespace(Namespace ns) {
        SortedMap<String, Namespace> next = new TreeMap<>(namespaces);
        next.put(ns.pattern().toString(), ns);
        namespaces = Collections.unmodifiableSortedMap(next);
    }

    void removeNamespace(PathPattern pattern) {
        SortedMap<String, Namespace> next = new TreeMap<>(namespaces);
        next.remove(pattern.toString());
        namespaces = Collections.unmodifiableSortedMap(next);
    }

    /** What the active entity {@code id} may do now; empty when it is unknown, suspended or revoked. */
    Optional<List<Scope>> scopesOf(String id) {
        Entity e = entities.get(id);
        if (e == null || !e.isActive()) {
            return Optional.empty();
        }
        SortedMap<String, Namespace> table = namespaces;
        Cached c = scopes.get(id);
        if (c != null && c.entity() == e && c.table() == table) {
            return Optional.of(c.scopes());
        }
        List<Scope> computed = compute(e, table.values());
        scopes.put(id, new Cached(e, table, computed));
        return Optional.of(computed);
    }

    /**
     * Its granted scopes; {@code admin} on what it owns; in others' namespaces what they granted it
     * and what their visibility gives everyone.
     */
    static List<Scope> compute(Entity e, Collection<Namespace> table) {
        Set<Scope> out = new LinkedHashSet<>(e.scopes());
        for (Namespace ns : table) {
            if (ns.owner().equals(e.id())) {
                out.add(new Scope(Access.ADMIN, ns.pattern()));
                continue;
            }
            ns.grantTo(e.id()).ifPresent(g -> orderedActions(g.actions()).forEach(a -> out.add(new Scope(a, g.pattern()))));
            orderedActions(ns.visibility().forEveryone()).forEach(a -> out.add(new Scope(a, ns.pattern())));
        }
        return List.copyOf(out);
    }

    private static List<Access> orderedActions(Set<Access> actions) {
        List<Access> out = new ArrayList<>();
        for (Access a : Access.values()) {
            if (actions.contains(a)) {
                out.add(a);
            }
        }
        return out;
    }
}
