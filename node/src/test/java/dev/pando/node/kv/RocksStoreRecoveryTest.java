package dev.pando.node.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a damaged data directory does at the next start: refuse, or recover loudly, never silently. */
class RocksStoreRecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StoreOptions OPTIONS = StoreOptions.defaults("n");
    private static final WriteOptions BY = WriteOptions.by("t");

    @TempDir
    Path tmp;

    // ---- item 10: a store that existed is never reopened as a new one

    @Test
    void missingCurrentIsRefusedOnEveryStartAndTheDataFilesStayUntouched() throws IOException {
        Path dir = tmp.resolve("state");
        writeAndClose(dir, 300);
        String current = Files.readString(dir.resolve("CURRENT"));
        Files.delete(dir.resolve("CURRENT"));
        Map<String, Long> before = dataFiles(dir);
        assertThat(before.keySet()).anyMatch(n -> n.endsWith(".sst")).anyMatch(n -> n.startsWith("MANIFEST-"));

        for (int start = 1; start <= 2; start++) {
            assertThatThrownBy(() -> StateStore.rocks(dir, OPTIONS))
                    .isInstanceOfSatisfying(StoreRefusedException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.reason()).isEqualTo(StoreRefusedException.Reason.MISSING_CURRENT);
                        assertThat(e.getMessage()).contains("CURRENT", "MANIFEST", "backup", "not open it as a new");
                    });
            assertThat(Files.exists(dir.resolve("CURRENT"))).as("no new CURRENT after start %d", start).isFalse();
            assertThat(dataFiles(dir)).as("data files after start %d", start).isEqualTo(before);
        }

        Files.writeString(dir.resolve("CURRENT"), current);
        try (StateStore back = StateStore.rocks(dir, OPTIONS)) {
            assertThat(back.lastRevision()).isEqualTo(300);
            assertThat(back.get("/k/299")).isPresent();
        }
    }

    @Test
    void missingCurrentAndWalIsRefusedToo() throws IOException {
        Path dir = tmp.resolve("state");
        StateStore s = StateStore.rocks(dir, OPTIONS);
        writeSome(s, 0, 300);
        s.close();
        StateStore again = StateStore.rocks(dir, OPTIONS);
        writeSome(again, 300, 50); // these live only in the WAL
        crash(again);
        Files.delete(dir.resolve("CURRENT"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path wal : files.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                Files.delete(wal);
            }
        }
        Map<String, Long> before = dataFiles(dir);

        for (int start = 1; start <= 2; start++) {
            assertThatThrownBy(() -> StateStore.rocks(dir, OPTIONS))
                    .isInstanceOfSatisfying(StoreRefusedException.class,
                            e -> assertThat(e.reason()).isEqualTo(StoreRefusedException.Reason.MISSING_CURRENT));
            assertThat(dataFiles(dir)).isEqualTo(before);
        }
    }

    @Test
    void aNeverInitialisedDirectoryIsCreatedAndMarked() {
        Path dir = tmp.resolve("fresh/state");
        try (StateStore s = StateStore.rocks(dir, OPTIONS)) {
            writeSome(s, 0, 1);
            assertThat(s.recovery().kind()).isEqualTo(StoreRecovery.Kind.NEW);
        }
        assertThat(Files.exists(dir.resolve(StoreDir.MARKER))).isTrue();
        try (StateStore s = StateStore.rocks(dir, OPTIONS)) {
            assertThat(s.recovery().kind()).isEqualTo(StoreRecovery.Kind.CLEAN);
            assertThat(s.recovery().rolledBack()).isFalse();
        }
    }

    // ---- item 11: a WAL that lost acknowledged writes never leads to reused revisions

    @Test
    void aTornWalTailIsToleratedButTheRollbackIsReportedAndRevisionsJumpAboveEverythingIssued() throws IOException {
        Path dir = tmp.resolve("state");
        StateStore s = StateStore.rocks(dir, OPTIONS);
        writeSome(s, 0, 2000);
        long issued = s.lastRevision();
        crash(s);
        Path wal = newestWal(dir);
        try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }

        try (StateStore back = StateStore.rocks(dir, OPTIONS)) {
            StoreRecovery r = back.recovery();
            assertThat(r.kind()).isEqualTo(StoreRecovery.Kind.TORN_WAL_TAIL);
            assertThat(r.rolledBack()).isTrue();
            assertThat(r.recoveredRevision()).isLessThan(issued);
            assertThat(r.resumedRevision()).isGreaterThanOrEqualTo(issued);
            long next = back.set("/after", json("1"), BY).join().revision();
            assertThat(next).isGreaterThan(issued);
            // Readers positioned before the gap pass over it; the feed says nothing of the lost revisions.
            assertThat(back.changesSince(r.recoveredRevision(), 10)).extracting(KvChange::revision).containsExactly(next);
            assertThatThrownBy(() -> back.changesSince(r.recoveredRevision() + 1, 10))
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        }
        // The jump is durable: the next start is a clean one, above it, and gap-free from there.
        try (StateStore again = StateStore.rocks(dir, OPTIONS)) {
            assertThat(again.recovery().rolledBack()).isFalse();
            long last = again.lastRevision();
            assertThat(last).isGreaterThan(issued);
            assertThat(again.set("/again", json("2"), BY).join().revision()).isEqualTo(last + 1);
        }
    }

    @Test
    void garbageInTheMiddleOfTheWalIsRefusedAndNothingIsTouched() throws IOException {
        Path dir = tmp.resolve("state");
        StateStore s = StateStore.rocks(dir, OPTIONS);
        writeSome(s, 0, 2000);
        crash(s);
        Path wal = newestWal(dir);
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(garbage), ch.size() / 2);
        }
        Map<String, Long> before = dataFiles(dir);

        for (int start = 1; start <= 2; start++) {
            assertThatThrownBy(() -> StateStore.rocks(dir, OPTIONS))
                    .isInstanceOfSatisfying(StoreRefusedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(StoreRefusedException.Reason.CORRUPT_WAL);
                        assertThat(e.getMessage()).contains("store.recover-corrupt-wal");
                    });
            assertThat(dataFiles(dir)).isEqualTo(before);
        }
    }

    @Test
    void withTheOverrideACorruptWalIsRecoveredLoudlyAndRevisionsJump() throws IOException {
        Path dir = tmp.resolve("state");
        StateStore s = StateStore.rocks(dir, OPTIONS);
        writeSome(s, 0, 2000);
        long issued = s.lastRevision();
        crash(s);
        Path wal = newestWal(dir);
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(garbage), ch.size() / 2);
        }

        try (StateStore back = StateStore.open(RocksStorage.open(dir, new RocksOptions(true)), OPTIONS)) {
            StoreRecovery r = back.recovery();
            assertThat(r.kind()).isEqualTo(StoreRecovery.Kind.CORRUPT_WAL_SKIPPED);
            assertThat(r.rolledBack()).isTrue();
            assertThat(r.recoveredRevision()).isLessThan(issued);
            assertThat(back.set("/after", json("1"), BY).join().revision()).isGreaterThan(issued);
        }
    }

    @Test
    void aCleanCloseAndAKillWithAnIntactWalRestartWithoutAGap() {
        Path dir = tmp.resolve("state");
        StateStore s = StateStore.rocks(dir, OPTIONS);
        writeSome(s, 0, 10);
        s.close();
        StateStore afterClean = StateStore.rocks(dir, OPTIONS);
        assertThat(afterClean.recovery().kind()).isEqualTo(StoreRecovery.Kind.CLEAN);
        writeSome(afterClean, 10, 10);
        crash(afterClean);
        try (StateStore afterKill = StateStore.rocks(dir, OPTIONS)) {
            assertThat(afterKill.recovery().rolledBack()).isFalse();
            assertThat(afterKill.lastRevision()).isEqualTo(20);
            assertThat(afterKill.set("/next", json("1"), BY).join().revision()).isEqualTo(21);
        }
    }

    @Test
    void aTornRecordAfterACleanCloseLostNothingAndCostsNoGap() throws IOException {
        Path dir = tmp.resolve("state");
        StateStore s = StateStore.rocks(dir, OPTIONS);
        writeSome(s, 0, 10);
        s.close();
        // What a write that failed on a full disk leaves: a few bytes of a record nobody acknowledged.
        try (FileChannel ch = FileChannel.open(newestWal(dir), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}));
        }
        try (StateStore back = StateStore.rocks(dir, OPTIONS)) {
            assertThat(back.recovery().rolledBack()).isFalse();
            assertThat(back.set("/next", json("1"), BY).join().revision()).isEqualTo(11);
        }
    }

    @Test
    void aStoreThatLostWritesAfterACleanCloseIsARollbackToo() throws IOException {
        Path dir = tmp.resolve("state");
        Path saved = tmp.resolve("backup");
        StateStore s = StateStore.rocks(dir, OPTIONS);
        writeSome(s, 0, 10);
        s.close();
        copyDir(dir, saved);
        StateStore more = StateStore.rocks(dir, OPTIONS);
        writeSome(more, 10, 10);
        more.close();
        // The operator restores the RocksDB files of an older backup but keeps the newer revision mark.
        Path mark = dir.resolve(RevisionMark.FILE);
        byte[] newerMark = Files.readAllBytes(mark);
        deleteDir(dir);
        copyDir(saved, dir);
        Files.write(mark, newerMark);

        try (StateStore back = StateStore.rocks(dir, OPTIONS)) {
            assertThat(back.recovery().kind()).isEqualTo(StoreRecovery.Kind.BEHIND_REVISION_MARK);
            assertThat(back.recovery().rolledBack()).isTrue();
            assertThat(back.set("/x", json("1"), BY).join().revision()).isGreaterThan(20);
        }
    }

    // ---- atomic batches: a kill, or a WAL torn anywhere, never leaves part of one

    @Test
    void aKillOrATornWalLeavesEveryAtomicBatchWholeOrAbsent() throws IOException {
        int groups = 90; // the whole feed in one read
        int size = 100; // ~25 KB a batch: its WAL record spans blocks, so cuts land inside records
        Path dir = tmp.resolve("state");
        StateStore s = StateStore.rocks(dir, OPTIONS);
        List<CompletableFuture<List<KvChange>>> fs = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            List<KvWrite> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                batch.add(KvWrite.set("/g/" + g + "/" + i, json("{\"pad\":\"" + "x".repeat(64) + "\"}")));
            }
            fs.add(s.apply(batch, BY));
        }
        int acknowledged = groups / 2;
        fs.subList(0, acknowledged).forEach(CompletableFuture::join);
        crash(s); // while the later batches are still being committed
        long walBytes = Files.size(newestWal(dir));

        for (double cut : new double[] {1.0, 0.8, 0.55, 0.3}) {
            Path copy = tmp.resolve("cut-" + cut);
            copyDir(dir, copy);
            try (FileChannel ch = FileChannel.open(newestWal(copy), StandardOpenOption.WRITE)) {
                ch.truncate((long) (walBytes * cut));
            }
            try (StateStore back = StateStore.rocks(copy, OPTIONS)) {
                int whole = 0;
                for (int g = 0; g < groups; g++) {
                    int present = 0;
                    for (int i = 0; i < size; i++) {
                        present += back.get("/g/" + g + "/" + i).isPresent() ? 1 : 0;
                    }
                    assertThat(present).as("batch %d after a cut at %.2f of the WAL", g, cut).isIn(0, size);
                    whole += present == size ? 1 : 0;
                }
                Map<String, Long> fed = back.changesSince(0, StateStore.MAX_FEED_LIMIT).stream()
                        .collect(Collectors.groupingBy(c -> c.key().substring(0, c.key().lastIndexOf('/')), TreeMap::new, Collectors.counting()));
                assertThat(fed.values()).as("the feed after a cut at %.2f", cut).allMatch(n -> n == size);
                assertThat(fed).hasSize(whole);
                if (cut == 1.0) {
                    assertThat(whole).as("every acknowledged batch survives a kill").isGreaterThanOrEqualTo(acknowledged);
                    assertThat(back.recovery().rolledBack()).isFalse();
                } else {
                    assertThat(whole).isLessThan(groups);
                }
            }
        }
    }

    // ---- helpers

    private static void writeAndClose(Path dir, int n) {
        try (StateStore s = StateStore.rocks(dir, OPTIONS)) {
            writeSome(s, 0, n);
        }
    }

    private static void writeSome(StateStore s, int from, int n) {
        for (int i = from; i < from + n; i++) {
            s.set("/k/" + i, json("{\"i\":" + i + ",\"pad\":\"" + "x".repeat(64) + "\"}"), BY).join();
        }
    }

    /** Stops the store's threads, then drops RocksDB as a kill -9 would: no flush, the WAL keeps the writes. */
    private static void crash(StateStore s) {
        s.closeAsIfCrashedForTest();
    }

    private static Path newestWal(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    /** RocksDB's own files with their sizes, leaving out its info log and lock. */
    private static Map<String, Long> dataFiles(Path dir) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (!name.startsWith("LOG") && !name.equals("LOCK")) {
                    out.put(name, Files.size(p));
                }
            }
        }
        return out;
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().equals("LOCK")) {
                    Files.copy(p, to.resolve(p.getFileName()));
                }
            }
        }
    }

    private static void deleteDir(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
