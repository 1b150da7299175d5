package dev.pando.node.kv;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks a store directory before RocksDB touches it. RocksDB with {@code create_if_missing}
 * treats a store whose CURRENT file is gone as new, writes a fresh manifest and then deletes
 * the old data files; so only a directory that never held a store may be created, and one that
 * did is refused with a way out.
 */
final class StoreDir {
    /** Written durably after the first successful open: this directory holds a store. */
    static final String MARKER = "PANDO-STORE";
    /** Files RocksDB writes only once a store exists (WALs are digits + ".log"). */
    private static final Pattern DATA_FILE = Pattern.compile("MANIFEST-\\d+|OPTIONS-\\d+|IDENTITY|\\d+\\.(sst|log|blob)");

    private StoreDir() {}

    /**
     * True if {@code dir} never held a store (RocksDB may create one); false if it holds one
     * with its CURRENT file. Throws {@link StoreRefusedException} if it held one but CURRENT is gone.
     */
    static boolean isNew(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        if (Files.exists(dir.resolve("CURRENT"))) {
            return false;
        }
        List<String> evidence;
        try (Stream<Path> files = Files.list(dir)) {
            evidence = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.equals(MARKER) || n.equals(RevisionMark.FILE) || DATA_FILE.matcher(n).matches())
                    .sorted().limit(8).toList();
        }
        if (evidence.isEmpty()) {
            return true;
        }
        throw new StoreRefusedException(StoreRefusedException.Reason.MISSING_CURRENT, "the store at " + dir
                + " was initialised before (found " + String.join(", ", evidence) + ") but its CURRENT file is missing;"
                + " refusing to start, and will not open it as a new, empty store (RocksDB would then delete the old data files)."
                + " To recover: stop here and copy the directory; restore it from a backup, or, if a MANIFEST-<n> file is"
                + " there, recreate CURRENT naming the newest one (echo MANIFEST-<n> > " + dir.resolve("CURRENT") + ")"
                + " and start again. To start empty on purpose, move the directory away.", null);
    }

    /** Records durably that {@code dir} holds a store. */
    static void markInitialised(Path dir) throws IOException {
        if (!Files.exists(dir.resolve(MARKER))) {
            writeDurably(dir, MARKER, "a Pando store lives here; never delete its CURRENT file\n");
        }
    }

    /** Writes {@code name} in {@code dir} via a synced temp file, an atomic rename and a synced directory. */
    static void writeDurably(Path dir, String name, String text) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the file itself is synced.
        }
    }
}
