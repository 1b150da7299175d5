package dev.pando.builtin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.OpArgs;
import dev.pando.api.plugin.OpCall;
import dev.pando.builtin.registry.Namespace.Grant;
import dev.pando.builtin.registry.Namespace.Visibility;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code registry.lock|unlock|grant|ungrant|namespaces}: what a namespace's owner (or a node admin)
 * decides about who else may use it.
 */
final class NamespaceOps {
    /** The actions an owner may grant: everything but administering the namespace. */
    private static final Set<Access> GRANTABLE = EnumSet.of(Access.READ, Access.WRITE, Access.PUBLISH, Access.SUBSCRIBE);
    /** Namespaces per {@code registry.namespaces} page, at most and by default. */
    static final int MAX_LIST_LIMIT = 1000;

    private final Registry r;

    NamespaceOps(Registry registry) {
        this.r = registry;
    }

    JsonNode lock(OpCall call) {
        OpArgs a = OpArgs.of(call, "namespace");
        return setVisibility(a, call.caller(), Visibility.LOCKED);
    }

    JsonNode unlock(OpCall call) {
        OpArgs a = OpArgs.of(call, "namespace", "public");
        return setVisibility(a, call.caller(), a.bool("public", false) ? Visibility.PUBLIC : Visibility.OPEN);
    }

    private JsonNode setVisibility(OpArgs a, Caller caller, Visibility target) {
        PathPattern pattern = namespace(a);
        Namespace next;
        synchronized (r.lock) {
            Namespace ns = r.requireNamespace(a.op(), pattern);
            Registry.requireOwnerOrAdmin(a.op(), ns, caller);
            if (ns.visibility() == target) {
                return ns.toJson(true);
            }
            next = ns.withVisibility(target);
            r.store.saveNamespace(next);
            r.directory.putNamespace(next);
        }
        r.invalidateAll(); // every entity's rights there changed
        return next.toJson(true);
    }

    JsonNode grant(OpCall call) {
        OpArgs a = OpArgs.of(call, "namespace", "entity", "actions", "pattern");
        PathPattern pattern = namespace(a);
        String grantee = EntityArgs.id(a, "entity");
        List<Access> actions = EntityArgs.list(a, "actions", GRANTABLE.size(), name -> Access.fromWireName(name)
                .filter(GRANTABLE::contains).orElseThrow(() -> PandoException.badRequest(
                        "'" + name + "' is not a grantable action (read, write, publish, subscribe)")))
                .orElseThrow(() -> a.fail("actions", "is required (some of read, write, publish, subscribe)"));
        if (actions.isEmpty()) {
            throw a.fail("actions", "must name at least one of read, write, publish, subscribe");
        }
        Optional<PathPattern> within = a.optPattern("pattern");
        Namespace next;
        synchronized (r.lock) {
            Namespace ns = r.requireNamespace(a.op(), pattern);
            Registry.requireOwnerOrAdmin(a.op(), ns, call.caller());
            PathPattern where = within.orElse(ns.pattern());
            if (!ns.pattern().contains(where)) {
                throw a.fail("pattern", "'" + where + "' is not within the namespace '" + ns.pattern() + "'");
            }
            r.requireEntity(a.op(), grantee);
            if (grantee.equals(ns.owner())) {
                throw a.fail("entity", "'" + grantee + "' owns '" + ns.pattern() + "' and administers it already");
            }
            next = ns.withGrant(new Grant(grantee, EnumSet.copyOf(actions), where));
            r.store.saveNamespace(next);
            r.directory.putNamespace(next);
        }
        r.invalidate(grantee);
        return next.toJson(true);
    }

    JsonNode ungrant(OpCall call) {
        OpArgs a = OpArgs.of(call, "namespace", "entity");
        PathPattern pattern = namespace(a);
        String grantee = EntityArgs.id(a, "entity");
        Namespace next;
        synchronized (r.lock) {
            Namespace ns = r.requireNamespace(a.op(), pattern);
            Registry.requireOwnerOrAdmin(a.op(), ns, call.caller());
            if (ns.grantTo(grantee).isEmpty()) {
                throw new PandoException(ErrorCode.NOT_FOUND, a.op() + ": entity '" + grantee + "' holds no grant in '" + pattern + "'");
            }
            next = ns.withoutGrant(grantee);
            r.store.saveNamespace(next);
            r.directory.putNamespace(next);
        }
        r.invalidate(grantee);
        return next.toJson(true);
    }

    /**
     * The namespaces in pattern order, each with its owner and visibility; grants only for the
     * ones the caller owns, or all for a node admin. {@code cursor} is the last pattern of the page before.
     */
    JsonNode namespaces(OpCall call) {
        OpArgs a = OpArgs.of(call, "owner", "limit", "cursor");
        Optional<String> owner = a.has("owner") ? Optional.of(EntityArgs.id(a, "owner")) : Optional.empty();
        int limit = a.intOr("limit", 1, MAX_LIST_LIMIT, MAX_LIST_LIMIT);
        Optional<String> cursor = a.optString("cursor");
        Caller caller = call.caller();
        boolean admin = Registry.isNodeAdmin(caller);
        List<Namespace> matching = r.directory.namespaces().stream()
                .filter(ns -> owner.isEmpty() || ns.owner().equals(owner.get()))
                .filter(ns -> cursor.isEmpty() || ns.pattern().toString().compareTo(cursor.get()) > 0)
                .limit(limit + 1L).toList();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode list = out.putArray("namespaces");
        matching.stream().limit(limit).forEach(ns -> list.add(ns.toJson(admin || caller.name().equals(Entity.principalOf(ns.owner())))));
        if (matching.size() > limit) {
            out.put("cursor", matching.get(limit - 1).pattern().toString());
        }
        return out;
    }

    private static PathPattern namespace(OpArgs a) {
        return a.optPattern("namespace").orElseThrow(() -> a.fail("namespace", "is required (a namespace pattern such as /agents/x/**)"));
    }
}
