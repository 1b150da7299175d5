package dev.pando.builtin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.OpArgs;
import dev.pando.api.plugin.OpCall;
import dev.pando.builtin.registry.Entity.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code registry.register|get|list|update|suspend|activate|revoke}. */
final class EntityOps {
    /** Entities per {@code registry.list} page, at most and by default. */
    static final int MAX_LIST_LIMIT = 1000;
    static final int DEFAULT_LIST_LIMIT = 100;

    private final Registry r;

    EntityOps(Registry registry) {
        this.r = registry;
    }

    JsonNode register(OpCall call) {
        OpArgs a = OpArgs.of(call, "publicKey", "type", "name", "tags", "metadata", "scopes", "namespaces");
        byte[] key = EntityArgs.publicKey(a);
        Entity.Type type = EntityArgs.type(a);
        String name = EntityArgs.name(a).orElseThrow(() -> a.fail("name", "is required"));
        List<String> tags = EntityArgs.tags(a).orElse(List.of());
        ObjectNode metadata = EntityArgs.metadata(a).orElse(JsonNodeFactory.instance.objectNode());
        List<Scope> scopes = EntityArgs.scopes(a).orElse(List.of());
        List<PathPattern> namespaces = EntityArgs.namespaces(a).orElse(List.of());
        String id = Entity.idOf(key);
        Entity e;
        synchronized (r.lock) {
            r.directory.entity(id).ifPresent(existing -> {
                throw new PandoException(ErrorCode.CONFLICT, a.op() + ": this public key is already registered as entity '"
                        + id + "' (" + existing.status().wireName() + ")");
            });
            r.requireFree(a.op(), namespaces, id);
            long now = r.now();
            e = new Entity(id, type, name, java.util.HexFormat.of().formatHex(key), Status.ACTIVE, tags, metadata, scopes,
                    namespaces, now, now);
            r.store.saveEntity(Optional.empty(), e);
            for (PathPattern p : namespaces) {
                r.store.saveNamespace(Namespace.owned(p, id));
            }
            r.directory.put(e);
            namespaces.forEach(p -> r.directory.putNamespace(Namespace.owned(p, id)));
        }
        if (!namespaces.isEmpty()) {
            r.invalidateAll(); // a new open namespace is readable by every entity
        }
        return e.toJson();
    }

    JsonNode get(OpCall call) {
        OpArgs a = OpArgs.of(call, "id");
        String id = EntityArgs.id(a, "id");
        Caller caller = call.caller();
        if (!Registry.isNodeAdmin(caller) && !caller.name().equals(Entity.principalOf(id))) {
            throw new PandoException(ErrorCode.FORBIDDEN, a.op() + ": only a node admin or the entity itself may read entity '" + id + "'");
        }
        return r.requireEntity(a.op(), id).toJson();
    }

    /**
     * A page of entities: by {@code tag} (reads that tag's index only), by {@code namespace} (the
     * owners of namespaces overlapping it, from memory), or all in id order; {@code type} and
     * {@code status} filter the page, which may then hold fewer than {@code limit} and still have a cursor.
     */
    JsonNode list(OpCall call) {
        OpArgs a = OpArgs.of(call, "tag", "namespace", "type", "status", "limit", "cursor");
        Optional<String> tag = a.optString("tag");
        tag.ifPresent(t -> {
            if (!EntityArgs.TAG.matcher(t).matches()) {
                throw a.fail("tag", "'" + t + "' is not a tag");
            }
        });
        Optional<PathPattern> namespace = a.optPattern("namespace");
        Optional<Entity.Type> type = a.optString("type").map(t -> Entity.Type.fromWireName(t)
                .orElseThrow(() -> a.fail("type", "must be device, user, service or node, got '" + t + "'")));
        Optional<Status> status = a.optString("status").map(s -> Status.fromWireName(s)
                .orElseThrow(() -> a.fail("status", "must be active, suspended or revoked, got '" + s + "'")));
        int limit = a.intOr("limit", 1, MAX_LIST_LIMIT, DEFAULT_LIST_LIMIT);
        Optional<String> cursor = a.optString("cursor");

        List<String> ids = new ArrayList<>();
        Optional<String> next;
        if (tag.isPresent() || namespace.isEmpty()) {
            KvPage page = scan(a, tag, cursor, limit);
            page.entries().forEach(e -> ids.add(RegistryStore.lastSegment(e.key())));
            next = page.next();
        } else {
            List<String> owners = owners(namespace.get()).stream().filter(id -> cursor.isEmpty() || id.compareTo(cursor.get()) > 0).toList();
            ids.addAll(owners.subList(0, Math.min(limit, owners.size())));
            next = owners.size() > limit ? Optional.of(ids.get(ids.size() - 1)) : Optional.empty();
        }
        List<String> namespaceOwners = namespace.map(this::owners).orElse(List.of());
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode entities = out.putArray("entities");
        for (String id : ids) {
            r.directory.entity(id)
                    .filter(e -> namespace.isEmpty() || namespaceOwners.contains(e.id()))
                    .filter(e -> type.isEmpty() || e.type() == type.get())
                    .filter(e -> status.isEmpty() || e.status() == status.get())
                    .ifPresent(e -> entities.add(e.toJson()));
        }
        next.ifPresent(c -> out.put("cursor", c));
        return out;
    }

