package dev.pando.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.TopicEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started plugin as the node drives it, the same for both kinds: its calls run on its own
 * threads through a {@link CallQueue} (at most {@code limits.instances} at once, a bounded queue
 * behind them, each answered by {@code limits.callTimeoutMs} from its arrival plus
 * {@link #CALL_SLACK_MS}); whatever the plugin throws becomes a typed error for that call only
 * (a {@link PandoException} keeps its code, anything else is {@code PLUGIN_FAILED}), and what
 * happened is counted in its {@link PluginStats}.
 */
public final class HostedPlugin implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostedPlugin.class);
    /** Time a plugin's {@code start} may take, at least; longer if its call limit is longer. */
    public static final int MIN_START_TIMEOUT_MS = 10_000;
    /**
     * How long past its limit a caller waits for code that ignores the watchdog's interrupt
     * before it is answered {@code TIMEOUT} anyway (WASM code stops well within it).
     */
    public static final int CALL_SLACK_MS = 1_000;

    private final LoadedPlugin loaded;
    private final HostContext context;
    private final CallWatchdog watchdog;
    private final CallQueue calls;
    private final PluginStats stats;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HostedPlugin(LoadedPlugin loaded, HostContext context, CallWatchdog watchdog, CallLimits limits, PluginStats stats) {
        this.loaded = loaded;
        this.context = context;
        this.watchdog = watchdog;
        this.stats = stats;
        this.calls = new CallQueue(loaded.id(), loaded.manifest().limits().instances(), limits.queue(), watchdog, stats.busy);
    }

    /** {@link #start(LoadedPlugin, HostContext, CallWatchdog, CallLimits, PluginStats)} with defaults and fresh stats. */
    public static HostedPlugin start(LoadedPlugin loaded, HostContext context, CallWatchdog watchdog) {
        return start(loaded, context, watchdog, CallLimits.DEFAULT, new PluginStats());
    }

    /**
     * Starts {@code loaded} with {@code context}. On failure its resources are released and a
     * {@code PLUGIN_FAILED} error says why.
     *
     * @param stats where its calls are counted; a node passes the same one to every version of
     *              an id, so totals survive replacement
     */
    public static HostedPlugin start(LoadedPlugin loaded, HostContext context, CallWatchdog watchdog, CallLimits limits,
                                     PluginStats stats) {
        HostedPlugin hosted = new HostedPlugin(loaded, context, watchdog, limits, stats);
        int limit = Math.max(MIN_START_TIMEOUT_MS, loaded.manifest().limits().callTimeoutMs());
        try (CallWatchdog.Guard guard = watchdog.start(limit)) {
            String why = null;
            try {
                hosted.inPluginLoader(() -> loaded.plugin().start(context));
            } catch (Throwable t) {
                hosted.release();
                rethrowFatal(t);
                why = describe(t);
            }
            if (guard.expired()) {
                // Late is failed, even if start() swallowed the interrupt and returned.
                if (why == null) {
                    hosted.close();
                }
                why = "did not start within " + limit + " ms";
            }
            if (why != null) {
                throw new PandoException(ErrorCode.PLUGIN_FAILED, "plugin '" + loaded.id() + "' failed to start: " + why);
            }
        }
        return hosted;
    }

    public LoadedPlugin loaded() {
        return loaded;
    }

    public PluginManifest manifest() {
        return loaded.manifest();
    }

    public String id() {
        return loaded.id();
    }

    public HostContext context() {
        return context;
    }

    public PluginStats stats() {
        return stats;
    }

    /** Calls admitted and waiting for a free instance. */
    public int waitingCalls() {
        return calls.waiting();
    }

    /**
     * Admits one call and returns at once: it runs on the plugin's own threads, or fails fast
     * with {@code UNAVAILABLE} when every instance is in use and the queue is full. The result
     * completes within the call limit plus {@link #CALL_SLACK_MS}, whatever the plugin does.
     */
    public CompletableFuture<JsonNode> submit(String op, JsonNode args, Caller caller) {
        stats.calls.increment();
        CompletableFuture<JsonNode> result = closed.get()
                ? CompletableFuture.failedFuture(unloaded())
                : calls.submit(op, manifest().limits().callTimeoutMs(), budgetMs -> invoke(op, args, caller, budgetMs));
        return result.whenComplete((value, error) -> {
            if (error != null) {
                count(unwrap(error));
            }
        });
    }

    /** {@link #submit} and wait for the answer; for embedding and tests. */
    public JsonNode call(String op, JsonNode args, Caller caller) {
        try {
            return submit(op, args, caller).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PandoException(ErrorCode.UNAVAILABLE, "interrupted while waiting for plugin '" + id() + "'");
        } catch (ExecutionException e) {
            Throwable t = unwrap(e);
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error err) {
                throw err;
            }
            throw new PandoException(ErrorCode.INTERNAL, "plugin '" + id() + "' call failed: " + describe(t));
        }
    }

    private void count(Throwable error) {
        stats.errors.increment();
        if (error instanceof PandoException e) {
            if (e.code() == ErrorCode.TIMEOUT) {
                stats.timeouts.increment();
            } else if (e.code() == ErrorCode.PLUGIN_FAILED) {
                stats.failures.increment();
            }
            stats.lastError.set(e.code() + ": " + e.getMessage());
        } else {
            stats.lastError.set(describe(error));
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private PandoException unloaded() {
        return new PandoException(ErrorCode.UNAVAILABLE, "plugin '" + id() + "' is unloaded");
    }

    /** Runs one admitted call on the current (plugin) thread, interrupted after {@code budgetMs}. */
    private JsonNode invoke(String op, JsonNode args, Caller caller, long budgetMs) {
        if (closed.get()) {
            throw unloaded();
        }
        int timeoutMs = manifest().limits().callTimeoutMs();
        try (CallWatchdog.Guard guard = watchdog.start(budgetMs)) {
            JsonNode[] result = new JsonNode[1];
            try {
                // Libraries inside a native plugin that look classes up through the context
                // loader (ServiceLoader, Jackson modules) must see the plugin's own classes.
                inPluginLoader(() -> result[0] = loaded.plugin().call(new OpCall(op, args, caller)));
            } catch (Throwable t) {
                rethrowFatal(t);
                if (guard.expired()) {
                    throw timeout(op, timeoutMs);
                }
                if (t instanceof PandoException p) {
                    throw p;
                }
                throw new PandoException(ErrorCode.PLUGIN_FAILED, "plugin '" + id() + "' failed in " + op + ": " + describe(t));
            }
            if (guard.expired()) {
                throw timeout(op, timeoutMs);
            }
            return result[0] == null ? NullNode.getInstance() : result[0];
        }
    }

    private PandoException timeout(String op, int timeoutMs) {
        return new PandoException(ErrorCode.TIMEOUT, "plugin '" + id() + "' did not answer " + op + " within " + timeoutMs + " ms");
    }

    /** How one delivery to the listener ended. */
    public enum Delivered { OK, FAILED, TIMED_OUT }

    /** Hands a change to the plugin's listener; failures are counted and logged, never thrown. */
    public Delivered deliver(KvChange change) {
        return deliver(() -> loaded.plugin().onChange(change), change.key());
    }

    /** Hands an event to the plugin's listener; failures are counted and logged, never thrown. */
    public Delivered deliver(TopicEvent event) {
        return deliver(() -> loaded.plugin().onEvent(event), event.topic());
    }

    /**
     * Runs plugin code with the plugin's class loader as the thread's context loader. The
     * contract declares no checked exceptions, yet compiled code can still throw one (a plugin
     * built against an older contract, a sneaky throw), so callers catch {@link Throwable}.
     */
    private void inPluginLoader(Runnable code) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loaded.plugin().getClass().getClassLoader());
        // Each start, op call and delivery is one call for the per-call write budget.
        try (var writes = context.writeBudget().openCall()) {
            code.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private Delivered deliver(Runnable delivery, String what) {
        if (closed.get()) {
            return Delivered.OK;
        }
        stats.deliveries.increment();
        int timeoutMs = manifest().limits().callTimeoutMs();
        try (CallWatchdog.Guard guard = watchdog.start(timeoutMs)) {
            try {
                inPluginLoader(delivery);
            } catch (Throwable t) {
                rethrowFatal(t);
                stats.deliveryErrors.increment();
                String why = guard.expired() ? "timed out after " + timeoutMs + " ms" : describe(t);
                stats.lastError.set("listener: " + why);
                log.warn("plugin '{}' listener failed on {}: {}", id(), what, why);
                return guard.expired() ? Delivered.TIMED_OUT : Delivered.FAILED;
            }
            return guard.expired() ? Delivered.TIMED_OUT : Delivered.OK;
        }
    }

    /**
     * Stops the plugin and releases its resources; calls still queued are answered
     * {@code UNAVAILABLE}. Idempotent; call once no call is running.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        calls.close();
        try {
            loaded.plugin().stop();
        } catch (Throwable t) {
            rethrowFatal(t);
            log.warn("plugin '{}' failed to stop cleanly: {}", id(), describe(t));
        }
        release();
    }

    private void release() {
        calls.close();
        context.withdrawRegistrations();
        try {
            loaded.resources().close();
        } catch (Exception e) {
            log.warn("releasing plugin '{}' failed: {}", id(), e.toString());
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        String type = t instanceof StackOverflowError ? "stack exhausted" : t.getClass().getSimpleName();
        return m == null || m.isBlank() ? type : type + ": " + m;
    }

    /** Out-of-memory and similar VM failures are not the plugin's call to survive. */
    private static void rethrowFatal(Throwable t) {
        if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
            throw (VirtualMachineError) t;
        }
    }
}
