package dev.pando.node.kv;

import static dev.pando.node.kv.RecordCodec.longBytes;
import static dev.pando.node.kv.RecordCodec.utf8;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a {@link RocksStorage} so that nothing is lost silently: the directory is checked
 * before RocksDB touches it ({@link StoreDir}), then the WAL is replayed strictly first, and
 * only more leniently when what the lenient mode drops is known and reported; a start that
 * may have lost acknowledged writes continues above every revision issued before.
 */
final class RocksOpener {
    private static final Logger log = LoggerFactory.getLogger(RocksOpener.class);

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
        RocksHandle rocks;
        StoreRecovery.Kind kind = fresh ? StoreRecovery.Kind.NEW : StoreRecovery.Kind.CLEAN;
        try {
            rocks = RocksHandle.open(dir, WALRecoveryMode.AbsoluteConsistency, fresh);
        } catch (RocksDBException | RuntimeException strict) {
            if (!isCorruption(strict)) {
                throw cannotOpen(dir, strict);
            }
            try {
                rocks = RocksHandle.open(dir, WALRecoveryMode.TolerateCorruptedTailRecords, false);
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
                    rocks = RocksHandle.open(dir, WALRecoveryMode.PointInTimeRecovery, false);
                    kind = StoreRecovery.Kind.CORRUPT_WAL_SKIPPED;
                } catch (RocksDBException | RuntimeException e) {
                    throw cannotOpen(dir, e);
                }
            }
        }
        try {
            return settle(dir, rocks, kind);
        } catch (IOException | RuntimeException e) {
            rocks.releaseQuietly(); // no clean-close mark: the next start must decide again
            throw e instanceof PandoException p ? p : cannotOpen(dir, e);
        }
    }

    /**
     * Decides, once RocksDB is open, whether this start rolled back, and if so moves the last
     * revision above every revision that may have been issued; then marks the store running.
     */
    private static RocksStorage settle(Path dir, RocksHandle rocks, StoreRecovery.Kind found) throws IOException {
        RevisionMark mark = RevisionMark.load(dir);
        StoreRecovery recovery = decide(dir, found, rocks.lastRevision, mark);
        if (recovery.rolledBack()) {
            recordRollback(rocks, recovery);
            log.error("STORE ROLLBACK at {}: {}; the data ends at revision {}, writes acknowledged after it may be lost."
                    + " New revisions continue after {} (revisions {}..{} do not exist); feed readers past {} must resync.",
                    dir, recovery.kind(), recovery.recoveredRevision(), recovery.resumedRevision(),
                    recovery.recoveredRevision() + 1, recovery.resumedRevision(), recovery.recoveredRevision());
        } else if (recovery.kind() == StoreRecovery.Kind.NEW) {
            log.info("created a new store at {}", dir);
        }
        mark.opened(recovery.resumedRevision());
        StoreDir.markInitialised(dir);
        return new RocksStorage(dir, rocks, mark, recovery);
    }

    /** What this start found, given what opening the WAL found and the revision mark beside it. */
    private static StoreRecovery decide(Path dir, StoreRecovery.Kind found, long recovered, RevisionMark mark) {
        StoreRecovery.Kind kind = found == StoreRecovery.Kind.CLEAN && mark.cleanAtOpen() > recovered
                ? StoreRecovery.Kind.BEHIND_REVISION_MARK : found;
        if (kind == StoreRecovery.Kind.TORN_WAL_TAIL && mark.cleanAtOpen() == recovered) {
            // Closed cleanly at exactly this revision: the torn record was a write that failed
            // (e.g. on a full disk) and was never acknowledged. Nothing was lost.
            log.warn("the WAL of {} ended in a torn record after a clean close at revision {}; nothing acknowledged was lost", dir, recovered);
            kind = StoreRecovery.Kind.CLEAN;
        }
        StoreRecovery recovery = new StoreRecovery(kind, recovered, recovered);
        if (!recovery.rolledBack()) {
            return recovery;
        }
        return new StoreRecovery(kind, recovered, Math.max(recovered, Math.max(mark.reserved(), mark.cleanAtOpen())));
    }

    /** Continues revisions after the rollback's resumed revision and records the gap, fsynced. */
    private static void recordRollback(RocksHandle rocks, StoreRecovery recovery) {
        try (WriteBatch wb = new WriteBatch()) {
            wb.put(rocks.meta, RocksHandle.LAST_REVISION, longBytes(recovery.resumedRevision()));
            wb.put(rocks.meta, utf8(RocksStorage.GAP_META), utf8(recovery.recoveredRevision() + " " + recovery.resumedRevision()));
            rocks.db.write(rocks.syncWrite, wb);
        } catch (RocksDBException e) {
            throw RocksLifecycle.failure("record rollback", e);
        }
        rocks.lastRevision = recovery.resumedRevision();
    }

    private static boolean isCorruption(Exception e) {
        return e instanceof RocksDBException r && r.getStatus() != null && r.getStatus().getCode() == Status.Code.Corruption;
    }

    private static PandoException cannotOpen(Path dir, Exception e) {
        return new PandoException(ErrorCode.UNAVAILABLE, "cannot open store at " + dir + ": " + e.getMessage(), e);
    }
}
