package dev.pando.node.kv;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.function.LongSupplier;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * What a failed storage write means and when to try again. RocksDB stops taking writes after
 * an I/O error in its WAL or a flush (reads go on), and does not resume by itself once space is
 * back unless a whole write buffer's worth is free; so the store answers writes with
 * {@code UNAVAILABLE} at once while blocked, and retries (probe, then reopen) with a backoff of
 * {@value #FIRST_RETRY_MILLIS} ms doubling to {@value #MAX_RETRY_MILLIS} ms. Used by the commit
 * thread only.
 */
final class WriteResume {
    static final long FIRST_RETRY_MILLIS = 100;
    static final long MAX_RETRY_MILLIS = 5_000;

    private final String where;
    private final LongSupplier millis;
    private volatile String blockedBy; // null: writes flow
    private long retryAt;
    private long delay = FIRST_RETRY_MILLIS;

    WriteResume(String where, LongSupplier millis) {
        this.where = where;
        this.millis = millis;
    }

    static boolean isNoSpace(RocksDBException e) {
        Status s = e.getStatus();
        boolean sub = s != null && (s.getSubCode() == Status.SubCode.NoSpace);
        String m = e.getMessage();
        return sub || (m != null && m.contains("No space left"));
    }

    static boolean isIoError(RocksDBException e) {
        Status s = e.getStatus();
        return isNoSpace(e) || (s != null && s.getCode() == Status.Code.IOError);
    }

    /** Records a failed write and returns what to tell the writers. */
    PandoException failed(RocksDBException e) {
        if (!isIoError(e)) {
            return new PandoException(ErrorCode.INTERNAL, "storage write failed: " + e.getMessage(), e);
        }
        blockedBy = isNoSpace(e)
                ? "disk full: no space left for the store at " + where + "; reads still work, and writes resume by themselves once space is freed"
                : "storage write failed (" + e.getMessage() + ") at " + where + "; writes are suspended and resume by themselves once the store recovers";
        delay = FIRST_RETRY_MILLIS;
        retryAt = millis.getAsLong() + delay;
        return new PandoException(ErrorCode.UNAVAILABLE, blockedBy, e);
    }

    boolean blocked() {
        return blockedBy != null;
    }

    /** Whether a blocked store should try to resume now. */
    boolean retryDue() {
        return blockedBy != null && millis.getAsLong() >= retryAt;
    }

    /** The answer for a write while blocked. */
    PandoException unavailable() {
        String why = blockedBy;
        return new PandoException(ErrorCode.UNAVAILABLE, why == null ? "store is resuming" : why);
    }

    /** A resume attempt failed: wait longer before the next. */
    void retryFailed() {
        delay = Math.min(delay * 2, MAX_RETRY_MILLIS);
        retryAt = millis.getAsLong() + delay;
    }

    void resumed() {
        blockedBy = null;
        delay = FIRST_RETRY_MILLIS;
    }
}
