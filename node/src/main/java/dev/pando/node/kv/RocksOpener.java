package dev.pando.node.kv;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;

/**
 * Opens a {@link RocksStorage} so that nothing is lost silently: the directory is checked
 * before RocksDB touches it ({@link StoreDir}), then the WAL is replayed strictly first, and
 * only more leniently when what the lenient mode drops is known and reported.
 */
final class RocksOpener {
    private RocksOpener() {}

    /**
     * Opens the store in {@code dir}, creating it only if the directory never held one. A WAL
     * that lost its tail opens with a reported rollback; one corrupt before its tail is refused
     * unless {@link RocksOptions#recoverCorruptWal()}. Fails with {@link StoreRefusedException}
     * or {@code UNAVAILABLE}.
     */
    static RocksStorage open(Path dir, RocksOptions options) {
        boolean fresh;
        try {
            Files.createDirectories(dir);
            fresh = StoreDir.isNew(dir);
        } catch (IOException e) {
            throw new PandoException(ErrorCode.UNAVAILABLE, "cannot use data dir " + dir + ": " + e.getMessage(), e);
        }
        RocksStorage storage;
        StoreRecovery.Kind kind = fresh ? StoreRecovery.Kind.NEW : StoreRecovery.Kind.CLEAN;
        try {
            storage = new RocksStorage(dir, WALRecoveryMode.AbsoluteConsistency, fresh);
        } catch (RocksDBException | RuntimeException strict) {
            if (!isCorruption(strict)) {
                throw cannotOpen(dir, strict);
            }
            try {
                storage = new RocksStorage(dir, WALRecoveryMode.TolerateCorruptedTailRecords, false);
                kind = StoreRecovery.Kind.TORN_WAL_TAIL;
            } catch (RocksDBException | RuntimeException tail) {
                if (!isCorruption(tail)) {
                    throw cannotOpen(dir, tail);
                }
                if (!options.recoverCorruptWal()) {
                    throw new StoreRefusedException(StoreRefusedException.Reason.CORRUPT_WAL, "the WAL of the store at " + dir
                            + " is corrupt before its end (" + tail.getMessage() + "); refusing to start, since opening it would"
                            + " drop every write from the corruption on. Restore the directory from a backup, or accept the loss"
                            + " with store.recover-corrupt-wal=true (the node then starts at the last intact revision, reports the"
                            + " rollback and continues above every revision issued before).", tail);
                }
                try {
                    storage = new RocksStorage(dir, WALRecoveryMode.PointInTimeRecovery, false);
                    kind = StoreRecovery.Kind.CORRUPT_WAL_SKIPPED;
                } catch (RocksDBException | RuntimeException e) {
                    throw cannotOpen(dir, e);
                }
            }
        }
        try {
            storage.settle(kind);
            return storage;
        } catch (IOException | RuntimeException e) {
            storage.closeAsIfCrashed(); // no clean-close mark: the next start must decide again
            throw e instanceof PandoException p ? p : cannotOpen(dir, e);
        }
    }

    private static boolean isCorruption(Exception e) {
        return e instanceof RocksDBException r && r.getStatus() != null && r.getStatus().getCode() == Status.Code.Corruption;
    }

    private static PandoException cannotOpen(Path dir, Exception e) {
        return new PandoException(ErrorCode.UNAVAILABLE, "cannot open store at " + dir + ": " + e.getMessage(), e);
    }
}
