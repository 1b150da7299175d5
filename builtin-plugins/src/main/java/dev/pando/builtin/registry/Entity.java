package dev.pando.builtin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Scope;
import dev.pando.api.path.PathPattern;
import dev.pando.signing.Ed25519KeyPair;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered entity: a public key with a name, a status, tags, metadata, the scopes granted to
 * it and the namespaces it owns. Immutable; every change makes a new one, which is how the
 * identity cache tells a stale answer from a current one.
 *
 * @param id         {@code "e" + Ed25519KeyPair.fingerprint(publicKey)}: derived, never chosen
 * @param publicKey  the Ed25519 public key, 64 lowercase hex digits
 * @param metadata   a JSON object, copied in and out
 * @param createdAt  clock millis of the registration
 * @param updatedAt  clock millis of the last change
 */
record Entity(String id, Type type, String name, String publicKey, Status status, List<String> tags, ObjectNode metadata,
              List<Scope> scopes, List<PathPattern> namespaces, long createdAt, long updatedAt) {

    /** What an entity is; informational, it grants nothing. */
    enum Type {
        DEVICE, USER, SERVICE, NODE;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Type> fromWireName(String name) {
            for (Type t : values()) {
                if (t.wireName().equals(name)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    /** Only an active entity gets tokens and an identity; revoked is final. */
    enum Status {
        ACTIVE, SUSPENDED, REVOKED;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Status> fromWireName(String name) {
            for (Status s : values()) {
                if (s.wireName().equals(name)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    Entity {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(status, "status");
        tags = List.copyOf(tags);
        metadata = metadata.deepCopy();
        scopes = List.copyOf(scopes);
        namespaces = List.copyOf(namespaces);
    }

    /** The id of the entity holding {@code publicKey}: {@code e} and the key's 16-hex-digit fingerprint. */
    static String idOf(byte[] publicKey) {
        return "e" + Ed25519KeyPair.fingerprint(publicKey);
    }

    /** The principal name its tokens stand for: {@code ent:<id>}. */
    static String principalOf(String id) {
        return "ent:" + id;
    }

    String principal() {
        return principalOf(id);
    }

    byte[] publicKeyBytes() {
        return HexFormat.of().parseHex(publicKey);
    }

    boolean isActive() {
        return status == Status.ACTIVE;
    }

    @Override
    public ObjectNode metadata() {
        return metadata.deepCopy();
    }

    Entity withStatus(Status next, long now) {
        return new Entity(id, type, name, publicKey, next, tags, metadata, scopes, namespaces, createdAt, now);
    }

    Entity withNamespaces(List<PathPattern> next, long now) {
        return new Entity(id, type, name, publicKey, status, tags, metadata, scopes, next, createdAt, now);
    }

    /** Its JSON form, as ops answer and as stored. */
    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", id);
        o.put("type", type.wireName());
        o.put("name", name);
        o.put("publicKey", publicKey);
        o.put("status", status.wireName());
        var t = o.putArray("tags");
        tags.forEach(t::add);
        o.set("metadata", metadata.deepCopy());
        var s = o.putArray("scopes");
        scopes.forEach(x -> s.add(x.toString()));
        var n = o.putArray("namespaces");
        namespaces.forEach(x -> n.add(x.toString()));
        o.put("createdAt", createdAt);
        o.put("updatedAt", updatedAt);
        return o;
    }

    /** Reads a stored entity; the store only holds what {@link #toJson} wrote. */
    static Entity fromJson(JsonNode o) {
        return new Entity(o.path("id").asText(),
                Type.fromWireName(o.path("type").asText()).orElseThrow(() -> new IllegalStateException("bad type in " + o)),
                o.path("name").asText(), o.path("publicKey").asText(),
                Status.fromWireName(o.path("status").asText()).orElseThrow(() -> new IllegalStateException("bad status in " + o)),
                texts(o.path("tags")), o.path("metadata").isObject() ? (ObjectNode) o.get("metadata") : JsonNodeFactory.instance.objectNode(),
                texts(o.path("scopes")).stream().map(Scope::parse).toList(),
                texts(o.path("namespaces")).stream().map(PathPattern::compile).toList(),
                o.path("createdAt").asLong(), o.path("updatedAt").asLong());
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
