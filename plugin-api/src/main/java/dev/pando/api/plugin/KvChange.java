package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Objects;
import java.util.Optional;

/**
 * One committed write as the change feed, subscribers and listeners see it: the one change
 * type of the store, the event bus, the transports, the host and plugins. A delete carries JSON
 * {@code null} as its value (never Java null; a stored value is never JSON null, so the two
 * cannot be confused). Its JSON form is {@link dev.pando.api.json.WireJson#change}.
 */
public record KvChange(String key, JsonNode value, long revision, long timestamp, String origin, String writer, long originRevision) {
    public KvChange {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(writer, "writer");
        value = value == null ? NullNode.getInstance() : value;
    }

    /** A change made on this node: its origin revision is its revision. */
    public KvChange(String key, JsonNode value, long revision, long timestamp, String origin, String writer) {
        this(key, value, revision, timestamp, origin, writer, revision);
    }

    /** The change a delete of {@code key} makes. */
    public static KvChange deleted(String key, long revision, long timestamp, String origin, String writer) {
        return new KvChange(key, NullNode.getInstance(), revision, timestamp, origin, writer);
    }

    public boolean isDelete() {
        return value.isNull();
    }

    /** The entry this change leaves behind; empty for a delete, which leaves none. */
    public Optional<KvEntry> entry() {
        return isDelete() ? Optional.empty()
                : Optional.of(new KvEntry(key, value, revision, timestamp, origin, writer, originRevision));
    }
}
