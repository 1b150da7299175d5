package dev.pando.node.kv;

/**
 * How the store came up at this start. After a rollback (acknowledged writes may have been
 * lost) new revisions continue above every revision that may have been issued before, so
 * revisions {@code recoveredRevision + 1 .. resumedRevision} do not exist: an honest gap.
 *
 * @param kind what the start found
 * @param recoveredRevision the last revision found in the store's data
 * @param resumedRevision the revision new writes continue after (equal to {@code recoveredRevision} unless rolled back)
 */
public record StoreRecovery(Kind kind, long recoveredRevision, long resumedRevision) {

    /** What a start found. */
    public enum Kind {
        /** A directory never initialised: a new, empty store. */
        NEW,
        /** Every write the WAL held was recovered. */
        CLEAN,
        /** The WAL ended in a torn record (power loss, truncation): it was dropped, with any writes after it. */
        TORN_WAL_TAIL,
        /** The WAL was corrupt before its tail and {@code store.recover-corrupt-wal} let the node drop the rest. */
        CORRUPT_WAL_SKIPPED,
        /** The data holds fewer revisions than were issued before (e.g. restored from an older copy). */
        BEHIND_REVISION_MARK
    }

    /** Whether writes acknowledged before this start may have been lost. */
    public boolean rolledBack() {
        return kind == Kind.TORN_WAL_TAIL || kind == Kind.CORRUPT_WAL_SKIPPED || kind == Kind.BEHIND_REVISION_MARK;
    }

    static StoreRecovery clean(long revision) {
        return new StoreRecovery(Kind.CLEAN, revision, revision);
    }
}
