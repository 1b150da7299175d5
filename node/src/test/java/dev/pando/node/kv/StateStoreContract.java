package dev.pando.node.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.KvWrite;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Behaviour every {@link Storage} engine must give a {@link StateStore}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class StateStoreContract {
    static final ObjectMapper JSON = new ObjectMapper();
    static final WriteOptions ALICE = WriteOptions.by("alice");
    /** An fsynced write is never committed on the writer's thread: it reaches the commit thread (to hold it there). */
    static final WriteOptions VIA_COMMIT_THREAD = ALICE.sync(true);

    private final List<StateStore> opened = new ArrayList<>();
    protected StateStore store;

    /** A fresh, empty engine. */
    protected abstract Storage newStorage();

    @BeforeEach
    void openDefaultStore() {
        store = open(StoreOptions.defaults("node-a"));
    }

    @AfterEach
    void closeStores() {
        opened.forEach(StateStore::close);
    }

    protected StateStore open(StoreOptions options) {
        return track(StateStore.open(newStorage(), options));
    }

    protected StateStore track(StateStore s) {
        opened.add(s);
        return s;
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static KvChange set(StateStore s, String key, String value) {
        return s.set(key, json(value), ALICE).join();
    }

    /** Writes {@code /k/i = i} for i from 1 to {@code n}: revisions 1 to n in a fresh store. */
    static void setNumbered(StateStore s, int n) {
        for (int i = 1; i <= n; i++) {
            set(s, "/k/" + i, String.valueOf(i));
        }
    }

    static PandoException failure(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(PandoException.class);
            return (PandoException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError("write did not complete", e);
        }
        return fail("expected the write to fail, it succeeded");
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }

    static List<String> keys(KvPage page) {
        return page.entries().stream().map(KvEntry::key).collect(Collectors.toList());
    }

    /** Follows cursors to the end; returns every page. */
    static List<KvPage> scanAll(StateStore s, ScanQuery q) {
        List<KvPage> pages = new ArrayList<>();
        KvPage page = s.scan(q);
        pages.add(page);
        while (page.next().isPresent()) {
            page = s.scan(q.after(page.next().get()));
            pages.add(page);
            assertThat(pages).as("runaway paging").hasSizeLessThan(10_000);
        }
        return pages;
    }

    static List<String> allKeys(List<KvPage> pages) {
        return pages.stream().flatMap(p -> p.entries().stream()).map(KvEntry::key).collect(Collectors.toList());
    }

    static void writeAll(StateStore s, List<String> keys) {
        List<CompletableFuture<KvChange>> fs = new ArrayList<>();
        for (String k : keys) {
            fs.add(s.set(k, json("1"), ALICE));
        }
        fs.forEach(CompletableFuture::join);
    }

    // --- get / set / delete ---------------------------------------------------------------

    @Test
    void setThenGetReturnsValueWithMetadata() {
        long before = System.currentTimeMillis();
        KvChange c = store.set("/site-a/lights/1", json("{\"on\":true,\"level\":7}"), ALICE).join();
        long after = System.currentTimeMillis();

        assertThat(c.revision()).isEqualTo(1);
        assertThat(c.isDelete()).isFalse();
        KvEntry e = store.get("/site-a/lights/1").orElseThrow();
        assertThat(e.value()).isEqualTo(json("{\"on\":true,\"level\":7}"));
        assertThat(e.revision()).isEqualTo(1);
        assertThat(e.origin()).isEqualTo("node-a");
        assertThat(e.writer()).isEqualTo("alice");
        assertThat(e.timestamp()).isBetween(before, after);
        assertThat(e).isEqualTo(c.entry().orElseThrow());
    }

    @Test
    void aReplicatedWriteKeepsItsOriginAndOriginRevision() {
        KvChange c = store.set("/x", json("1"), WriteOptions.replicated("peer", "node-b", 4711)).join();
        assertThat(c.origin()).isEqualTo("node-b");
        assertThat(c.originRevision()).isEqualTo(4711);
        assertThat(c.revision()).isNotEqualTo(4711);
        KvEntry stored = store.get("/x").orElseThrow();
        assertThat(stored.origin()).isEqualTo("node-b");
        assertThat(stored.originRevision()).isEqualTo(4711);
        assertThat(store.changesSince(0, 10).get(0).originRevision()).isEqualTo(4711);
        KvChange local = store.set("/y", json("2"), WriteOptions.by("me")).join();
        assertThat(local.originRevision()).as("a local write's origin revision is its revision").isEqualTo(local.revision());
        assertThatThrownBy(() -> WriteOptions.replicated("peer", "node-b", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void getOfMissingKeyIsEmpty() {
        assertThat(store.get("/nothing/here")).isEmpty();
    }

    @Test
    void storedValueIsACopyOfTheCallersTree() {
        ObjectNode value = JSON.createObjectNode().put("n", 1);
        store.set("/k", value, ALICE).join();
        value.put("n", 2);
        assertThat(store.get("/k").orElseThrow().value()).isEqualTo(json("{\"n\":1}"));
        ((ObjectNode) store.get("/k").orElseThrow().value()).put("n", 3);
        assertThat(store.get("/k").orElseThrow().value()).isEqualTo(json("{\"n\":1}"));
    }

    @Test
    void lastWriterWins() {
        KvChange first = set(store, "/k", "\"one\"");
        KvChange second = store.set("/k", json("\"two\""), WriteOptions.by("bob")).join();
        assertThat(second.revision()).isGreaterThan(first.revision());
        KvEntry e = store.get("/k").orElseThrow();
        assertThat(e.value().asText()).isEqualTo("two");
        assertThat(e.revision()).isEqualTo(second.revision());
        assertThat(e.writer()).isEqualTo("bob");
    }

    @Test
    void deleteRemovesTheKeyAndRecordsANullChange() {
        set(store, "/k", "1");
        KvChange d = store.delete("/k", WriteOptions.by("bob")).join();
        assertThat(d.isDelete()).isTrue();
        assertThat(d.isDelete()).isTrue();
        assertThat(d.value().isNull()).isTrue();
        assertThat(d.revision()).isEqualTo(2);
        assertThat(d.writer()).isEqualTo("bob");
        assertThat(store.get("/k")).isEmpty();
        assertThat(store.scan(ScanQuery.prefix("/")).entries()).isEmpty();
    }

    @Test
    void deleteOfAbsentKeyIsNotFound() {
        assertThat(failure(store.delete("/k", ALICE)).code()).isEqualTo(ErrorCode.NOT_FOUND);
        set(store, "/k", "1");
        store.delete("/k", ALICE).join();
        assertThat(failure(store.delete("/k", ALICE)).code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(store.lastRevision()).isEqualTo(2);
    }

    // --- compare-and-set ------------------------------------------------------------------

    @Test
    void ifRevisionZeroCreatesOnlyWhenAbsent() {
        KvChange created = store.set("/k", json("1"), ALICE.ifRevision(0)).join();
        assertThat(created.revision()).isEqualTo(1);

        PandoException e = failure(store.set("/k", json("2"), ALICE.ifRevision(0)));
        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(e.getMessage()).contains("expected revision 0").contains("actual revision is 1");
        assertThat(store.get("/k").orElseThrow().value()).isEqualTo(json("1"));
    }

    @Test
    void ifRevisionMatchingSucceedsAndMismatchingConflicts() {
        KvChange one = set(store, "/k", "1");
        set(store, "/other", "1");
        KvChange two = store.set("/k", json("2"), ALICE.ifRevision(one.revision())).join();
        assertThat(two.revision()).isEqualTo(3);

        PandoException e = failure(store.set("/k", json("3"), ALICE.ifRevision(one.revision())));
        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(e.getMessage()).contains("expected revision 1").contains("actual revision is 3");
        assertThat(store.get("/k").orElseThrow().value()).isEqualTo(json("2"));
    }

    @Test
    void ifRevisionOnAbsentKeyConflicts() {
        PandoException e = failure(store.set("/k", json("1"), ALICE.ifRevision(4)));
        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(e.getMessage()).contains("expected revision 4").contains("actual revision 0");
        assertThat(store.get("/k")).isEmpty();
    }

    @Test
    void conditionalDelete() {
        KvChange c = set(store, "/k", "1");
        assertThat(failure(store.delete("/k", ALICE.ifRevision(c.revision() + 1))).code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(store.get("/k")).isPresent();
        assertThat(store.delete("/k", ALICE.ifRevision(c.revision())).join().isDelete()).isTrue();
        assertThat(store.get("/k")).isEmpty();
    }

    @Test
    void writesOfOneBatchSeeTheEarlierWritesOfThatBatch() throws Exception {
        // Hold the commit thread in storage so the writes below queue up and form one batch.
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StateStore store = heldStore(StoreOptions.defaults("node-a"), entered, release);
        store.set("/warmup", json("0"), VIA_COMMIT_THREAD);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        List<List<KvChange>> batches = new CopyOnWriteArrayList<>();
        store.addCommitListener(batches::add);

        CompletableFuture<KvChange> a = store.set("/k", json("1"), ALICE.ifRevision(0));
        CompletableFuture<KvChange> b = store.set("/k", json("2"), ALICE.ifRevision(0));
        CompletableFuture<KvChange> c = store.delete("/k", ALICE);
        CompletableFuture<KvChange> d = store.delete("/k", ALICE);
        CompletableFuture<KvChange> e = store.set("/k", json("3"), ALICE.ifRevision(0));
        CompletableFuture<KvChange> f = store.set("/k", json("4"), ALICE.ifRevision(4));
        release.countDown();

        assertThat(a.join().revision()).isEqualTo(2);
        assertThat(failure(b).code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(c.join().revision()).isEqualTo(3);
        assertThat(failure(d).code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(e.join().revision()).isEqualTo(4);
        assertThat(f.join().revision()).isEqualTo(5);
        assertThat(store.get("/k").orElseThrow().value()).isEqualTo(json("4"));
        await(() -> batches.size() >= 2);
        // The held warm-up write is answered after the listener was added; then one batch.
        assertThat(batches).extracting(batch -> batch.stream().map(KvChange::revision).toList())
                .containsExactly(List.of(1L), List.of(2L, 3L, 4L, 5L));
    }

    @Test
    void failedWritesChangeNothingAndConsumeNoRevision() {
        set(store, "/a", "1");
        List<CompletableFuture<KvChange>> failed = List.of(
                store.set("/a", json("2"), ALICE.ifRevision(7)),
                store.set("/a", json("2"), ALICE.ifRevision(0)),
                store.delete("/b", ALICE),
                store.set("/bad/*", json("2"), ALICE),
                store.set("/c", null, ALICE));
        failed.forEach(StateStoreContract::failure);

        assertThat(store.lastRevision()).isEqualTo(1);
        assertThat(store.get("/a").orElseThrow().value()).isEqualTo(json("1"));
        assertThat(store.get("/b")).isEmpty();
        assertThat(set(store, "/c", "3").revision()).isEqualTo(2);
        assertThat(store.changesSince(0, 100)).extracting(KvChange::revision).containsExactly(1L, 2L);
    }

    // --- atomic batches --------------------------------------------------------------------

    static KvWrite put(String key, String value) {
        return KvWrite.set(key, json(value));
    }

    static List<Long> revisions(List<KvChange> changes) {
        return changes.stream().map(KvChange::revision).toList();
    }

    @Test
    void anAtomicBatchCommitsInOrderWithConsecutiveRevisions() {
        set(store, "/a", "0");
        set(store, "/gone", "0");
        List<KvChange> changes = store.apply(List.of(
                put("/b", "1"),
                KvWrite.set("/a", json("2"), 1),       // compare-and-set against storage
                KvWrite.set("/c", json("3"), 0),       // must not exist
                KvWrite.set("/c", json("4"), 5),       // against the batch's own earlier write
                KvWrite.delete("/gone"),
                KvWrite.delete("/never"),              // absent: skipped, no revision
                KvWrite.delete("/b"),                  // written earlier in the batch
                KvWrite.delete("/b")), ALICE).join();  // and so absent by now: skipped

        assertThat(changes).extracting(KvChange::key).containsExactly("/b", "/a", "/c", "/c", "/gone", "/b");
        assertThat(revisions(changes)).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(changes).extracting(KvChange::isDelete).containsExactly(false, false, false, false, true, true);
        assertThat(changes.get(0).timestamp()).isEqualTo(changes.get(5).timestamp());
        assertThat(store.get("/a").orElseThrow().value()).isEqualTo(json("2"));
        assertThat(store.get("/c").orElseThrow().revision()).isEqualTo(6);
        assertThat(store.get("/b")).isEmpty();
        assertThat(store.get("/gone")).isEmpty();
        assertThat(store.lastRevision()).isEqualTo(8);
        assertThat(store.changesSince(2, 100)).isEqualTo(changes);
        assertThat(store.apply(List.of(), ALICE).join()).isEmpty();
        assertThat(store.apply(List.of(KvWrite.delete("/never")), ALICE).join()).isEmpty();
        assertThat(set(store, "/next", "9").revision()).as("skipped deletes consumed no revision").isEqualTo(9);
    }

    @Test
    void aConflictAnywhereInAnAtomicBatchWritesNothingAndConsumesNoRevision() {
        set(store, "/a", "0");
        List<KvChange> before = store.changesSince(0, 100);
        PandoException e = failure(store.apply(List.of(
                put("/x", "1"),
                KvWrite.delete("/a"),
                KvWrite.set("/a", json("2"), 1),       // /a was deleted by the write before: revision 0 now
                put("/y", "3")), ALICE));
        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(e.getMessage()).contains("'/a'", "expected revision 1", "write 3 of 4", "none of it was written");
        assertThat(failure(store.apply(List.of(put("/x", "1"), KvWrite.set("/x", json("2"), 0)), ALICE)).code())
                .isEqualTo(ErrorCode.CONFLICT);

        assertThat(store.get("/x")).isEmpty();
        assertThat(store.get("/y")).isEmpty();
        assertThat(store.get("/a").orElseThrow().value()).isEqualTo(json("0"));
        assertThat(store.lastRevision()).isEqualTo(1);
        assertThat(store.changesSince(0, 100)).isEqualTo(before);
        assertThat(set(store, "/z", "4").revision()).isEqualTo(2);
    }

    @Test
    void anAtomicBatchWithOneBadWriteIsRefusedWhole() {
        StateStore small = open(StoreOptions.defaults("n").withMaxValueBytes(100));
        List<KvWrite> atLimit = new ArrayList<>();
        for (int i = 0; i < StateStore.MAX_ATOMIC_WRITES; i++) {
            atLimit.add(put("/many/" + i, "1"));
        }
        List<KvWrite> onePast = new ArrayList<>(atLimit);
        onePast.add(put("/many/last", "1"));
        List<KvWrite> withNull = new ArrayList<>(List.of(put("/ok", "1")));
        withNull.add(null);

        assertThat(failure(small.apply(List.of(put("/ok", "1"), put("/bad/../key", "1")), ALICE)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure(small.apply(List.of(put("/ok", "1"), KvWrite.set("/null", NullNode.getInstance())), ALICE)).code())
                .isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure(small.apply(List.of(put("/ok", "1"), put("/big", "\"" + "x".repeat(99) + "\"")), ALICE)).code())
                .isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(failure(small.apply(withNull, ALICE)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure(small.apply(List.of(put("/ok", "1")), ALICE.ifRevision(0))).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure(small.apply(List.of(put("/ok", "1")), WriteOptions.replicated("peer", "node-b", 1))).code())
                .isEqualTo(ErrorCode.BAD_REQUEST);
        PandoException tooMany = failure(small.apply(onePast, ALICE));
        assertThat(tooMany.code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(tooMany.getMessage()).contains(String.valueOf(StateStore.MAX_ATOMIC_WRITES), String.valueOf(onePast.size()));
        assertThat(small.lastRevision()).isZero();
        assertThat(small.get("/ok")).isEmpty();

        assertThat(small.apply(atLimit, ALICE).join()).hasSize(StateStore.MAX_ATOMIC_WRITES);
        assertThat(small.lastRevision()).isEqualTo(StateStore.MAX_ATOMIC_WRITES);
    }

    @Test
    void anAtomicBatchRespectsTheOwnershipGuardForEveryKey() {
        java.util.function.Function<String, java.util.Optional<String>> owner =
                key -> key.startsWith("/site-b/") ? java.util.Optional.of("node-b") : java.util.Optional.empty();
        store.refuseWritesOwnedElsewhere(owner);
        PandoException e = failure(store.apply(List.of(put("/site-a/1", "1"), put("/site-b/1", "1")), ALICE));
        assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(e.getMessage()).contains("'/site-b/1'", "node-b");
        assertThat(failure(store.apply(List.of(KvWrite.delete("/site-b/2")), ALICE)).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(store.get("/site-a/1")).isEmpty();
        assertThat(store.lastRevision()).isZero();
        store.withdrawOwnershipGuard(owner);
        assertThat(store.apply(List.of(put("/site-a/1", "1"), put("/site-b/1", "1")), ALICE).join()).hasSize(2);
    }

    /**
     * An atomic batch queued among single writes is one storage batch's part, never split: a
     * storage batch that it would take past {@link GroupCommitter#MAX_BATCH} ends before it, and
     * the listeners get its changes in one call. The single writes around it see its writes, and a
     * refused batch leaves no trace the writes after it could see.
     */
    @Test
    void anAtomicBatchIsNeverSplitAcrossStorageBatchesAndListenersSeeItWhole() throws Exception {
        ForwardingStorage counting = new ForwardingStorage(newStorage());
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        counting.holdNextApply(entered, release);
        StateStore s = track(StateStore.open(counting, StoreOptions.defaults("n")));
        s.set("/warmup", json("0"), VIA_COMMIT_THREAD);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        List<List<KvChange>> batches = new CopyOnWriteArrayList<>();
        s.addCommitListener(batches::add);

        List<CompletableFuture<KvChange>> singles = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            singles.add(s.set("/single/" + i, json("1"), ALICE));
        }
        List<KvWrite> group = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            group.add(put("/group/" + i, "1"));
        }
        CompletableFuture<List<KvChange>> grouped = s.apply(group, ALICE);
        CompletableFuture<List<KvChange>> refused = s.apply(List.of(put("/refused", "1"), KvWrite.set("/group/0", json("2"), 0)), ALICE);
        CompletableFuture<KvChange> sawGroup = s.set("/group/1", json("3"), ALICE.ifRevision(603));
        CompletableFuture<KvChange> sawNoRefused = s.set("/refused", json("4"), ALICE.ifRevision(0));
        release.countDown();

        singles.forEach(CompletableFuture::join);
        List<Long> groupRevisions = revisions(grouped.join());
        assertThat(groupRevisions).containsExactlyElementsOf(range(602, 1601));
        assertThat(failure(refused).code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(sawGroup.join().revision()).isEqualTo(1602);
        assertThat(sawNoRefused.join().revision()).isEqualTo(1603);
        assertThat(counting.batches).containsExactly("1/sync", "600", "1002");
        await(() -> batches.stream().mapToInt(List::size).sum() == 1603); // the held warm-up write too
        assertThat(batches).filteredOn(b -> b.stream().anyMatch(c -> c.key().startsWith("/group/")))
                .singleElement().satisfies(b -> assertThat(revisions(b)).containsSubsequence(groupRevisions));
    }

    @Test
    void aStorageFailureFailsAnAtomicBatchWhole() {
        ForwardingStorage flaky = new ForwardingStorage(newStorage());
        StateStore s = track(StateStore.open(flaky, StoreOptions.defaults("n")));
        set(s, "/a", "1");
        flaky.failApply = true;
        assertThat(failure(s.apply(List.of(put("/b", "2"), put("/c", "3")), ALICE)).code()).isEqualTo(ErrorCode.INTERNAL);
        flaky.failApply = false;
        assertThat(s.get("/b")).isEmpty();
        assertThat(s.get("/c")).isEmpty();
        assertThat(revisions(s.apply(List.of(put("/b", "2"), put("/c", "3")), ALICE).join())).containsExactly(2L, 3L);
    }

    /**
     * Readers never see part of an atomic batch: the feed up to the acknowledged revision holds
     * whole batches, and once a batch's last key is readable its first is too.
     */
    @Test
    void readersNeverSeePartOfAnAtomicBatch() throws Exception {
        int groups = 200;
        int size = 20;
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        List<String> torn = new CopyOnWriteArrayList<>();
        AtomicLong reads = new AtomicLong();
        Thread reader = new Thread(() -> {
            for (int g = 0; !done.get(); g = (g + 1) % groups) {
                int seen = store.changesSince(0, StateStore.MAX_FEED_LIMIT).size();
                if (seen % size != 0) {
                    torn.add("the feed held " + seen + " changes");
                }
                if (store.get(groupKey(g, size - 1)).isPresent() && store.get(groupKey(g, 0)).isEmpty()) {
                    torn.add("group " + g + " had its last key and not its first");
                }
                reads.incrementAndGet();
            }
        });
        reader.start();
        List<CompletableFuture<List<KvChange>>> fs = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            List<KvWrite> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                batch.add(put(groupKey(g, i), "1"));
            }
            fs.add(store.apply(batch, ALICE));
        }
        fs.forEach(CompletableFuture::join);
        done.set(true);
        reader.join();
        assertThat(torn).isEmpty();
        assertThat(reads.get()).isPositive();
        assertThat(store.lastRevision()).isEqualTo((long) groups * size);
    }

    static String groupKey(int group, int i) {
        return String.format("/g/%04d/%02d", group, i);
    }

    // --- validation -----------------------------------------------------------------------

    @Test
    void valueSizeLimitIsInclusive() {
        StateStore small = open(StoreOptions.defaults("n").withMaxValueBytes(100));
        // A JSON string of n characters serializes to n + 2 bytes.
        assertThat(small.set("/k", TextNode.valueOf("x".repeat(98)), ALICE).join().revision()).isEqualTo(1);

        PandoException e = failure(small.set("/k", TextNode.valueOf("x".repeat(99)), ALICE));
        assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(e.getMessage()).contains("101 bytes").contains("100 bytes");
        assertThat(small.get("/k").orElseThrow().value().asText()).hasSize(98);
        assertThat(small.lastRevision()).isEqualTo(1);
    }

    private static JsonNode nested(int depth) {
        JsonNode n = TextNode.valueOf("leaf");
        for (int i = 0; i < depth; i++) {
            n = new ObjectMapper().createArrayNode().add(n);
        }
        return n;
    }

    @Test
    void valuesDeeperThanTheJsonDepthLimitAreRefusedAndAtTheLimitReadBackEverywhere() {
        // The store is the one path every write takes (HTTP, WebSocket, guests, native plugins).
        for (int depth : new int[] {999, 65}) {
            PandoException e = failure(store.set("/deep", nested(depth), ALICE));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(e.getMessage()).contains("more than 64 levels").contains("limits.max-json-depth");
        }
        assertThat(store.lastRevision()).isZero();

        JsonNode atLimit = nested(64);
        assertThat(store.set("/deep", atLimit, ALICE).join().revision()).isEqualTo(1);
        assertThat(store.get("/deep").orElseThrow().value()).isEqualTo(atLimit);
        assertThat(store.scan(ScanQuery.prefix("/deep")).entries().get(0).value()).isEqualTo(atLimit);
        assertThat(store.changesSince(0, 10).get(0).value()).isEqualTo(atLimit);

        StateStore shallow = open(StoreOptions.defaults("n").withMaxJsonDepth(2));
        assertThat(failure(shallow.set("/k", nested(3), ALICE)).getMessage()).contains("more than 2 levels");
    }

    @Test
    void aScanPageAndAFeedReadStopOnceTheirRecordsReachTheReadByteBudget() {
        // Ten values of 1 MiB: a reader asking for all of them at once gets them in pages of about 4 MiB.
        StateStore big = open(StoreOptions.defaults("n").withMaxValueBytes(8 << 20));
        JsonNode mib = TextNode.valueOf("x".repeat(1 << 20));
        for (int i = 0; i < 10; i++) {
            big.set(String.format("/big/%02d", i), mib, ALICE).join();
        }
        int perPage = Storage.MAX_READ_BYTES / (1 << 20); // the page ends once it holds this many
        KvPage first = big.scan(ScanQuery.prefix("/big").withLimit(100));
        assertThat(first.entries()).hasSize(perPage);
        assertThat(first.next()).isPresent();
        List<String> all = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            KvPage page = big.scan(new ScanQuery(dev.pando.api.path.PathPattern.under("/big"), 100, cursor));
            page.entries().forEach(e -> all.add(e.key()));
            cursor = page.next();
        } while (cursor.isPresent());
        assertThat(all).hasSize(10).doesNotHaveDuplicates();

        assertThat(big.changesSince(0, 100)).hasSize(perPage);
        List<KvChange> changes = new ArrayList<>();
        for (List<KvChange> read = big.changesSince(0, 100); !read.isEmpty(); read = big.changesSince(changes.get(changes.size() - 1).revision(), 100)) {
            changes.addAll(read);
        }
        assertThat(changes).extracting(KvChange::revision).containsExactly(LongStream.rangeClosed(1, 10).boxed().toArray(Long[]::new));

        // A record larger than the budget still comes, alone.
        big.set("/big/huge", TextNode.valueOf("y".repeat(Storage.MAX_READ_BYTES + 1)), ALICE).join();
        assertThat(big.changesSince(10, 100)).hasSize(1);
        assertThat(big.scan(ScanQuery.prefix("/big/huge")).entries()).hasSize(1);
    }

    @Test
    void aPluginsOwnRecordMayWrapAValueAtTheLimitsButNoMore() {
        // The journal keeps each value wrapped with its change's metadata, and its base wraps it again.
        StateStore small = open(StoreOptions.defaults("n").withMaxValueBytes(100).withMaxJsonDepth(4));
        String own = "/_plugins/journal/e/1";
        int bytes = 100 + StoreOptions.PLUGIN_RECORD_EXTRA_BYTES;
        assertThat(small.set(own, TextNode.valueOf("x".repeat(bytes - 2)), ALICE).join().revision()).isEqualTo(1);
        assertThat(failure(small.set(own, TextNode.valueOf("x".repeat(bytes - 1)), ALICE)).code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(small.set(own, nested(4 + StoreOptions.PLUGIN_RECORD_EXTRA_DEPTH), ALICE).join().revision()).isEqualTo(2);
        assertThat(failure(small.set(own, nested(5 + StoreOptions.PLUGIN_RECORD_EXTRA_DEPTH), ALICE)).code())
                .isEqualTo(ErrorCode.BAD_REQUEST);

        // Elsewhere the limits stay as configured, also for a key that merely starts alike.
        for (String key : new String[] {"/k", "/_pluginsx/e/1"}) {
            assertThat(failure(small.set(key, TextNode.valueOf("x".repeat(99)), ALICE)).code()).as(key).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(failure(small.set(key, nested(5), ALICE)).code()).as(key).isEqualTo(ErrorCode.BAD_REQUEST);
        }
        assertThat(small.lastRevision()).isEqualTo(2);
    }

    @Test
    void writersAndOriginsLongerThanTheNameLimitAreRefused() {
        // Both are copied into every record and into plugins' records of it (the journal's entries), so they are bounded.
        String longest = "w".repeat(WriteOptions.MAX_NAME_BYTES);
        assertThat(store.set("/k", json("1"), WriteOptions.by(longest)).join().writer()).isEqualTo(longest);
        assertThat(store.set("/r", json("1"), WriteOptions.replicated("w", "o".repeat(WriteOptions.MAX_NAME_BYTES), 7)).join().revision())
                .isEqualTo(2);
        // Multi-byte characters count by their UTF-8 bytes.
        String tooLong = "\u00e9".repeat(WriteOptions.MAX_NAME_BYTES / 2 + 1);
        for (WriteOptions opts : List.of(WriteOptions.by(longest + "w"), WriteOptions.by(tooLong), WriteOptions.replicated("w", tooLong, 8))) {
            PandoException e = failure(store.set("/k", json("2"), opts));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(e.getMessage()).contains("longer than " + WriteOptions.MAX_NAME_BYTES + " bytes");
            assertThat(failure(store.apply(List.of(KvWrite.set("/k", json("2"))), opts)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
        assertThat(store.lastRevision()).isEqualTo(2);
    }

    @Test
    void valuesTheStoreCouldNotReadBackAreRefused() {
        // Built in code (as a native plugin may): none of these survives a round trip through JSON text.
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> bad = List.of(
                m.getNodeFactory().numberNode(Double.POSITIVE_INFINITY),
                m.createArrayNode().add(Double.NaN),
                m.getNodeFactory().numberNode(new java.math.BigDecimal("1e999999")),
                m.getNodeFactory().numberNode(new java.math.BigInteger("9".repeat(1001))),
                m.createObjectNode().put("k".repeat(50_001), 1));
        for (JsonNode v : bad) {
            assertThat(failure(store.set("/bad", v, ALICE)).code()).as("%s", v.getNodeType()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
        assertThat(store.lastRevision()).isZero();
        JsonNode longNumber = m.getNodeFactory().numberNode(new java.math.BigInteger("9".repeat(1000)));
        store.set("/ok", longNumber, ALICE).join();
        assertThat(store.get("/ok").orElseThrow().value()).isEqualTo(longNumber);
    }

    @Test
    void defaultValueLimitIs64KiB() {
        assertThat(store.set("/k", TextNode.valueOf("x".repeat(64 * 1024 - 2)), ALICE).join().revision()).isEqualTo(1);
        assertThat(failure(store.set("/k", TextNode.valueOf("x".repeat(64 * 1024 - 1)), ALICE)).code())
                .isEqualTo(ErrorCode.TOO_LARGE);
    }

    @Test
    void invalidKeysAreBadRequest() {
        List<String> bad = new ArrayList<>(List.of("", "a", "/", "/a/", "/a//b", "/a/*", "/a/**", "/a/../b", "/a/\u0001",
                "/" + "x".repeat(1024)));
        bad.add(null);
        for (String key : bad) {
            assertThat(failure(store.set(key, json("1"), ALICE)).code()).as("set %s", key).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(failure(store.delete(key, ALICE)).code()).as("delete %s", key).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThatThrownBy(() -> store.get(key)).as("get %s", key)
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
        assertThat(store.lastRevision()).isZero();
    }

    @Test
    void nullValuesAndMissingOptionsAreBadRequest() {
        assertThat(failure(store.set("/k", null, ALICE)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure(store.set("/k", NullNode.getInstance(), ALICE)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure(store.set("/k", json("1"), null)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure(store.delete("/k", null)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
    }

    // --- scan -----------------------------------------------------------------------------

    @Test
    void prefixKvPagesThroughEveryKeyExactlyOnce() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            expected.add(String.format("/data/k%05d", i));
        }
        writeAll(store, expected);
        writeAll(store, List.of("/dat", "/data0", "/datb/x", "/e/1"));

        List<KvPage> pages = scanAll(store, ScanQuery.prefix("/data").withLimit(1000));
        assertThat(pages).hasSize(3);
        assertThat(pages).extracting(p -> p.entries().size()).containsExactly(1000, 1000, 500);
        assertThat(pages.get(2).next()).isEmpty();
        assertThat(allKeys(pages)).containsExactlyElementsOf(expected);
        assertThat(pages.get(0).entries().get(0).value()).isEqualTo(json("1"));
    }

    @Test
    void prefixScanRespectsSegmentBoundaries() {
        writeAll(store, List.of("/a", "/a!x", "/a.b", "/a-b/c", "/a/b", "/a/b/c", "/ab", "/a0", "/b"));

        assertThat(allKeys(scanAll(store, ScanQuery.prefix("/a")))).containsExactly("/a", "/a/b", "/a/b/c");
        assertThat(allKeys(scanAll(store, ScanQuery.pattern("/a/*")))).containsExactly("/a/b");
        assertThat(allKeys(scanAll(store, ScanQuery.pattern("/a")))).containsExactly("/a");
        assertThat(allKeys(scanAll(store, ScanQuery.prefix("/a/b")))).containsExactly("/a/b", "/a/b/c");
        assertThat(allKeys(scanAll(store, ScanQuery.prefix("/")))).hasSize(9);
    }

    @Test
    void prefixKeyItselfPagesCorrectly() {
        writeAll(store, List.of("/a", "/a/1", "/a/2", "/a/3"));
        List<KvPage> pages = scanAll(store, ScanQuery.prefix("/a").withLimit(1));
        assertThat(allKeys(pages)).containsExactly("/a", "/a/1", "/a/2", "/a/3");
        assertThat(pages).hasSize(4);
    }

    @Test
    void patternScanMatchesWildcards() {
        writeAll(store, List.of("/site/1/temp", "/site/2/temp", "/site/2/hum", "/site/3/x/temp", "/temp", "/other/temp"));

        assertThat(allKeys(scanAll(store, ScanQuery.pattern("/site/*/temp")))).containsExactly("/site/1/temp", "/site/2/temp");
        assertThat(allKeys(scanAll(store, ScanQuery.pattern("/site/**/temp"))))
                .containsExactly("/site/1/temp", "/site/2/temp", "/site/3/x/temp");
        assertThat(allKeys(scanAll(store, ScanQuery.pattern("/**/temp"))))
                .containsExactly("/other/temp", "/site/1/temp", "/site/2/temp", "/site/3/x/temp", "/temp");
    }

    @Test
    void scanOrderIsUtf8ByteOrder() {
        // UTF-16 order puts U+1F600 (a surrogate pair) before U+E000; UTF-8 byte order does not.
        writeAll(store, List.of("/k/\uD83D\uDE00", "/k/\uE000", "/k/z"));
        assertThat(allKeys(scanAll(store, ScanQuery.prefix("/k")))).containsExactly("/k/z", "/k/\uE000", "/k/\uD83D\uDE00");
        assertThat(allKeys(scanAll(store, ScanQuery.prefix("/k").withLimit(1))))
                .containsExactly("/k/z", "/k/\uE000", "/k/\uD83D\uDE00");
    }

    @Test
    void sparsePatternPagesAreBoundedByTheExamineBudget() {
        List<String> noise = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            noise.add(String.format("/s/k%05d", i));
        }
        writeAll(store, noise);
        writeAll(store, List.of("/s/k02999/x", "/s/zz/x"));

        ScanQuery q = ScanQuery.pattern("/s/**/x").withLimit(10);
        int budget = KeyScanner.examineBudget(10);
        assertThat(budget).isLessThan(3_000);
        KvPage first = store.scan(q);
        assertThat(first.entries()).isEmpty();
        assertThat(first.next()).isPresent();

        List<KvPage> pages = scanAll(store, q);
        assertThat(allKeys(pages)).containsExactly("/s/k02999/x", "/s/zz/x");
        assertThat(pages.size()).isGreaterThanOrEqualTo(3_002 / budget);
    }

    @Test
    void scanVisitsOnlyThePatternsKeyRange() {
        ForwardingStorage counting = new ForwardingStorage(newStorage());
        StateStore s = track(StateStore.open(counting, StoreOptions.defaults("n")));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            keys.add("/a/c/" + i);
            keys.add("/a/a/" + i);
        }
        keys.addAll(List.of("/a/b", "/a/b/1", "/a/b/2", "/a/b!", "/a/bb/1"));
        writeAll(s, keys);

        counting.examined.set(0);
        assertThat(keys(s.scan(ScanQuery.pattern("/a/b/**")))).containsExactly("/a/b", "/a/b/1", "/a/b/2");
        assertThat(counting.examined.get()).isLessThanOrEqualTo(4);
    }

    @Test
    void aPluginMadeTokenSeeksPastAnyKey() {
        writeAll(store, List.of("/log/0001", "/log/0002", "/log/0005", "/log/0009"));
        ScanQuery q = ScanQuery.prefix("/log").after(KvPage.resumeAfter("/log/0002"));
        assertThat(keys(store.scan(q))).containsExactly("/log/0005", "/log/0009");
        // The key need not exist. A page's own cursor is sealed (it may stop on a key the caller
        // may not read), so it resumes the scan but does not decode as a plain token.
        assertThat(keys(store.scan(q.after(KvPage.resumeAfter("/log/0006"))))).containsExactly("/log/0009");
        KvPage first = store.scan(ScanQuery.prefix("/log").withLimit(1));
        assertThat(keys(store.scan(ScanQuery.prefix("/log").withLimit(1).after(first.next().orElseThrow())))).containsExactly("/log/0002");
        assertThatThrownBy(() -> KvPage.positionOf(first.next().orElseThrow())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidCursorIsBadRequest() {
        set(store, "/a/1", "1");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        for (String cursor : List.of("!!!not base64", b64.encodeToString("no-slash".getBytes()),
                b64.encodeToString(new byte[] {'/', (byte) 0xFF}))) {
            assertThatThrownBy(() -> store.scan(ScanQuery.prefix("/a").after(cursor))).as(cursor)
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
    }

    // --- revisions and change feed ----------------------------------------------------------

    @Test
    void changeFeedRecordsEveryWriteInOrder() {
        set(store, "/a", "1");
        set(store, "/b", "{\"x\":[1,2]}");
        store.delete("/a", WriteOptions.by("bob")).join();
        set(store, "/c", "\"c\"");

        List<KvChange> all = store.changesSince(0, 100);
        assertThat(all).extracting(KvChange::revision).containsExactly(1L, 2L, 3L, 4L);
        assertThat(all).extracting(KvChange::key).containsExactly("/a", "/b", "/a", "/c");
        assertThat(all.get(1).value()).isEqualTo(json("{\"x\":[1,2]}"));
        assertThat(all.get(2).isDelete()).isTrue();
        assertThat(all.get(2).isDelete()).isTrue();
        assertThat(all.get(2).writer()).isEqualTo("bob");
        assertThat(all).extracting(KvChange::timestamp).isSorted();

        assertThat(store.changesSince(2, 100)).extracting(KvChange::revision).containsExactly(3L, 4L);
        assertThat(store.changesSince(0, 2)).extracting(KvChange::revision).containsExactly(1L, 2L);
        assertThat(store.changesSince(4, 100)).isEmpty();
        assertThat(store.changesSince(99, 100)).isEmpty();
        assertThat(store.lastRevision()).isEqualTo(4);
        assertThat(store.firstRetainedRevision()).isEqualTo(1);
    }

    @Test
    void emptyStoreFeed() {
        assertThat(store.lastRevision()).isZero();
        assertThat(store.firstRetainedRevision()).isEqualTo(1);
        assertThat(store.changesSince(0, 10)).isEmpty();
    }

    @Test
    void changesSinceRejectsBadArguments() {
        for (int limit : new int[] {0, -1, StateStore.MAX_FEED_LIMIT + 1}) {
            assertThatThrownBy(() -> store.changesSince(0, limit)).isInstanceOf(PandoException.class);
        }
        assertThatThrownBy(() -> store.changesSince(-1, 10)).isInstanceOf(PandoException.class);
    }

    @Test
    void revisionsAreStrictlyIncreasingAcrossKeys() {
        long previous = 0;
        for (int i = 0; i < 50; i++) {
            long r = set(store, "/k/" + (i % 7), String.valueOf(i)).revision();
            assertThat(r).isEqualTo(previous + 1);
            previous = r;
        }
    }

    // --- retention --------------------------------------------------------------------------

    @Test
    void retentionByCountKeepsTheNewestChanges() {
        StateStore s = open(StoreOptions.defaults("n").withRetainCount(10));
        setNumbered(s, 25);
        s.prune();

        assertThat(s.firstRetainedRevision()).isEqualTo(16);
        assertThat(s.changesSince(15, 100)).extracting(KvChange::revision).containsExactlyElementsOf(range(16, 25));
        assertThatThrownBy(() -> s.changesSince(14, 100))
                .isInstanceOfSatisfying(PandoException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).contains("compacted up to revision 15");
                });
        assertThatThrownBy(() -> s.changesSince(0, 100)).isInstanceOf(PandoException.class);
        assertThat(s.get("/k/1").orElseThrow().value()).isEqualTo(json("1")); // state is not the feed
        assertThat(set(s, "/k/26", "26").revision()).isEqualTo(26);
    }

    @Test
    void unlimitedRetentionPrunesNothing() {
        for (int i = 0; i < 20; i++) {
            set(store, "/k", String.valueOf(i));
        }
        store.prune();
        assertThat(store.firstRetainedRevision()).isEqualTo(1);
        assertThat(store.changesSince(0, 100)).hasSize(20);
    }

    @Test
    void retentionByAgeUsesCommitTimestamps() {
        AtomicLong now = new AtomicLong(1_000_000);
        StateStore s = track(StateStore.open(newStorage(), StoreOptions.defaults("n").withRetainAgeMillis(1_000), now::get));
        for (int i = 0; i < 5; i++) {
            set(s, "/old/" + i, "1");
        }
        now.addAndGet(600);
        for (int i = 0; i < 5; i++) {
            set(s, "/new/" + i, "1");
        }
        assertThat(s.changesSince(0, 100).get(9).timestamp()).isEqualTo(1_000_600);

        now.addAndGet(900); // the first five are 1,500 ms old, the rest 900 ms
        s.prune();
        assertThat(s.firstRetainedRevision()).isEqualTo(6);

        now.addAndGet(200);
        s.prune();
        assertThat(s.firstRetainedRevision()).isEqualTo(11);
        assertThat(s.changesSince(10, 100)).isEmpty(); // a consumer that is up to date loses nothing
        assertThatThrownBy(() -> s.changesSince(9, 100)).isInstanceOfSatisfying(PandoException.class,
                e -> assertThat(e.getMessage()).contains("compacted up to revision 10"));
    }

    @Test
    void timestampsNeverGoBackwards() {
        AtomicLong now = new AtomicLong(5_000);
        StateStore s = track(StateStore.open(newStorage(), StoreOptions.defaults("n"), now::get));
        set(s, "/a", "1");
        now.set(1_000); // the wall clock stepped back
        assertThat(set(s, "/b", "1").timestamp()).isEqualTo(5_000);
    }

    // --- unpublished writes -------------------------------------------------------------------

    static final WriteOptions QUIET = ALICE.asUnpublished();

    static List<KvWrite> sets(String... keys) {
        return java.util.Arrays.stream(keys).map(k -> KvWrite.set(k, json("1"))).toList();
    }

    @Test
    void unpublishedWritesTakeRevisionsButNeitherTheFeedNorTheListenersSeeThem() throws Exception {
        List<KvChange> heard = new CopyOnWriteArrayList<>();
        store.addCommitListener(heard::addAll);
        set(store, "/a", "1");
        List<KvChange> quiet = store.apply(sets("/p/1", "/p/2"), QUIET).join();
        assertThat(quiet).extracting(KvChange::revision).containsExactly(2L, 3L);
        KvChange single = store.set("/p/3", json("3"), QUIET).join();
        KvChange b = set(store, "/b", "2");

        assertThat(single.revision()).isEqualTo(4);
        assertThat(b.revision()).isEqualTo(5);
        assertThat(store.get("/p/2").orElseThrow().revision()).isEqualTo(3);
        assertThat(store.changesSince(0, 100)).extracting(KvChange::key).containsExactly("/a", "/b");
        for (long after = 1; after <= 4; after++) {
            assertThat(store.changesSince(after, 100)).as("a reader inside the gap after %d", after)
                    .extracting(KvChange::revision).containsExactly(5L);
        }
        store.delete("/p/3", QUIET).join();
        assertThat(store.lastRevision()).isEqualTo(6);
        assertThat(store.lastChangeRevision()).isEqualTo(5);
        assertThat(store.changesSince(5, 100)).isEmpty();
        assertThat(store.awaitChangeAfter(5, java.time.Duration.ofMillis(50))).as("an unpublished write wakes no feed reader").isFalse();
        set(store, "/c", "3");
        await(() -> heard.size() == 3);
        assertThat(heard).extracting(KvChange::key).containsExactly("/a", "/b", "/c");
        assertThat(store.lastChangeRevision()).isEqualTo(7);
    }

    @Test
    void unpublishedCompareAndSetAndFailedGroupsBehaveAsPublishedOnes() {
        long r = store.apply(sets("/p/x"), QUIET).join().get(0).revision();
        List<KvWrite> stale = List.of(KvWrite.set("/p/y", json("1")), KvWrite.set("/p/x", json("2"), r + 5));
        assertThatThrownBy(() -> store.apply(stale, QUIET).join()).hasCauseInstanceOf(PandoException.class);
        assertThat(store.get("/p/y")).isEmpty();
        assertThat(store.apply(List.of(KvWrite.set("/p/x", json("2"), r)), QUIET).join().get(0).revision()).isEqualTo(r + 1);
        assertThat(store.lastChangeRevision()).isZero();
        assertThat(store.changesSince(0, 10)).isEmpty();
        assertThatThrownBy(() -> WriteOptions.replicated("peer", "node-b", 3).asUnpublished()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pruningAcrossGapsRefusesOnlyReadersThatMissedARecord() {
        StateStore s = open(StoreOptions.defaults("n").withRetainCount(1));
        setNumbered(s, 5);
        s.apply(sets("/p/6", "/p/7", "/p/8"), QUIET).join();
        set(s, "/k/9", "9");
        s.apply(sets("/p/10"), QUIET).join();
        s.prune(); // keeps revisions from 10 on: records 1..9 go, the newest of them is 9

        assertThat(s.firstRetainedRevision()).isEqualTo(10);
        assertThat(s.changesSince(9, 10)).isEmpty();
        assertThatThrownBy(() -> s.changesSince(8, 10)).isInstanceOfSatisfying(PandoException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e.getMessage()).contains("compacted up to revision 9");
        });

        StateStore t = open(StoreOptions.defaults("n").withRetainCount(2));
        setNumbered(t, 5);
        t.apply(sets("/p/6", "/p/7", "/p/8", "/p/9"), QUIET).join();
        t.prune(); // keeps revisions from 8 on: the newest record below is 5
        assertThat(t.firstRetainedRevision()).as("one past the newest record pruned").isEqualTo(6);
        assertThat(t.changesSince(5, 10)).as("a reader at 5 missed nothing").isEmpty();
        assertThatThrownBy(() -> t.changesSince(4, 10)).isInstanceOf(PandoException.class);
        set(t, "/k/10", "10");
        assertThat(t.changesSince(5, 10)).extracting(KvChange::revision).containsExactly(10L);
    }

    @Test
    void aPruneDuringAReadFailsTheReadInsteadOfSkippingChanges() {
        Storage inner = newStorage();
        ForwardingStorage racing = new ForwardingStorage(inner);
        StateStore s = track(StateStore.open(racing, StoreOptions.defaults("n")));
        setNumbered(s, 10);
        racing.beforeNextChanges = () -> inner.pruneChanges(6);
        assertThatThrownBy(() -> s.changesSince(2, 100)).isInstanceOfSatisfying(PandoException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e.getMessage()).contains("compacted up to revision 5");
        });
        assertThat(s.changesSince(5, 100)).extracting(KvChange::revision).containsExactlyElementsOf(range(6, 10));
    }

    // --- cursors ------------------------------------------------------------------------------

    @Test
    void cursorPollsFromItsCommittedPosition() {
        for (int i = 1; i <= 5; i++) {
            set(store, "/k", String.valueOf(i));
        }
        ChangeCursor c = store.cursor("journal");
        assertThat(c.position()).isZero();
        assertThat(c.poll(100)).extracting(KvChange::revision).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(c.poll(2)).extracting(KvChange::revision).containsExactly(1L, 2L);

        c.commit(3);
        assertThat(c.position()).isEqualTo(3);
        assertThat(c.poll(100)).extracting(KvChange::revision).containsExactly(4L, 5L);
        c.commit(2); // behind: ignored
        assertThat(c.position()).isEqualTo(3);
        assertThat(store.cursor("journal").position()).as("handles share the position").isEqualTo(3);
        assertThatThrownBy(() -> c.commit(6)).isInstanceOfSatisfying(PandoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThat(store.cursorPositions()).containsEntry("journal", 3L);

        assertThat(store.dropCursor("journal")).isTrue();
        assertThat(store.dropCursor("journal")).isFalse();
        assertThatThrownBy(c::position).isInstanceOfSatisfying(PandoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(store.cursor("journal").position()).as("re-created from the start").isZero();
    }

    @Test
    void invalidCursorNamesAreBadRequest() {
        for (String name : new String[] {null, "", "a\nb", "x".repeat(201)}) {
            assertThatThrownBy(() -> store.cursor(name)).isInstanceOf(PandoException.class);
        }
    }

    @Test
    void retentionNeverPrunesPastACursor() {
        StateStore s = open(StoreOptions.defaults("n").withRetainCount(5));
        ChangeCursor slow = s.cursor("federation");
        for (int i = 1; i <= 20; i++) {
            set(s, "/k", String.valueOf(i));
        }
        s.prune();
        assertThat(s.firstRetainedRevision()).isEqualTo(1);
        assertThat(slow.poll(100)).hasSize(20);

        slow.commit(12);
        s.prune();
        assertThat(s.firstRetainedRevision()).isEqualTo(13);
        assertThat(slow.poll(100)).extracting(KvChange::revision).containsExactlyElementsOf(range(13, 20));

        ChangeCursor fast = s.cursor("journal");
        fast.commit(20);
        s.prune();
        assertThat(s.firstRetainedRevision()).isEqualTo(13);

        s.dropCursor("federation");
        s.prune();
        assertThat(s.firstRetainedRevision()).isEqualTo(16);
    }

    // --- listeners and concurrency ------------------------------------------------------------

    @Test
    void awaitChangeAfterWakesOnTheCommitAndTimesOutWithout() throws Exception {
        set(store, "/a", "1");
        assertThat(store.awaitChangeAfter(0, java.time.Duration.ZERO)).as("already past").isTrue();
        assertThat(store.awaitChangeAfter(1, java.time.Duration.ofMillis(50))).as("nothing new").isFalse();

        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return store.awaitChangeAfter(1, java.time.Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50); // let it wait; it must not return before the write
        assertThat(waiter).isNotDone();
        set(store, "/b", "2");
        // Well inside the 30 s timeout: only the commit can have woken it.
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(store.lastRevision()).isEqualTo(2);
    }

    @Test
    void commitListenersSeeEveryChangeInRevisionOrder() throws Exception {
        List<List<KvChange>> batches = new CopyOnWriteArrayList<>();
        List<Long> second = new CopyOnWriteArrayList<>();
        store.addCommitListener(changes -> {
            throw new IllegalStateException("a broken listener must not hurt the others");
        });
        store.addCommitListener(batches::add);
        StateStore.Registration reg = store.addCommitListener(cs -> cs.forEach(c -> second.add(c.revision())));

        List<CompletableFuture<KvChange>> fs = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            fs.add(i % 10 == 9 ? store.delete("/k/" + (i - 1), ALICE) : store.set("/k/" + i, json(String.valueOf(i)), ALICE));
        }
        fs.forEach(CompletableFuture::join);
        await(() -> second.size() == 2_000);

        List<Long> seen = batches.stream().flatMap(List::stream).map(KvChange::revision).collect(Collectors.toList());
        assertThat(seen).containsExactlyElementsOf(range(1, 2_000));
        assertThat(second).containsExactlyElementsOf(range(1, 2_000));
        assertThat(batches.get(0).get(0).key()).isEqualTo("/k/0");
        assertThat(batches.stream().flatMap(List::stream).filter(KvChange::isDelete).count()).isEqualTo(200);

        reg.close();
        set(store, "/after", "1");
        await(() -> batches.stream().mapToInt(List::size).sum() == 2_001);
        assertThat(second).hasSize(2_000);
    }

    @Test
    void concurrentWritersGetGapFreeUniqueRevisions() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        List<Long> acked = Collections.synchronizedList(new ArrayList<>());
        List<Thread> writers = new ArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            writers.add(new Thread(() -> {
                try {
                    List<CompletableFuture<KvChange>> fs = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        // Every writer also overwrites a shared key, so batches mix keys and writers.
                        String key = i % 4 == 0 ? "/shared" : "/w" + id + "/" + i;
                        fs.add(store.set(key, json(String.valueOf(i)), WriteOptions.by("w" + id)));
                    }
                    for (CompletableFuture<KvChange> f : fs) {
                        acked.add(f.join().revision());
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread w : writers) {
            w.join();
        }
        assertThat(errors).isEmpty();

        long n = (long) threads * perThread;
        assertThat(store.lastRevision()).isEqualTo(n);
        assertThat(new HashSet<>(acked)).hasSize((int) n).containsAll(range(1, n));

        List<Long> feed = new ArrayList<>();
        long after = 0;
        while (true) {
            List<KvChange> page = store.changesSince(after, StateStore.MAX_FEED_LIMIT);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(c -> feed.add(c.revision()));
            after = page.get(page.size() - 1).revision();
        }
        assertThat(feed).containsExactlyElementsOf(range(1, n));
        long sharedRevision = store.get("/shared").orElseThrow().revision();
        KvChange lastShared = store.changesSince(0, StateStore.MAX_FEED_LIMIT).stream().filter(c -> c.key().equals("/shared"))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(sharedRevision).isGreaterThanOrEqualTo(lastShared.revision());
    }

    @Test
    void aSlowListenerHoldsUpNoWriterAndStillSeesEveryBatchInOrder() throws Exception {
        StateStore s = store;
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> told = new CopyOnWriteArrayList<>();
        s.addCommitListener(changes -> { // hold the listeners' thread on the first batch
            changes.forEach(c -> told.add(c.revision()));
            if (told.size() == 1) {
                entered.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        s.set("/a", json("1"), ALICE);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        KvChange second = s.set("/b", json("2"), ALICE).get(10, TimeUnit.SECONDS); // answered while the listener is stuck
        assertThat(second.revision()).isEqualTo(2);
        assertThat(s.lastRevision()).as("a writer that was answered sees its revision in the feed").isEqualTo(2);
        assertThat(s.changesSince(1, 10)).extracting(KvChange::key).containsExactly("/b");
        assertThat(told).containsExactly(1L);

        release.countDown();
        await(() -> told.size() == 2);
        assertThat(told).containsExactly(1L, 2L);
    }

    @Test
    void aLoneWriteOnAnIdleStoreIsCommittedOnTheWritersThread() throws Exception {
        List<String> committedOn = new CopyOnWriteArrayList<>();
        CompletableFuture<KvChange> idle = store.set("/lone", json("1"), ALICE);
        assertThat(idle).as("answered before set returned: no hop to the commit thread").isDone();
        idle.thenRun(() -> committedOn.add(Thread.currentThread().getName())).join();
        assertThat(committedOn).containsExactly(Thread.currentThread().getName());

        CompletableFuture<KvChange> cas = store.set("/lone", json("2"), ALICE.ifRevision(1));
        CompletableFuture<KvChange> synced = store.set("/lone", json("3"), ALICE.sync(true));
        assertThat(cas.join().revision()).isEqualTo(2); // a check or an fsync goes through the commit thread
        assertThat(synced.join().revision()).isEqualTo(3);
        assertThat(store.get("/lone").orElseThrow().value()).isEqualTo(json("3"));
    }

    @Test
    void replicatedWritesAlwaysGoThroughTheCommitThreadSoARunOfThemSharesBatches() throws Exception {
        ForwardingStorage recording = new ForwardingStorage(newStorage());
        StateStore s = track(StateStore.open(recording, StoreOptions.defaults("n")));
        s.set("/local", json("0"), ALICE).join(); // idle store, local write: committed on this thread
        // A replicator submits a run of writes before awaiting any; committed one by one inline,
        // each would be a storage write of its own.
        List<CompletableFuture<KvChange>> run = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            run.add(s.set("/remote/" + i, json(Integer.toString(i)), WriteOptions.replicated("peer-writer", "node-b", i)));
        }
        run.forEach(CompletableFuture::join);

        assertThat(recording.appliedOn.get(0)).isEqualTo(Thread.currentThread().getName());
        assertThat(recording.appliedOn.subList(1, recording.appliedOn.size())).as("threads that applied the replicated writes")
                .containsOnly(GroupCommitter.THREAD_NAME);
        assertThat(s.get("/remote/20").orElseThrow().origin()).isEqualTo("node-b");
    }

    @Test
    void fullCommitQueueFailsFastWithUnavailable() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StateStore s = heldStore(StoreOptions.defaults("n").withCommitQueueCapacity(2), entered, release);

        CompletableFuture<KvChange> first = s.set("/k/1", json("1"), VIA_COMMIT_THREAD);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue(); // the commit thread is now stuck
        CompletableFuture<KvChange> second = s.set("/k/2", json("2"), ALICE);
        CompletableFuture<KvChange> third = s.set("/k/3", json("3"), ALICE);
        CompletableFuture<KvChange> fourth = s.set("/k/4", json("4"), ALICE);

        assertThat(fourth).isCompletedExceptionally();
        PandoException e = failure(fourth);
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains("commit queue full");

        release.countDown();
        assertThat(List.of(first.join(), second.join(), third.join())).extracting(KvChange::revision).containsExactly(1L, 2L, 3L);
        assertThat(s.get("/k/4")).isEmpty();
    }

    @Test
    void closeCommitsQueuedWritesThenRefusesNewOnes() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ForwardingStorage held = new ForwardingStorage(newStorage());
        held.holdNextApply(entered, release);
        StateStore s = StateStore.open(held, StoreOptions.defaults("n"));

        List<CompletableFuture<KvChange>> queued = new ArrayList<>();
        queued.add(s.set("/k/0", json("0"), VIA_COMMIT_THREAD));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 5; i++) {
            queued.add(s.set("/k/" + i, json(String.valueOf(i)), ALICE));
        }
        Thread closer = new Thread(s::close);
        closer.start();
        // Probe until the store refuses writes; probes accepted before that must commit too.
        while (true) {
            CompletableFuture<KvChange> probe = s.set("/probe", json("1"), ALICE);
            if (probe.isCompletedExceptionally()) {
                assertThat(failure(probe).code()).isEqualTo(ErrorCode.UNAVAILABLE);
                break;
            }
            queued.add(probe);
            Thread.sleep(1);
        }
        assertThat(closer.isAlive()).as("close waits for queued writes").isTrue();
        release.countDown();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();

        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i).join().revision()).isEqualTo(i + 1);
        }
        assertThat(failure(s.set("/k/9", json("9"), ALICE)).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThatThrownBy(() -> s.get("/k/1")).isInstanceOfSatisfying(PandoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        s.close(); // idempotent
    }

    @Test
    void queuedWritesShareStorageBatchesOfBoundedSize() throws Exception {
        ForwardingStorage counting = new ForwardingStorage(newStorage());
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        counting.holdNextApply(entered, release);
        StateStore s = track(StateStore.open(counting, StoreOptions.defaults("n")));
        s.set("/warmup", json("0"), VIA_COMMIT_THREAD);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        List<CompletableFuture<KvChange>> fs = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            fs.add(s.set("/k/" + i, json("1"), ALICE.sync(i == 2_500)));
        }
        release.countDown();
        fs.forEach(CompletableFuture::join);

        assertThat(GroupCommitter.MAX_BATCH).isEqualTo(1024);
        assertThat(counting.batches).containsExactly("1/sync", "1024", "1024", "952/sync");
        assertThat(s.lastRevision()).isEqualTo(3_001);
    }

    @Test
    void syncByDefaultSyncsEveryBatch() {
        ForwardingStorage counting = new ForwardingStorage(newStorage());
        StateStore s = track(StateStore.open(counting, StoreOptions.defaults("n").withSyncByDefault(true)));
        set(s, "/a", "1");
        s.delete("/a", ALICE).join();
        assertThat(counting.batches).containsExactly("1/sync", "1/sync");
    }

    @Test
    void storageFailureFailsTheBatchWithoutConsumingRevisions() {
        ForwardingStorage flaky = new ForwardingStorage(newStorage());
        StateStore s = track(StateStore.open(flaky, StoreOptions.defaults("n")));
        set(s, "/a", "1");

        flaky.failApply = true;
        PandoException e = failure(s.set("/b", json("2"), ALICE));
        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(s.lastRevision()).isEqualTo(1);
        assertThat(s.get("/b")).isEmpty();

        flaky.failApply = false;
        assertThat(set(s, "/b", "3").revision()).isEqualTo(2);
        assertThat(s.changesSince(0, 10)).extracting(KvChange::revision).containsExactly(1L, 2L);
    }

    @Test
    void sizeAndKeyCountEstimatesReflectWrites() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            keys.add("/k/" + i);
        }
        writeAll(store, keys);
        assertThat(store.approximateKeyCount()).isGreaterThan(0);
        assertThat(store.approximateSizeBytes()).isGreaterThan(500 * 4);
    }

    /** A store whose first storage write holds the commit thread until {@code release} opens. */
    StateStore heldStore(StoreOptions options, CountDownLatch entered, CountDownLatch release) {
        ForwardingStorage held = new ForwardingStorage(newStorage());
        held.holdNextApply(entered, release);
        return track(StateStore.open(held, options));
    }

    static List<Long> range(long from, long toInclusive) {
        return LongStream.rangeClosed(from, toInclusive).boxed().collect(Collectors.toList());
    }
}
