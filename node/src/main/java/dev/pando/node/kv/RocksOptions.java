package dev.pando.node.kv;

/**
 * Settings of the RocksDB engine under a store.
 *
 * @param recoverCorruptWal open even when the WAL is corrupt before its tail, dropping every
 *     record from the corruption on (a loud, reported rollback); false refuses to start
 */
public record RocksOptions(boolean recoverCorruptWal) {
    /** Refuse a corrupt WAL. */
    public static RocksOptions defaults() {
        return new RocksOptions(false);
    }
}
