package dev.pando.node.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksStateStoreTest extends StateStoreContract {
    @TempDir
    Path tmp;
    private int dbs;

    @Override
    protected Storage newStorage() {
        return RocksStorage.open(tmp.resolve("db" + dbs++));
    }

    @Test
    void reopenKeepsStateFeedCursorsAndContinuesRevisions() {
        Path dir = tmp.resolve("reopen");
        StoreOptions options = StoreOptions.defaults("node-a");
        StateStore first = StateStore.rocks(dir, options);
        set(first, "/a", "{\"v\":1}");
        set(first, "/b", "2");
        first.delete("/b", WriteOptions.by("bob")).join();
        KvChange lastBefore = set(first, "/c/d", "[3]");
        ChangeCursor cursor = first.cursor("journal");
        cursor.commit(2);
        first.cursor("federation");
        first.close();

        StateStore second = track(StateStore.rocks(dir, options));
        assertThat(second.lastRevision()).isEqualTo(4);
        assertThat(second.get("/a").orElseThrow()).isEqualTo(new KvEntry("/a", json("{\"v\":1}"), 1, second.get("/a").get().timestamp(), "node-a", "alice"));
        assertThat(second.get("/b")).isEmpty();
        assertThat(second.get("/c/d").orElseThrow().value()).isEqualTo(json("[3]"));
        assertThat(second.changesSince(0, 100)).extracting(KvChange::key).containsExactly("/a", "/b", "/b", "/c/d");
        assertThat(second.changesSince(0, 100).get(2).isDelete()).isTrue();
        assertThat(second.cursorPositions()).containsEntry("journal", 2L).containsEntry("federation", 0L);
        assertThat(second.cursor("journal").poll(10)).extracting(KvChange::revision).containsExactly(3L, 4L);

        KvChange next = set(second, "/e", "5");
        assertThat(next.revision()).isEqualTo(5);
        assertThat(next.timestamp()).isGreaterThanOrEqualTo(lastBefore.timestamp());
    }

    @Test
    void theFeedsEndAndStartAcrossGapsSurviveReopen() {
        Path dir = tmp.resolve("gaps");
        StoreOptions options = StoreOptions.defaults("n").withRetainCount(2);
        StateStore first = StateStore.rocks(dir, options);
        setNumbered(first, 5);
        first.apply(sets("/p/6", "/p/7", "/p/8", "/p/9"), QUIET).join();
        first.prune();
        first.close();

        StateStore second = track(StateStore.rocks(dir, options));
        assertThat(second.lastRevision()).isEqualTo(9);
        assertThat(second.lastChangeRevision()).as("the feed ends at the last published write").isEqualTo(5);
        assertThat(second.firstRetainedRevision()).isEqualTo(6);
        assertThat(second.changesSince(5, 10)).isEmpty();
        assertThatThrownBy(() -> second.changesSince(4, 10)).isInstanceOf(PandoException.class);
        assertThat(set(second, "/k/10", "10").revision()).isEqualTo(10);
        assertThat(second.changesSince(5, 10)).extracting(KvChange::revision).containsExactly(10L);
    }

    @Test
    void inMemoryReadsDeclineWhatOnlyTheDiskHolds() {
        Path dir = tmp.resolve("cold");
        StoreOptions options = StoreOptions.defaults("node-a");
        StateStore first = StateStore.rocks(dir, options);
        set(first, "/cold", "1");
        assertThat(first.getInMemory("/cold")).as("fresh write: in the memtable")
                .hasValueSatisfying(e -> assertThat(e.orElseThrow().value()).isEqualTo(json("1")));
        first.close(); // flushes the memtable to a table file

        StateStore second = track(StateStore.rocks(dir, options));
        assertThat(second.getInMemory("/cold")).as("its block is on disk only").isEmpty();
        assertThat(second.get("/cold").orElseThrow().value()).isEqualTo(json("1")); // reads the block into the cache
        assertThat(second.getInMemory("/cold")).hasValueSatisfying(e -> assertThat(e.orElseThrow().revision()).isEqualTo(1));
        set(second, "/new", "2");
        assertThat(second.getInMemory("/absent")).as("absent is an answer too").hasValueSatisfying(e -> assertThat(e).isEmpty());
    }

    @Test
    void pruningSurvivesReopen() {
        Path dir = tmp.resolve("pruned");
        StoreOptions options = StoreOptions.defaults("n").withRetainCount(3);
        StateStore first = StateStore.rocks(dir, options);
        for (int i = 1; i <= 10; i++) {
            set(first, "/k", String.valueOf(i));
        }
        first.prune();
        first.close();

        StateStore second = track(StateStore.rocks(dir, options));
        assertThat(second.firstRetainedRevision()).isEqualTo(8);
        assertThat(second.changesSince(7, 100)).extracting(KvChange::revision).containsExactly(8L, 9L, 10L);
        assertThat(set(second, "/k", "11").revision()).isEqualTo(11);
    }

    @Test
    void revisionsContinueAfterTheWholeFeedWasPruned() {
        Path dir = tmp.resolve("empty-feed");
        StoreOptions options = StoreOptions.defaults("n").withRetainAgeMillis(1);
        StateStore first = StateStore.rocks(dir, options);
        set(first, "/k", "1");
        set(first, "/k", "2");
        long deadline = System.currentTimeMillis() + 5_000;
        while (first.firstRetainedRevision() != 3 && System.currentTimeMillis() < deadline) {
            first.prune();
        }
        assertThat(first.firstRetainedRevision()).isEqualTo(3);
        first.close();

        StateStore second = track(StateStore.rocks(dir, options));
        assertThat(second.lastRevision()).isEqualTo(2);
        assertThat(set(second, "/k", "3").revision()).isEqualTo(3);
    }

    @Test
    void syncWritesAreAcknowledgedAndDurable() {
        Path dir = tmp.resolve("sync");
        StateStore first = StateStore.rocks(dir, StoreOptions.defaults("n"));
        assertThat(first.set("/s/1", json("1"), ALICE.sync(true)).join().revision()).isEqualTo(1);
        List<CompletableFuture<KvChange>> mixed = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            mixed.add(first.set("/s/m" + i, json("1"), ALICE.sync(i % 50 == 0)));
        }
        mixed.forEach(CompletableFuture::join);
        first.close();

        StateStore second = track(StateStore.rocks(dir, StoreOptions.defaults("n").withSyncByDefault(true)));
        assertThat(second.get("/s/1")).isPresent();
        assertThat(second.lastRevision()).isEqualTo(201);
        assertThat(set(second, "/s/2", "2").revision()).isEqualTo(202);
    }

    @Test
    void createsMissingDirectoriesAndRefusesASecondOpen() {
        Path dir = tmp.resolve("a/b/c");
        StateStore s = track(StateStore.rocks(dir, StoreOptions.defaults("n")));
        assertThat(Files.isDirectory(dir)).isTrue();
        set(s, "/k", "1");
        assertThatThrownBy(() -> StateStore.rocks(dir, StoreOptions.defaults("n")))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(s.get("/k")).isPresent();
    }

    @Test
    void closedStorageRefusesCallsInsteadOfCrashing() {
        RocksStorage storage = RocksStorage.open(tmp.resolve("closed"));
        storage.close();
        storage.close();
        assertThatThrownBy(() -> storage.get(new byte[] {'/', 'k'})).isInstanceOfSatisfying(PandoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThatThrownBy(() -> storage.iterate(new byte[] {'/'}, null)).isInstanceOf(PandoException.class);
    }
}
