package dev.pando.host.wasm;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.host.CallWatchdog;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.OpDecl;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.api.plugin.PluginContext;
import dev.pando.api.plugin.TopicEvent;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A WASM module (ABI v1, see {@code docs/plugin-abi.md}) driven as a {@link PandoPlugin}.
 *
 * <p>{@link #load} parses and validates the module against its manifest and, in compiled mode,
 * compiles it to JVM bytecode once. {@link #start} binds the host functions to the plugin's
 * context and builds the first instance (so a failing {@code pando_init} fails the load). Each
 * call then borrows one of up to {@code limits.instances} instances for its exclusive use.
 * Every instance's linear memory is drawn from {@link WasmOptions#memoryBudget()}, the node-wide
 * {@link GuestMemoryBudget}, and given back when the instance is dropped.
 *
 * <p>Failures stay with the call that caused them: a trap (unreachable, out-of-bounds access,
 * stack exhaustion) is {@code PLUGIN_FAILED}, an interrupted call is {@code TIMEOUT}, and in both
 * cases, as for a malformed result, the instance is discarded and the next call gets a fresh one.
 * An error the guest reports through {@code pando.error} keeps its code and its instance. When a
 * call ends in {@code TIMEOUT} because the thread was interrupted, the interrupt flag is left set,
 * as is Java's convention; the thread's owner clears it.
 */
public final class WasmPlugin implements PandoPlugin, AutoCloseable {
    private final PluginManifest manifest;
    private final WasmOptions options;
    private final ValidatedModule module;
    /** Compiled once, shared by every instance; null in interpreted mode. */
    private final Function<Instance, Machine> machineFactory;
    private final String name;
    /** Linear memory held by this plugin's instances, drawn from {@code options.memoryBudget()}. */
    private final AtomicLong memoryBytes = new AtomicLong();
    private volatile InstancePool pool;
    private volatile boolean closed;

    private WasmPlugin(PluginManifest manifest, WasmOptions options, ValidatedModule module,
            Function<Instance, Machine> machineFactory) {
        this.manifest = manifest;
        this.options = options;
        this.module = module;
        this.machineFactory = machineFactory;
        this.name = "plugin '" + manifest.id() + "'";
    }

    /**
     * Parses, validates and (in compiled mode) compiles a module.
     *
     * @throws PandoException {@code BAD_REQUEST} naming the problem: not WebAssembly, an import
     *         the host does not provide or the manifest does not permit, a missing ABI export,
     *         an op whose export is missing or mistyped, memory above {@code limits.memoryPages},
     *         a module over one of the {@link ModuleLimits} (named by its config key), a compile
     *         past its deadline; {@code UNAVAILABLE} if the compiler stayed busy
     */
    public static WasmPlugin load(PluginManifest manifest, byte[] moduleBytes, WasmOptions options) {
        return load(manifest, moduleBytes, options, WasmCompiler.shared());
    }

    /** As {@link #load(PluginManifest, byte[], WasmOptions)}, compiling with {@code compiler}. */
    static WasmPlugin load(PluginManifest manifest, byte[] moduleBytes, WasmOptions options, WasmCompiler compiler) {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(moduleBytes, "moduleBytes");
        Objects.requireNonNull(options, "options");
        String who = "plugin '" + manifest.id() + "': ";
        ModuleLimits limits = options.moduleLimits();
        if (moduleBytes.length > limits.maxModuleBytes()) {
            throw PandoException.badRequest(who + "module is " + moduleBytes.length + " bytes, above the limit of "
                    + limits.maxModuleBytes() + " (" + ModuleLimits.MAX_MODULE_BYTES_KEY + ")");
        }
        WasmModule parsed;
        try {
            parsed = Parser.parse(moduleBytes);
        } catch (RuntimeException e) {
            throw PandoException.badRequest(who + "module is not valid WebAssembly: " + e.getMessage());
        }
        ValidatedModule validated;
        try {
            validated = ModuleValidator.validate(manifest, parsed, limits);
        } catch (PandoException e) {
            throw PandoException.badRequest(who + e.getMessage());
        }
        Function<Instance, Machine> machineFactory = null;
        if (options.compiled()) {
            try {
                machineFactory = compiler.compile(moduleBytes, parsed, limits.maxCompileMs());
            } catch (PandoException e) {
                throw new PandoException(e.code(), who + e.getMessage());
            }
        }
        return new WasmPlugin(manifest, options, validated, machineFactory);
    }

    public PluginManifest manifest() {
        return manifest;
    }

    public WasmOptions options() {
        return options;
    }

    @Override
    public void start(PluginContext context) {
        if (!manifest.id().equals(context.pluginId())) {
            throw new IllegalArgumentException("context is for plugin '" + context.pluginId() + "', not '" + manifest.id() + "'");
        }
        if (pool != null || closed) {
            throw new IllegalStateException(name + " was already started");
        }
        HostImports host = new HostImports(context, options.maxOutputBytes(), options.maxJsonDepth());
        List<String> opExports = manifest.ops().stream().map(OpDecl::export).toList();
        InstancePool instances = new InstancePool(manifest.limits().instances(),
                () -> GuestInstance.create(module, machineFactory, host, opExports, options.maxOutputBytes(),
                        options.maxJsonDepth(), options.memoryBudget(), memoryBytes));
        // Build one instance now: a module that cannot instantiate or init should fail its load,
        // not every call. pando_init gets the call time limit, tighter than the host's start limit.
        int timeoutMs = manifest.limits().callTimeoutMs();
        try (CallWatchdog.Guard guard = CallWatchdog.shared().start(timeoutMs)) {
            GuestInstance first = borrow(instances, "starting " + name);
            instances.giveBack(first);
        } catch (PandoException e) {
            instances.close();
            if (e.code() == ErrorCode.TIMEOUT) {
                throw new PandoException(ErrorCode.PLUGIN_FAILED, name + " did not start within " + timeoutMs + " ms", e);
            }
            throw e;
        }
        pool = instances;
        if (closed) {
            instances.close(); // closed while starting
        }
    }

    @Override
    public JsonNode call(OpCall call) {
        OpDecl op = manifest.op(call.op())
                .orElseThrow(() -> new PandoException(ErrorCode.NOT_FOUND, name + " has no op '" + call.op() + "'"));
        JsonNode args = call.args() == null ? AbiJson.object() : call.args();
        byte[] argBytes = AbiJson.bytes(args);
        return withInstance(name + " op " + op.name(), g -> g.call(op.export(), argBytes, call.caller()));
    }

    /** Delivered to {@code pando_on_event} if the module exports it; ignored otherwise. */
    @Override
    public void onChange(KvChange change) {
        deliver(AbiJson.bytes(AbiJson.change(change)), "change " + change.key());
    }

    /** Delivered to {@code pando_on_event} if the module exports it; ignored otherwise. */
    @Override
    public void onEvent(TopicEvent event) {
        deliver(AbiJson.bytes(AbiJson.event(event)), "event " + event.topic());
    }

    private void deliver(byte[] json, String what) {
        if (!module.hasOnEvent()) {
            return;
        }
        withInstance(name + " delivery of " + what, g -> {
            g.deliver(json);
            return null;
        });
    }

    /** Instance counters; all zero before {@link #start}. */
    public WasmStats stats() {
        InstancePool p = pool;
        return p == null ? new WasmStats(0, 0, 0, memoryBytes.get()) : p.stats(memoryBytes.get());
    }

    @Override
    public void stop() {
        close();
    }

    /** Drops every instance; later calls fail with {@code UNAVAILABLE}. Idempotent. */
    @Override
    public void close() {
        closed = true;
        InstancePool p = pool;
        if (p != null) {
            p.close();
        }
    }

    private <T> T withInstance(String what, Function<GuestInstance, T> work) {
        InstancePool p = pool;
        if (closed) {
            throw new PandoException(ErrorCode.UNAVAILABLE, name + " is stopped");
        }
        if (p == null) {
            throw new PandoException(ErrorCode.UNAVAILABLE, name + " is not started");
        }
        GuestInstance instance = borrow(p, what);
        boolean healthy = false;
        try {
            T result = work.apply(instance);
            healthy = true;
            return result;
        } catch (GuestReportedException e) {
            healthy = true;
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw Traps.translate(e, what);
        } finally {
            if (healthy) {
                p.giveBack(instance);
            } else {
                p.discard(instance);
            }
        }
    }

    private GuestInstance borrow(InstancePool p, String what) {
        try {
            return p.borrow(manifest.limits().callTimeoutMs());
        } catch (InterruptedException e) {
            throw Traps.interrupted(what, e);
        } catch (RuntimeException | StackOverflowError e) {
            // Building an instance runs guest code (start function, pando_init): same failure modes as a call.
            throw Traps.translate(e, what);
        }
    }
}
