package dev.pando.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.Limits;
import dev.pando.api.manifest.OpDecl;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.api.plugin.PluginContext;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.host.testing.TestHost;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostedPluginTest {
    /** Call limit for the tests that time out; generous against scheduling noise, short enough to keep the file fast. */
    private static final int TIMEOUT_MS = 200;
    private static final JsonNode ARGS = JsonNodeFactory.instance.objectNode().put("n", 1);
    private static final Caller CALLER = TestHost.ADMIN;

    private final CallWatchdog watchdog = new CallWatchdog();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger resourceCloses = new AtomicInteger();
    private final AutoCloseable resources = () -> {
        resourceCloses.incrementAndGet();
        events.add("release");
    };
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() throws Exception {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        watchdog.close();
        // Also clears a leaked interrupt so one failure cannot cascade into later tests.
        assertThat(Thread.interrupted()).as("test thread left interrupted").isFalse();
    }

    // --- fixtures ----------------------------------------------------------------------------------------

    private static PluginManifest manifest(int timeoutMs, int instances) {
        return new PluginManifest("x", "1.0.0", PluginManifest.API_VERSION, "",
                List.of(new OpDecl("x.run", "run", Access.WRITE)), List.of(), List.of(),
                List.of("/_plugins/x"), List.of("/_plugins/x"), Set.of(),
                new Limits(16, timeoutMs, instances), null);
    }

    private LoadedPlugin loaded(PandoPlugin plugin, int timeoutMs, int instances) {
        return new LoadedPlugin("x.jar", PluginKind.NATIVE, Optional.empty(), manifest(timeoutMs, instances), plugin, resources);
    }

    /** These plugins never touch the state; any attempt is a test bug. */
    private static final HostServices NO_HOST = new HostServices() {
        @Override
        public Optional<KvEntry> get(String key) {
            throw new AssertionError("unexpected host access");
        }

        @Override
        public KvEntry set(String key, JsonNode value, long ifRevision, String writer) {
            throw new AssertionError("unexpected host access");
        }

        @Override
        public boolean delete(String key, String writer) {
            throw new AssertionError("unexpected host access");
        }

        @Override
        public KvPage scan(String prefixOrPattern, String after, int limit) {
            throw new AssertionError("unexpected host access");
        }

        @Override
        public void publish(String topic, JsonNode payload, String publisher) {
            throw new AssertionError("unexpected host access");
        }

        @Override
        public ChangeFeed feed(String consumer) {
            throw new AssertionError("unexpected host access");
        }

        @Override
        public Caller principal(String name) {
            throw new AssertionError("unexpected host access");
        }
    };

    private HostContext context(LoadedPlugin loaded) {
        return new HostContext(loaded.manifest(), NO_HOST, null, Clock.systemUTC());
    }

    private HostedPlugin host(PandoPlugin plugin, int timeoutMs, int instances) {
        LoadedPlugin l = loaded(plugin, timeoutMs, instances);
        return HostedPlugin.start(l, context(l), watchdog);
    }

    private HostedPlugin host(PandoPlugin plugin) {
        return host(plugin, 5_000, 4);
    }

    private static JsonNode call(HostedPlugin p, String op) {
        return p.call(op, ARGS, CALLER);
    }

    private static void fails(ThrowingCallable call, ErrorCode code, String... fragments) {
        assertThatThrownBy(call)
                .isInstanceOf(PandoException.class)
                .satisfies(e -> {
                    assertThat(((PandoException) e).code()).isEqualTo(code);
                    for (String f : fragments) {
                        assertThat(e.getMessage()).contains(f);
                    }
                });
    }

    /** Waits for {@code latch}, ignoring interrupts the way careless plugin code does. */
    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                if (latch.await(10, TimeUnit.SECONDS)) {
                    break;
                }
                throw new AssertionError("latch never released");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link Thread#sleep}, its interrupt wrapped where it arises, as the contract asks of a plugin. */
    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Throws {@code t} though it is checked: the contract declares none, but code compiled
     * against an older contract (or in another JVM language) can still throw one.
     */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /** Spins for {@code ms} without ever looking at the interrupt flag. */
    private static void spin(long ms) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    /** Runs {@code r} on a thread with a small stack (so a real overflow is quick), like a worker thread. */
    private static void onSmallStack(Runnable r) throws InterruptedException {
        Thread t = new Thread(null, r, "small-stack", 256 * 1024);
        t.start();
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
    }

    /** The result of a call run elsewhere: its JSON, or the error code it failed with. */
    private static Object outcome(HostedPlugin p, String op) {
        try {
            return p.call(op, ARGS, CALLER);
        } catch (PandoException e) {
            return e.code();
        }
    }

    // --- calls --------------------------------------------------------------------------------------------

    @Test
    void callReturnsThePluginsJsonAndPassesTheCallThrough() {
        AtomicReference<OpCall> seen = new AtomicReference<>();
        HostedPlugin p = host(call -> {
            seen.set(call);
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("verb", call.verb()).set("args", call.args());
            return out;
        });

        JsonNode result = call(p, "x.run");

        assertThat(result).isEqualTo(JsonNodeFactory.instance.objectNode().put("verb", "run").set("args", ARGS));
        assertThat(seen.get()).isEqualTo(new OpCall("x.run", ARGS, CALLER));
        assertThat(p.stats().calls()).isEqualTo(1);
        assertThat(p.stats().errors()).isZero();
        assertThat(p.stats().lastError()).isNull();
        assertThat(p.id()).isEqualTo("x");
        assertThat(p.manifest()).isSameAs(p.loaded().manifest());
    }

    @Test
    void nullResultIsJsonNull() {
        HostedPlugin p = host(call -> null);
        assertThat(call(p, "x.run")).isSameAs(NullNode.getInstance());
        assertThat(p.stats().errors()).isZero();
    }

    @Test
    void pandoExceptionFromThePluginPassesThroughWithItsCode() {
        PandoException conflict = new PandoException(ErrorCode.CONFLICT, "revision moved");
        HostedPlugin p = host(call -> {
            throw conflict;
        });

        assertThatThrownBy(() -> call(p, "x.run")).isSameAs(conflict);
        assertThat(p.stats().errors()).isEqualTo(1);
        assertThat(p.stats().failures()).isZero();
        assertThat(p.stats().timeouts()).isZero();
        assertThat(p.stats().lastError()).isEqualTo("CONFLICT: revision moved");
    }

    @Test
    void runtimeExceptionBecomesPluginFailedNamingPluginAndOp() {
        IllegalStateException boom = new IllegalStateException("boom");
        HostedPlugin p = host(call -> {
            throw boom;
        });

        fails(() -> call(p, "x.run"), ErrorCode.PLUGIN_FAILED, "plugin 'x' failed in x.run: IllegalStateException: boom");
        assertThatThrownBy(() -> call(p, "x.run")).hasNoCause(); // a plugin exception kept as cause would pin its classloader
        assertThat(p.stats().failures()).isEqualTo(2);
        assertThat(p.stats().lastError()).startsWith("PLUGIN_FAILED: plugin 'x' failed in x.run");
    }

    @Test
    void checkedExceptionsAndErrorsWithoutMessageBecomePluginFailed() {
        HostedPlugin io = host(call -> {
            throw sneaky(new IOException("disk"));
        });
        fails(() -> call(io, "x.run"), ErrorCode.PLUGIN_FAILED, "IOException: disk");

        HostedPlugin bare = host(call -> {
            throw new UnsupportedOperationException();
        });
        fails(() -> call(bare, "x.run"), ErrorCode.PLUGIN_FAILED, "failed in x.run: UnsupportedOperationException");

        HostedPlugin linkage = host(call -> {
            throw new NoClassDefFoundError("com/missing/Thing");
        });
        fails(() -> call(linkage, "x.run"), ErrorCode.PLUGIN_FAILED, "NoClassDefFoundError: com/missing/Thing");
    }

    @Test
    void stackOverflowBecomesPluginFailedMentioningTheStack() throws Exception {
        HostedPlugin p = host(call -> IntNode.valueOf(recurse(0)));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        onSmallStack(() -> {
            try {
                call(p, "x.run");
            } catch (Throwable e) {
                thrown.set(e);
            }
        });

        assertThat(thrown.get()).isInstanceOf(PandoException.class);
        PandoException e = (PandoException) thrown.get();
        assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
        assertThat(e.getMessage()).contains("plugin 'x' failed in x.run").contains("stack");
        assertThat(e.getCause()).isNull();
        assertThat(p.stats().failures()).isEqualTo(1);
    }

    @Test
    void fatalVmErrorsAreNotSwallowedAndReleaseTheSlot() {
        AtomicInteger n = new AtomicInteger();
        HostedPlugin p = host(call -> {
            if (n.getAndIncrement() == 0) {
                throw new OutOfMemoryError("simulated");
            }
            return TextNode.valueOf("ok");
        }, 5_000, 1);

        assertThatThrownBy(() -> call(p, "x.run")).isInstanceOf(OutOfMemoryError.class).hasMessage("simulated");
        // The only slot was given back: the next call does not wait for it.
        assertThat(call(p, "x.run")).isEqualTo(TextNode.valueOf("ok"));
    }

    // --- timeouts -----------------------------------------------------------------------------------------

    @Test
    void sleepingPastTheLimitTimesOutAndTheInterruptDoesNotLeak() {
        HostedPlugin p = host(call -> {
            if (call.verb().equals("sleep")) {
                sleep(30_000);
            }
            return TextNode.valueOf("awake");
        }, TIMEOUT_MS, 2);

        fails(() -> call(p, "x.sleep"), ErrorCode.TIMEOUT, "plugin 'x' did not answer x.sleep within " + TIMEOUT_MS + " ms");

        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(call(p, "x.run")).isEqualTo(TextNode.valueOf("awake"));
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(p.stats().timeouts()).isEqualTo(1);
        assertThat(p.stats().failures()).isZero();
    }

    @Test
    void swallowingTheInterruptAndReturningLateIsStillATimeout() {
        HostedPlugin p = host(call -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                return TextNode.valueOf("too late");
            }
            return null;
        }, TIMEOUT_MS, 1);

        fails(() -> call(p, "x.run"), ErrorCode.TIMEOUT);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void pluginIgnoringInterruptionStillEndsInTimeout() {
        HostedPlugin p = host(call -> {
            if (call.verb().equals("spin")) {
                spin(2L * TIMEOUT_MS);
            }
            return TextNode.valueOf("done");
        }, TIMEOUT_MS, 1);

        fails(() -> call(p, "x.spin"), ErrorCode.TIMEOUT, "within " + TIMEOUT_MS + " ms");

        // The watchdog's interrupt was never consumed by the plugin; the host must clear it.
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(call(p, "x.run")).isEqualTo(TextNode.valueOf("done"));
        assertThat(p.stats().timeouts()).isEqualTo(1);
    }

    // --- concurrency bound ------------------------------------------------------------------------------------

    @Test
    void aCallBeyondTheInstancesIsUnavailableWhenSlotsStayBusy() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        HostedPlugin p = host(call -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                if (call.verb().equals("hold")) {
                    entered.countDown();
                    awaitIgnoringInterrupts(release);
                }
                return TextNode.valueOf(call.verb());
            } finally {
                running.decrementAndGet();
            }
        }, TIMEOUT_MS, 2);

        Future<Object> h1 = pool.submit(() -> outcome(p, "x.hold"));
        Future<Object> h2 = pool.submit(() -> outcome(p, "x.hold"));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        fails(() -> call(p, "x.run"), ErrorCode.UNAVAILABLE, "plugin 'x' is busy: all 2 instances stayed in use for " + TIMEOUT_MS + " ms");

        release.countDown();
        // Holders outlived the limit, so each ends in TIMEOUT unless the watchdog had not fired yet.
        assertThat(h1.get(10, TimeUnit.SECONDS)).isIn(TextNode.valueOf("hold"), ErrorCode.TIMEOUT);
        assertThat(h2.get(10, TimeUnit.SECONDS)).isIn(TextNode.valueOf("hold"), ErrorCode.TIMEOUT);
        assertThat(maxRunning.get()).isEqualTo(2);

        // Slots were released: a call now goes through.
        assertThat(call(p, "x.run")).isEqualTo(TextNode.valueOf("run"));
        assertThat(p.stats().calls()).isEqualTo(4);
        assertThat(p.stats().errors()).isEqualTo(1 + p.stats().timeouts());
    }

    @Test
    void aWaitingCallProceedsWhenASlotFrees() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HostedPlugin p = host(call -> {
            if (call.verb().equals("hold")) {
                entered.countDown();
                awaitIgnoringInterrupts(release);
            }
            return TextNode.valueOf(call.verb());
        }, 10_000, 1);

        Future<Object> holder = pool.submit(() -> outcome(p, "x.hold"));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Future<Object> waiter = pool.submit(() -> outcome(p, "x.run"));
        Thread.sleep(100);
        assertThat(waiter.isDone()).as("waiter finished while the only slot was held").isFalse();

        release.countDown();
        assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo(TextNode.valueOf("hold"));
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(TextNode.valueOf("run"));
    }

    // --- queueing and deadlines -------------------------------------------------------------------------------

    private HostedPlugin host(PandoPlugin plugin, int timeoutMs, int instances, int queue) {
        LoadedPlugin l = loaded(plugin, timeoutMs, instances);
        return HostedPlugin.start(l, context(l), watchdog, new CallLimits(queue), new PluginStats());
    }

    /** The outcome of a submitted call: its JSON, or the error it failed with. */
    private static Object outcomeOf(CompletableFuture<JsonNode> f) throws Exception {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            while (t instanceof CompletionException && t.getCause() != null) {
                t = t.getCause();
            }
            if (t instanceof PandoException p) {
                return p.code();
            }
            throw e;
        }
    }

    private static JsonNode joinUnwrapped(CompletableFuture<JsonNode> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Test
    void aCallerIsAnsweredAtTheLimitEvenWhileThePluginIgnoresTheInterrupt() {
        CountDownLatch release = new CountDownLatch(1);
        HostedPlugin p = host(call -> {
            awaitIgnoringInterrupts(release);
            return TextNode.valueOf("late");
        }, TIMEOUT_MS, 1);
        try {
            long t0 = System.nanoTime();
            fails(() -> call(p, "x.run"), ErrorCode.TIMEOUT, "plugin 'x' did not answer x.run within " + TIMEOUT_MS + " ms");
            // Not when the code finally returns (10 s here): at the limit plus the slack.
            assertThat(millisSince(t0)).isLessThan(TIMEOUT_MS + HostedPlugin.CALL_SLACK_MS + 3_000L);
            assertThat(p.stats().timeouts()).isEqualTo(1);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aQueuedCallWhoseDeadlinePassesIsAnsweredThenAndNeverRuns() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        HostedPlugin p = host(call -> {
            if (call.verb().equals("hold")) {
                entered.countDown();
                awaitIgnoringInterrupts(release);
                return TextNode.valueOf("hold");
            }
            runs.incrementAndGet();
            return TextNode.valueOf("run");
        }, TIMEOUT_MS, 1);

        CompletableFuture<JsonNode> holder = p.submit("x.hold", ARGS, CALLER);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<JsonNode> queued = p.submit("x.run", ARGS, CALLER);
        // Answered while the holder still has the only instance, not when it frees.
        assertThat(outcomeOf(queued)).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(release.getCount()).isEqualTo(1);
        fails(() -> joinUnwrapped(queued), ErrorCode.UNAVAILABLE, "plugin 'x' is busy: all 1 instances stayed in use for " + TIMEOUT_MS + " ms");

        release.countDown();
        assertThat(outcomeOf(holder)).isIn(TextNode.valueOf("hold"), ErrorCode.TIMEOUT);
        // The instance is free again; the expired call did not run when it freed.
        assertThat(call(p, "x.run")).isEqualTo(TextNode.valueOf("run"));
        Thread.sleep(100);
        assertThat(runs.get()).isEqualTo(1);
        assertThat(p.stats().busy()).isEqualTo(1);
    }

    @Test
    void callsBeyondTheInstancesAndTheQueueAreRefusedAtOnce() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HostedPlugin p = host(call -> {
            if (call.verb().equals("hold")) {
                entered.countDown();
                awaitIgnoringInterrupts(release);
            }
            return TextNode.valueOf(call.verb());
        }, 10_000, 1, 1);

        CompletableFuture<JsonNode> holder = p.submit("x.hold", ARGS, CALLER);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<JsonNode> queued = p.submit("x.run", ARGS, CALLER);
        long t0 = System.nanoTime();
        // Refused at once (the limit is 10 s), and from a thread that was never made to wait.
        fails(() -> call(p, "x.run"), ErrorCode.UNAVAILABLE, "plugin 'x' is busy: all 1 instances in use and 1 calls waiting");
        assertThat(millisSince(t0)).isLessThan(2_000L);
        assertThat(queued.isDone()).isFalse();

        release.countDown();
        assertThat(outcomeOf(holder)).isEqualTo(TextNode.valueOf("hold"));
        assertThat(outcomeOf(queued)).isEqualTo(TextNode.valueOf("run"));
        assertThat(p.stats().calls()).isEqualTo(3);
        assertThat(p.stats().errors()).isEqualTo(1);
        assertThat(p.stats().busy()).isEqualTo(1);
    }

    @Test
    void submitNeverBlocksTheCallerAndCallsRunOnThePluginsOwnThreads() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> thread = new AtomicReference<>();
        HostedPlugin p = host(call -> {
            thread.set(Thread.currentThread().getName());
            awaitIgnoringInterrupts(release);
            return TextNode.valueOf("done");
        }, 10_000, 1);
        long t0 = System.nanoTime();
        CompletableFuture<JsonNode> first = p.submit("x.run", ARGS, CALLER);
        CompletableFuture<JsonNode> second = p.submit("x.run", ARGS, CALLER);
        assertThat(millisSince(t0)).isLessThan(2_000L);
        release.countDown();
        assertThat(outcomeOf(first)).isEqualTo(TextNode.valueOf("done"));
        assertThat(outcomeOf(second)).isEqualTo(TextNode.valueOf("done"));
        assertThat(thread.get()).startsWith("pando-plugin-x-");
    }

    @Test
    void closeAnswersQueuedCallsAtOnce() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        HostedPlugin p = host(call -> {
            if (call.verb().equals("hold")) {
                entered.countDown();
                awaitIgnoringInterrupts(release);
            } else {
                runs.incrementAndGet();
            }
            return TextNode.valueOf(call.verb());
        }, 10_000, 1);
        CompletableFuture<JsonNode> holder = p.submit("x.hold", ARGS, CALLER);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<JsonNode> queued = p.submit("x.run", ARGS, CALLER);
        p.close();
        assertThat(outcomeOf(queued)).isEqualTo(ErrorCode.UNAVAILABLE);
        release.countDown();
        assertThat(outcomeOf(holder)).isEqualTo(TextNode.valueOf("hold"));
        assertThat(runs.get()).isZero();
    }

    @Test
    void aSharedStatsObjectKeepsCountingAcrossGenerations() {
        PluginStats totals = new PluginStats();
        LoadedPlugin first = loaded(call -> TextNode.valueOf("v1"), 5_000, 1);
        HostedPlugin v1 = HostedPlugin.start(first, context(first), watchdog, CallLimits.DEFAULT, totals);
        call(v1, "x.run");
        v1.close();
        LoadedPlugin second = loaded(call -> TextNode.valueOf("v2"), 5_000, 1);
        HostedPlugin v2 = HostedPlugin.start(second, context(second), watchdog, CallLimits.DEFAULT, totals);
        call(v2, "x.run");
        assertThat(v2.stats().calls()).isEqualTo(2);
    }

    // --- stats ---------------------------------------------------------------------------------------------

    @Test
    void statsCountEachKindOfOutcome() {
        HostedPlugin p = host(call -> switch (call.verb()) {
            case "ok" -> TextNode.valueOf("ok");
            case "null" -> null;
            case "conflict" -> throw new PandoException(ErrorCode.CONFLICT, "no");
            case "boom" -> throw new IllegalArgumentException("boom");
            case "sleep" -> {
                sleep(30_000);
                yield null;
            }
            default -> throw new AssertionError(call.verb());
        }, TIMEOUT_MS, 2);

        call(p, "x.ok");
        call(p, "x.null");
        fails(() -> call(p, "x.conflict"), ErrorCode.CONFLICT);
        fails(() -> call(p, "x.boom"), ErrorCode.PLUGIN_FAILED);
        fails(() -> call(p, "x.boom"), ErrorCode.PLUGIN_FAILED);
        fails(() -> call(p, "x.sleep"), ErrorCode.TIMEOUT);

        PluginStats s = p.stats();
        assertThat(s.calls()).isEqualTo(6);
        assertThat(s.errors()).isEqualTo(4);
        assertThat(s.failures()).isEqualTo(2);
        assertThat(s.timeouts()).isEqualTo(1);
        assertThat(s.lastError()).isEqualTo("TIMEOUT: plugin 'x' did not answer x.sleep within " + TIMEOUT_MS + " ms");
        assertThat(s.deliveries()).isZero();
        assertThat(s.deliveryErrors()).isZero();

        call(p, "x.ok");
        assertThat(s.calls()).isEqualTo(7);
        assertThat(s.lastError()).as("a success does not clear the last error").startsWith("TIMEOUT");
    }

    // --- lifecycle ------------------------------------------------------------------------------------------

    @Test
    void startHandsThePluginItsContext() {
        AtomicReference<PluginContext> seen = new AtomicReference<>();
        PandoPlugin plugin = new PandoPlugin() {
            @Override
            public void start(PluginContext context) {
                seen.set(context);
            }

            @Override
            public JsonNode call(OpCall call) {
                return null;
            }
        };
        LoadedPlugin l = loaded(plugin, 5_000, 1);
        HostContext ctx = context(l);

        HostedPlugin p = HostedPlugin.start(l, ctx, watchdog);

        assertThat(seen.get()).isSameAs(ctx);
        assertThat(p.context()).isSameAs(ctx);
        assertThat(p.loaded()).isSameAs(l);
        assertThat(resourceCloses).hasValue(0);
    }

    @Test
    void startFailureIsPluginFailedAndReleasesResourcesOnce() {
        IllegalStateException cause = new IllegalStateException("no config");
        PandoPlugin plugin = new PandoPlugin() {
            @Override
            public void start(PluginContext context) {
                throw cause;
            }

            @Override
            public JsonNode call(OpCall call) {
                throw new AssertionError("called after a failed start");
            }

            @Override
            public void stop() {
                events.add("stop");
            }
        };
        LoadedPlugin l = loaded(plugin, 5_000, 1);

        assertThatThrownBy(() -> HostedPlugin.start(l, context(l), watchdog))
                .isInstanceOf(PandoException.class)
                .hasNoCause()
                .satisfies(e -> assertThat(((PandoException) e).code()).isEqualTo(ErrorCode.PLUGIN_FAILED))
                .hasMessage("plugin 'x' failed to start: IllegalStateException: no config");
        assertThat(resourceCloses).hasValue(1);
        assertThat(events).containsExactly("release");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void startFailureWithACheckedException() {
        PandoPlugin plugin = new PandoPlugin() {
            @Override
            public void start(PluginContext context) {
                throw sneaky(new IOException("cannot open"));
            }

            @Override
            public JsonNode call(OpCall call) {
                return null;
            }
        };
        LoadedPlugin l = loaded(plugin, 5_000, 1);
        fails(() -> HostedPlugin.start(l, context(l), watchdog), ErrorCode.PLUGIN_FAILED, "failed to start: IOException: cannot open");
        assertThat(resourceCloses).hasValue(1);
    }

    private final class Lifecycle implements PandoPlugin {
        final AtomicInteger calls = new AtomicInteger();
        final List<Object> delivered = new CopyOnWriteArrayList<>();
        volatile RuntimeException stopFailure;

        @Override
        public JsonNode call(OpCall call) {
            calls.incrementAndGet();
            return TextNode.valueOf("ok");
        }

        @Override
        public void onChange(KvChange change) {
            delivered.add(change);
        }

        @Override
        public void onEvent(TopicEvent event) {
            delivered.add(event);
        }

        @Override
        public void stop() {
            events.add("stop");
            if (stopFailure != null) {
                throw stopFailure;
            }
        }
    }

    @Test
    void closeStopsThenReleasesExactlyOnceAndLaterCallsAreUnavailable() {
        Lifecycle plugin = new Lifecycle();
        HostedPlugin p = host(plugin);
        call(p, "x.run");

        p.close();
        p.close();

        assertThat(events).containsExactly("stop", "release");
        assertThat(resourceCloses).hasValue(1);
        fails(() -> call(p, "x.run"), ErrorCode.UNAVAILABLE, "plugin 'x' is unloaded");
        assertThat(plugin.calls).hasValue(1);
        assertThat(p.stats().calls()).isEqualTo(2);
        assertThat(p.stats().errors()).isEqualTo(1);
    }

    @Test
    void closeReleasesEvenWhenStopThrows() {
        Lifecycle plugin = new Lifecycle();
        plugin.stopFailure = new IllegalStateException("stuck");
        HostedPlugin p = host(plugin);

        p.close();

        assertThat(events).containsExactly("stop", "release");
        assertThat(resourceCloses).hasValue(1);
    }

    @Test
    void closeSurvivesResourcesThatFailToClose() {
        AtomicInteger attempts = new AtomicInteger();
        LoadedPlugin l = new LoadedPlugin("x.jar", PluginKind.NATIVE, Optional.empty(), manifest(5_000, 1),
                call -> null, () -> {
                    attempts.incrementAndGet();
                    throw new IOException("busy");
                });
        HostedPlugin p = HostedPlugin.start(l, context(l), watchdog);

        p.close();
        p.close();

        assertThat(attempts).hasValue(1);
    }

    // --- deliveries ------------------------------------------------------------------------------------------

    private static KvChange change(String key) {
        return new KvChange(key, IntNode.valueOf(1), 1, 1000, "node-1", "admin");
    }

    private static TopicEvent event(String topic) {
        return new TopicEvent(topic, IntNode.valueOf(1), 1000, "admin");
    }

    @Test
    void deliveriesReachTheListenersAndAreCounted() {
        Lifecycle plugin = new Lifecycle();
        HostedPlugin p = host(plugin);

        p.deliver(change("/a"));
        p.deliver(event("/t"));

        assertThat(plugin.delivered).containsExactly(change("/a"), event("/t"));
        assertThat(p.stats().deliveries()).isEqualTo(2);
        assertThat(p.stats().deliveryErrors()).isZero();
        assertThat(p.stats().calls()).isZero();
    }

    @Test
    void deliveryFailuresAreCountedNeverThrown() {
        PandoPlugin plugin = new PandoPlugin() {
            @Override
            public JsonNode call(OpCall call) {
                return null;
            }

            @Override
            public void onChange(KvChange change) {
                throw sneaky(new IOException("change failed"));
            }

            @Override
            public void onEvent(TopicEvent event) {
                throw new PandoException(ErrorCode.CONFLICT, "event failed");
            }
        };
        HostedPlugin p = host(plugin);

        p.deliver(change("/a"));
        assertThat(p.stats().lastError()).isEqualTo("listener: IOException: change failed");
        p.deliver(event("/t"));
        p.deliver(change("/b"));

        assertThat(p.stats().deliveries()).isEqualTo(3);
        assertThat(p.stats().deliveryErrors()).isEqualTo(3);
        assertThat(p.stats().lastError()).isEqualTo("listener: IOException: change failed");
        assertThat(p.stats().errors()).as("deliveries are not calls").isZero();
        assertThat(p.stats().calls()).isZero();
    }

    @Test
    void deliveryStackOverflowIsCountedNeverThrown() throws Exception {
        PandoPlugin plugin = new PandoPlugin() {
            @Override
            public JsonNode call(OpCall call) {
                return null;
            }

            @Override
            public void onEvent(TopicEvent event) {
                recurse(0);
            }
        };
        HostedPlugin p = host(plugin);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        onSmallStack(() -> {
            try {
                p.deliver(event("/t"));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        assertThat(thrown.get()).isNull();
        assertThat(p.stats().deliveryErrors()).isEqualTo(1);
        assertThat(p.stats().lastError()).contains("stack");
    }

    @Test
    void slowDeliveryTimesOutAndTheInterruptDoesNotLeak() {
        PandoPlugin plugin = new PandoPlugin() {
            @Override
            public JsonNode call(OpCall call) {
                return TextNode.valueOf("ok");
            }

            @Override
            public void onChange(KvChange change) {
                sleep(30_000);
            }
        };
        HostedPlugin p = host(plugin, TIMEOUT_MS, 1);

        p.deliver(change("/a"));

        assertThat(p.stats().deliveryErrors()).isEqualTo(1);
        assertThat(p.stats().lastError()).isEqualTo("listener: timed out after " + TIMEOUT_MS + " ms");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(call(p, "x.run")).isEqualTo(TextNode.valueOf("ok"));
    }

    @Test
    void nothingIsDeliveredAfterClose() {
        Lifecycle plugin = new Lifecycle();
        HostedPlugin p = host(plugin);
        p.close();

        p.deliver(change("/a"));
        p.deliver(event("/t"));

        assertThat(plugin.delivered).isEmpty();
        assertThat(p.stats().deliveries()).isZero();
    }
}
