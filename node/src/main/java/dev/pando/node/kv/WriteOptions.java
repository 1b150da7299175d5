package dev.pando.node.kv;

import java.util.Objects;

/**
 * How a write is made. {@code ifRevision}: {@code null} = last writer wins; {@code 0} = the key
 * must not exist; {@code n} = the key's current revision must be {@code n}. {@code sync} fsyncs
 * the WAL before acknowledging. {@code origin} null means this node; a write replicated from
 * another node carries that node's id and the revision the write had there ({@code
 * originRevision}, 0 for a local write, whose origin revision is the revision it gets here).
 * {@code published} false makes an unpublished write: stored and numbered like any other, but
 * never in the change feed nor told to commit listeners (a plugin's private bookkeeping, which
 * nobody follows); replicated writes are always published.
 */
public record WriteOptions(String writer, Long ifRevision, boolean sync, String origin, long originRevision, boolean published) {
    /** Longest writer or origin, in bytes of UTF-8, a store accepts ({@code BAD_REQUEST} beyond). */
    public static final int MAX_NAME_BYTES = 1024;

    public WriteOptions {
        Objects.requireNonNull(writer, "writer");
        if (ifRevision != null && ifRevision < 0) {
            throw new IllegalArgumentException("ifRevision must be >= 0");
        }
        if ((origin == null) != (originRevision == 0) || originRevision < 0) {
            throw new IllegalArgumentException("a replicated write names its origin and a positive origin revision; a local one neither");
        }
        if (origin != null && !published) {
            throw new IllegalArgumentException("a replicated write is always published");
        }
    }

    public static WriteOptions by(String writer) {
        return new WriteOptions(writer, null, false, null, 0, true);
    }

    /** A write first made on node {@code origin} at revision {@code originRevision} there, applied here as it was. */
    public static WriteOptions replicated(String writer, String origin, long originRevision) {
        return new WriteOptions(writer, null, false, origin, originRevision, true);
    }

    public WriteOptions ifRevision(long revision) {
        return new WriteOptions(writer, revision, sync, origin, originRevision, published);
    }

    public WriteOptions sync(boolean sync) {
        return new WriteOptions(writer, ifRevision, sync, origin, originRevision, published);
    }

    /** The same options for an unpublished write (see the class comment). */
    public WriteOptions asUnpublished() {
        return new WriteOptions(writer, ifRevision, sync, origin, originRevision, false);
    }
}
