package dev.pando.node.kv;

import java.util.Objects;

/**
 * How a write is made. {@code ifRevision}: {@code null} = last writer wins; {@code 0} = the key
 * must not exist; {@code n} = the key's current revision must be {@code n}. {@code sync} fsyncs
 * the WAL before acknowledging. {@code origin} null means this node.
 */
public record WriteOptions(String writer, Long ifRevision, boolean sync, String origin) {
    public WriteOptions {
        Objects.requireNonNull(writer, "writer");
        if (ifRevision != null && ifRevision < 0) {
            throw new IllegalArgumentException("ifRevision must be >= 0");
        }
    }

    public static WriteOptions by(String writer) {
        return new WriteOptions(writer, null, false, null);
    }

    public WriteOptions ifRevision(long revision) {
        return new WriteOptions(writer, revision, sync, origin);
    }

    public WriteOptions sync(boolean sync) {
        return new WriteOptions(writer, ifRevision, sync, origin);
    }
}
