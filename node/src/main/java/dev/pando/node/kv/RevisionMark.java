package dev.pando.node.kv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small fsynced file beside RocksDB's, outside its WAL: no revision above {@code reserved}
 * was ever issued, and {@code clean} (or -1) is the last revision at a clean close. Reserved
 * ahead in blocks, so it costs one fsync per {@link #BLOCK} revisions; after a rollback the
 * store continues above {@code reserved}, so no revision that may have been acknowledged is
 * issued twice.
 */
final class RevisionMark {
    static final String FILE = "REVISION-MARK";
    /** Revisions reserved per fsync of the mark; also the largest gap a rollback adds. */
    static final long BLOCK = 100_000;

    private final Path dir;
    private volatile long reserved;
    private final long cleanAtOpen;

    private RevisionMark(Path dir, long reserved, long clean) {
        this.dir = dir;
        this.reserved = reserved;
        this.cleanAtOpen = clean;
    }

    static RevisionMark load(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return new RevisionMark(dir, 0, -1);
        }
        long reserved = 0;
        long clean = -1;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] kv = line.split("=", 2);
            if (kv.length == 2 && kv[0].equals("reserved")) {
                reserved = Long.parseLong(kv[1].trim());
            } else if (kv.length == 2 && kv[0].equals("clean")) {
                clean = Long.parseLong(kv[1].trim());
            }
        }
        return new RevisionMark(dir, reserved, clean);
    }

    long reserved() {
        return reserved;
    }

    /** The last revision at the previous clean close, or -1 if it was not clean (or unknown). */
    long cleanAtOpen() {
        return cleanAtOpen;
    }

    /** Makes sure {@code revision} is reserved before it is written; fsyncs only when a block runs out. */
    void reserve(long revision) throws IOException {
        if (revision > reserved) {
            write(revision + BLOCK, -1);
        }
    }

    /** Records a clean close at {@code lastRevision}. */
    void closedCleanly(long lastRevision) throws IOException {
        write(Math.max(reserved, lastRevision), lastRevision);
    }

    /** Marks the store as running (not cleanly closed), reserving at least {@code revision}. */
    void opened(long revision) throws IOException {
        write(Math.max(reserved, revision), -1);
    }

    private void write(long newReserved, long clean) throws IOException {
        StoreDir.writeDurably(dir, FILE, "reserved=" + newReserved + "\n" + (clean >= 0 ? "clean=" + clean + "\n" : ""));
        reserved = newReserved;
    }
}