    private KvPage scan(OpArgs a, Optional<String> tag, Optional<String> cursor, int limit) {
        try {
            return tag.isPresent() ? r.store.tagPage(tag.get(), cursor, limit) : r.store.entityPage(cursor, limit);
        } catch (IllegalArgumentException e) { // a cursor this listing did not hand out
            throw a.fail("cursor", "is not a cursor of this listing");
        }
    }

    /** Ids of the owners of namespaces overlapping {@code pattern}, sorted, each once. */
    private List<String> owners(PathPattern pattern) {
        return r.directory.namespaces().stream().filter(ns -> ns.overlaps(pattern)).map(Namespace::owner).distinct().sorted().toList();
    }

    JsonNode update(OpCall call) {
        OpArgs a = OpArgs.of(call, "id", "name", "tags", "metadata", "scopes", "namespaces");
        String id = EntityArgs.id(a, "id");
        Optional<String> name = EntityArgs.name(a);
        Optional<List<String>> tags = EntityArgs.tags(a);
        Optional<ObjectNode> metadata = EntityArgs.metadata(a);
        Optional<List<Scope>> scopes = EntityArgs.scopes(a);
        Optional<List<PathPattern>> namespaces = EntityArgs.namespaces(a);
        Entity prev;
        Entity next;
        synchronized (r.lock) {
            prev = r.requireEntity(a.op(), id);
            if (prev.status() == Status.REVOKED) {
                throw new PandoException(ErrorCode.CONFLICT, a.op() + ": entity '" + id + "' is revoked, which is final");
            }
            List<PathPattern> owned = namespaces.orElse(prev.namespaces());
            r.requireFree(a.op(), owned, id);
            next = new Entity(id, prev.type(), name.orElse(prev.name()), prev.publicKey(), prev.status(), tags.orElse(prev.tags()),
                    metadata.orElse(prev.metadata()), scopes.orElse(prev.scopes()), owned, prev.createdAt(), r.now());
            r.store.saveEntity(Optional.of(prev), next);
            for (PathPattern p : prev.namespaces()) {
                if (!owned.contains(p)) {
                    r.store.deleteNamespace(p);
                }
            }
            for (PathPattern p : owned) {
                if (!prev.namespaces().contains(p)) {
                    r.store.saveNamespace(Namespace.owned(p, id));
                }
            }
            r.directory.put(next);
            prev.namespaces().stream().filter(p -> !owned.contains(p)).forEach(r.directory::removeNamespace);
            owned.stream().filter(p -> !prev.namespaces().contains(p)).forEach(p -> r.directory.putNamespace(Namespace.owned(p, id)));
        }
        if (!prev.namespaces().equals(next.namespaces())) {
            r.invalidateAll(); // others' rights in the namespaces that came or went change too
        } else if (!prev.scopes().equals(next.scopes())) {
            r.invalidate(id);
        }
        return next.toJson();
    }

    /**
     * Suspends, activates or revokes an entity. Setting the status it already has changes nothing;
     * revoked is final. Revoking deletes its tokens and gives up its namespaces (their grants go
     * with them), so they can be handed to another entity.
     */
    JsonNode setStatus(OpCall call, Status target) {
        OpArgs a = OpArgs.of(call, "id");
        String id = EntityArgs.id(a, "id");
        Entity next;
        boolean released;
        synchronized (r.lock) {
            Entity prev = r.requireEntity(a.op(), id);
            if (prev.status() == target) {
                return prev.toJson();
            }
            if (prev.status() == Status.REVOKED) {
                throw new PandoException(ErrorCode.CONFLICT, a.op() + ": entity '" + id + "' is revoked, which is final");
            }
            next = prev.withStatus(target, r.now());
            released = target == Status.REVOKED && !prev.namespaces().isEmpty();
            if (target == Status.REVOKED) {
                next = next.withNamespaces(List.of(), next.updatedAt());
            }
            r.store.saveEntity(Optional.of(prev), next);
            if (target == Status.REVOKED) {
                r.dropTokens(id);
                prev.namespaces().forEach(r.store::deleteNamespace);
                r.challenges.forget(id);
            }
            r.directory.put(next);
            if (released) {
                prev.namespaces().forEach(r.directory::removeNamespace);
            }
        }
        r.invalidate(id);
        if (released) {
            r.invalidateAll();
        }
        return next.toJson();
    }
}
