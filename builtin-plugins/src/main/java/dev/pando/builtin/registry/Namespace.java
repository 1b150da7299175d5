package dev.pando.builtin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.path.PathPattern;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A namespace an entity owns: its pattern, its owner's id, who else may see it ({@link Visibility})
 * and the grants its owner gave other entities there (at most one per grantee).
 */
record Namespace(PathPattern pattern, String owner, Visibility visibility, List<Grant> grants) {

    /** Who besides the owner and its grantees may use a namespace. */
    enum Visibility {
        /** Every entity may read and subscribe (the default). */
        OPEN,
        /** Only the owner and grantees. */
        LOCKED,
        /** Every entity may read, subscribe and publish. */
        PUBLIC;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** What every other entity holds here. */
        Set<Access> forEveryone() {
            return switch (this) {
                case OPEN -> EnumSet.of(Access.READ, Access.SUBSCRIBE);
                case LOCKED -> EnumSet.noneOf(Access.class);
                case PUBLIC -> EnumSet.of(Access.READ, Access.SUBSCRIBE, Access.PUBLISH);
            };
        }

        static Visibility fromWireName(String name) {
            for (Visibility v : values()) {
                if (v.wireName().equals(name)) {
                    return v;
                }
            }
            throw new IllegalStateException("unknown visibility '" + name + "'");
        }
    }

    /**
     * Actions an owner handed {@code entity} on {@code pattern}, which its namespace contains.
     * Never {@code admin}: administering a namespace stays with its owner.
     */
    record Grant(String entity, Set<Access> actions, PathPattern pattern) {
        Grant {
            Objects.requireNonNull(entity, "entity");
            actions = Set.copyOf(actions);
            Objects.requireNonNull(pattern, "pattern");
        }

        ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("entity", entity);
            ArrayNode a = o.putArray("actions");
            // Access order, so the stored form and the answers do not depend on set iteration.
            for (Access x : Access.values()) {
                if (actions.contains(x)) {
                    a.add(x.wireName());
                }
            }
            o.put("pattern", pattern.toString());
            return o;
        }

        static Grant fromJson(JsonNode o) {
            Set<Access> actions = EnumSet.noneOf(Access.class);
            o.path("actions").forEach(a -> actions.add(Access.fromWireName(a.asText()).orElseThrow()));
            return new Grant(o.path("entity").asText(), actions, PathPattern.compile(o.path("pattern").asText()));
        }
    }

    Namespace {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(visibility, "visibility");
        grants = List.copyOf(grants);
    }

    /** A newly owned namespace: open, no grants. */
    static Namespace owned(PathPattern pattern, String owner) {
        return new Namespace(pattern, owner, Visibility.OPEN, List.of());
    }

    Optional<Grant> grantTo(String entity) {
        return grants.stream().filter(g -> g.entity().equals(entity)).findFirst();
    }

    Namespace withVisibility(Visibility next) {
        return new Namespace(pattern, owner, next, grants);
    }

    /** This namespace with {@code grant} replacing any earlier grant to the same entity. */
    Namespace withGrant(Grant grant) {
        List<Grant> next = new ArrayList<>(grants.stream().filter(g -> !g.entity().equals(grant.entity())).toList());
        next.add(grant);
        return new Namespace(pattern, owner, visibility, next);
    }

    Namespace withoutGrant(String entity) {
        return new Namespace(pattern, owner, visibility, grants.stream().filter(g -> !g.entity().equals(entity)).toList());
    }

    /** Whether the two could share a key, as far as pattern containment tells: one contains the other. */
    boolean overlaps(PathPattern other) {
        return pattern.contains(other) || other.contains(pattern);
    }

    /** The stored form; {@code withGrants} false leaves out who was granted what (for non-owners). */
    ObjectNode toJson(boolean withGrants) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("pattern", pattern.toString());
        o.put("owner", owner);
        o.put("visibility", visibility.wireName());
        if (withGrants) {
            ArrayNode a = o.putArray("grants");
            grants.forEach(g -> a.add(g.toJson()));
        }
        return o;
    }

    static Namespace fromJson(JsonNode o) {
        List<Grant> grants = new ArrayList<>();
        o.path("grants").forEach(g -> grants.add(Grant.fromJson(g)));
        return new Namespace(PathPattern.compile(o.path("pattern").asText()), o.path("owner").asText(),
                Visibility.fromWireName(o.path("visibility").asText()), grants);
    }
}
