package dev.pando.node.dispatch;

import static dev.pando.node.dispatch.Fixtures.JSON;
import static dev.pando.node.dispatch.Fixtures.admin;
import static dev.pando.node.dispatch.Fixtures.constant;
import static dev.pando.node.dispatch.Fixtures.ok;
import static dev.pando.node.dispatch.Fixtures.req;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.LongNode;
import dev.pando.api.Access;
import dev.pando.node.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HandlerRegistryTest {
    private final ThreadPoolExecutor workers = Fixtures.pool(4, Integer.MAX_VALUE);

    @AfterEach
    void stop() throws InterruptedException {
        Fixtures.shutdown(workers);
    }

    private static OpSpec echo(long version, OpSpec.Execution execution) {
        return new OpSpec("t.echo", Access.NONE, execution, "test", constant(LongNode.valueOf(version)));
    }

    @Test
    void startsEmptyAtGenerationZeroAndEachSwapAddsOne() {
        HandlerRegistry registry = new HandlerRegistry();
        assertThat(registry.current().generation()).isZero();
        assertThat(registry.current().size()).isZero();

        HandlerTable first = registry.current();
        HandlerTable retired = registry.swap(b -> b.add(echo(1, OpSpec.Execution.INLINE)));
        assertThat(retired).isSameAs(first);
        assertThat(registry.current().generation()).isEqualTo(1);
        assertThat(registry.current().lookup("t.echo")).isPresent();
        assertThat(first.lookup("t.echo")).as("the old table is immutable").isEmpty();

        registry.swap(b -> b);
        assertThat(registry.current().generation()).isEqualTo(2);
        assertThat(registry.current().lookup("t.echo")).as("an empty edit keeps the entries").isPresent();
    }

    @Test
    void duplicateOpIsRejectedAndTheTableIsLeftAlone() {
        HandlerRegistry registry = new HandlerRegistry();
        registry.swap(b -> b.add(OpSpec.inline("t.echo", Access.NONE, "plugin-a", constant(JSON.nullNode()))));
        HandlerTable before = registry.current();

        assertThatThrownBy(() -> registry.swap(b -> b.add(OpSpec.inline("t.echo", Access.NONE, "plugin-b", constant(JSON.nullNode())))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("t.echo")
                .hasMessageContaining("plugin-a");
        assertThat(registry.current()).isSameAs(before);
        assertThat(registry.current().lookup("t.echo").orElseThrow().owner()).isEqualTo("plugin-a");

        // Also within one builder.
        HandlerTable.Builder b = new HandlerTable.Builder().add(OpSpec.inline("x.y", Access.NONE, "o", constant(JSON.nullNode())));
        assertThatThrownBy(() -> b.add(OpSpec.inline("x.y", Access.NONE, "o", constant(JSON.nullNode()))))
                .isInstanceOf(IllegalArgumentException.class);
        // acquire still works on the untouched table
        HandlerTable t = registry.acquire();
        assertThat(t).isSameAs(before);
        registry.release(t);
    }

    @Test
    void removeOwnerDropsOnlyThatOwnersOps() {
        HandlerRegistry registry = new HandlerRegistry();
        registry.swap(b -> b
                .add(OpSpec.inline("a.one", Access.NONE, "a", constant(JSON.nullNode())))
                .add(OpSpec.inline("a.two", Access.NONE, "a", constant(JSON.nullNode())))
                .add(OpSpec.inline("b.one", Access.NONE, "b", constant(JSON.nullNode())))
                .add(OpSpec.inline("kv.get", Access.READ, "core", constant(JSON.nullNode()))));
        registry.swap(b -> b.removeOwner("a"));
        HandlerTable t = registry.current();
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.lookup("a.one")).isEmpty();
        assertThat(t.lookup("a.two")).isEmpty();
        assertThat(t.lookup("b.one")).isPresent();
        assertThat(t.lookup("kv.get")).isPresent();
        // Removing and re-adding in one edit is how a plugin is replaced.
        registry.swap(b -> b.removeOwner("b").add(OpSpec.inline("b.one", Access.NONE, "b", constant(JSON.textNode("v2")))));
        assertThat(registry.current().lookup("b.one").orElseThrow()).isNotSameAs(t.lookup("b.one").orElseThrow());
        registry.swap(b -> b.removeOwner("nobody"));
        assertThat(registry.current().size()).isEqualTo(2);
    }

    @Test
    void opNamesAreValidated() {
        for (String bad : new String[] {"echo", ".echo", "t.", "T.echo", "t echo", "1t.echo", ""}) {
            assertThatThrownBy(() -> OpSpec.inline(bad, Access.NONE, "o", constant(JSON.nullNode()))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        OpSpec ok = OpSpec.worker("my-plugin.doThing", Access.WRITE, "my-plugin", constant(JSON.nullNode()));
        assertThat(ok.namespace()).isEqualTo("my-plugin");
        assertThat(ok.execution()).isEqualTo(OpSpec.Execution.WORKER);
        assertThatThrownBy(() -> OpSpec.inline("a.b", null, "o", constant(JSON.nullNode()))).isInstanceOf(NullPointerException.class);
    }

    @Test
    void acquireNeverReturnsARetiredTable() {
        HandlerRegistry registry = new HandlerRegistry();
        HandlerTable old = registry.current();
        registry.swap(b -> b);
        HandlerTable t = registry.acquire();
        assertThat(t).isNotSameAs(old).isSameAs(registry.current());
        assertThat(t.inFlight()).isEqualTo(1);
        assertThat(old.inFlight()).isZero();
        registry.release(t);
        assertThat(t.inFlight()).isZero();
    }

    @ParameterizedTest
    @EnumSource(OpSpec.Execution.class)
    @Timeout(30)
    void swapUnderConcurrentDispatchNeverProducesAMissingHandler(OpSpec.Execution execution) throws Exception {
        HandlerRegistry registry = new HandlerRegistry();
        registry.swap(b -> b.add(echo(0, execution)));
        Dispatcher dispatcher = new Dispatcher(registry, workers, new RateLimiter(0, 0), new Metrics());

        int dispatchers = 4;
        int swaps = 3000;
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(dispatchers);
        List<HandlerTable> retired = new ArrayList<>();
        Map<String, Long> failures = new ConcurrentHashMap<>();
        AtomicLong calls = new AtomicLong();
        java.util.Set<Long> versionsSeen = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> problems = java.util.Collections.synchronizedList(new ArrayList<>());

        for (int i = 0; i < dispatchers; i++) {
            Thread t = new Thread(() -> {
                long last = -1;
                started.countDown();
                try {
                    while (!stop.get()) {
                        Response r = dispatcher.dispatch(req("t.echo"), admin()).get(10, TimeUnit.SECONDS);
                        calls.incrementAndGet();
                        if (r instanceof Response.Failure f) {
                            failures.merge(f.code() + ": " + f.message(), 1L, Long::sum);
                            continue;
                        }
                        long v = ok(r).result().asLong();
                        if (v < last) {
                            problems.add(new AssertionError("version went backwards: " + last + " then " + v));
                        }
                        if (v < 0 || v > swaps) {
                            problems.add(new AssertionError("response from no version: " + v));
                        }
                        last = v;
                        versionsSeen.add(v);
                    }
                } catch (Throwable e) {
                    problems.add(e);
                }
            }, "dispatcher-" + i);
            threads.add(t);
            t.start();
        }
        started.await();
        long callsBefore = calls.get();
        for (long v = 1; v <= swaps; v++) {
            long version = v;
            retired.add(registry.swap(b -> b.removeOwner("test").add(echo(version, execution))));
            // Keep swaps and calls interleaved (a swap is much faster than a call): pace the
            // swaps, and every 50 wait for some call to complete while others stay mid-call.
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            if (v % 50 == 0) {
                long seen = calls.get();
                while (calls.get() == seen && problems.isEmpty()) {
                    Thread.yield();
                }
            }
        }
        // let the dispatchers see the final table, then stop
        long callsAtEnd = calls.get();
        while (calls.get() < callsAtEnd + 100 * dispatchers) {
            Thread.yield();
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
        }

        assertThat(problems).isEmpty();
        assertThat(failures).as("no call may fail during swaps").isEmpty();
        assertThat(calls.get() - callsBefore).isGreaterThanOrEqualTo(swaps / 50);
        assertThat(versionsSeen).as("calls saw many generations").hasSizeGreaterThanOrEqualTo(swaps / 50);
        assertThat(registry.current().generation()).isEqualTo(swaps + 1);
        for (HandlerTable t : retired) {
            assertThat(registry.drain(t, 1, TimeUnit.SECONDS)).isTrue();
            assertThat(t.inFlight()).isZero();
        }
        assertThat(registry.current().inFlight()).isZero();
        // A final call answers from the last version.
        assertThat(ok(dispatcher.dispatch(req("t.echo"), admin()).get()).result().asLong()).isEqualTo(swaps);
    }

    @Test
    @Timeout(20)
    void drainWaitsForInFlightCallsOnTheRetiredGenerationWhileNewCallsUseTheNewTable() throws Exception {
        HandlerRegistry registry = new HandlerRegistry();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        registry.swap(b -> b.add(OpSpec.worker("t.echo", Access.NONE, "test", (ctx, args) -> {
            entered.countDown();
            release.await();
            return CompletableFuture.completedFuture(JSON.textNode("v1"));
        })));
        Dispatcher dispatcher = new Dispatcher(registry, workers, new RateLimiter(0, 0), new Metrics());

        CompletableFuture<Response> blocked = dispatcher.dispatch(req("t.echo"), admin());
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        HandlerTable v1 = registry.current();
        assertThat(v1.inFlight()).isEqualTo(1);

        HandlerTable old = registry.swap(b -> b.removeOwner("test").add(OpSpec.inline("t.echo", Access.NONE, "test", constant(JSON.textNode("v2")))));
        assertThat(old).isSameAs(v1);

        long t0 = System.nanoTime();
        assertThat(registry.drain(old, 150, TimeUnit.MILLISECONDS)).as("drain times out while a call is blocked").isFalse();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        assertThat(blocked).isNotDone();

        // Meanwhile new calls go to the new table and are not held up by the reload.
        Response fresh = dispatcher.dispatch(req("t.echo"), admin()).get(5, TimeUnit.SECONDS);
        assertThat(fresh.isOk()).isTrue();
        assertThat(ok(fresh).result().asText()).isEqualTo("v2");
        assertThat(old.inFlight()).isEqualTo(1);

        CompletableFuture<Boolean> drained = new CompletableFuture<>();
        Thread drainer = new Thread(() -> {
            try {
                drained.complete(registry.drain(old, 10, TimeUnit.SECONDS));
            } catch (Throwable e) {
                drained.completeExceptionally(e);
            }
        }, "drainer");
        drainer.start();
        Thread.sleep(50);
        assertThat(drained).isNotDone();
        release.countDown();
        assertThat(drained.get(5, TimeUnit.SECONDS)).isTrue();
        Response r = blocked.get(5, TimeUnit.SECONDS);
        assertThat(ok(r).result().asText()).as("the admitted call finishes on the old generation").isEqualTo("v1");
        assertThat(old.inFlight()).isZero();
        assertThat(registry.current().inFlight()).isZero();
    }

    @Test
    void drainOfAnIdleRetiredTableReturnsAtOnce() throws Exception {
        HandlerRegistry registry = new HandlerRegistry();
        HandlerTable old = registry.swap(b -> b);
        long t0 = System.nanoTime();
        assertThat(registry.drain(old, 5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(1));
    }
}
