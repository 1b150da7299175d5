package dev.pando.host.wasm;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.plugin.Caller;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One instance of a module, with the host-side state its imports use. Not thread-safe: the pool
 * lends it to one thread at a time. Traps and interruptions propagate as Chicory threw them; the
 * caller translates them and discards the instance.
 */
final class GuestInstance {
    private final Instance instance;
    private final BudgetedMemory budgeted;
    private final InstanceState state;
    private final GuestMemory memory;
    private final ExportFunction alloc;
    private final ExportFunction free;
    private final ExportFunction onEvent;
    private final Map<String, ExportFunction> ops = new HashMap<>();
    private final int maxJsonDepth;

    private GuestInstance(Instance instance, BudgetedMemory budgeted, InstanceState state, ValidatedModule module,
            Collection<String> opExports, int maxOutputBytes, int maxJsonDepth) {
        this.maxJsonDepth = maxJsonDepth;
        this.instance = instance;
        this.budgeted = budgeted;
        this.state = state;
        this.memory = new GuestMemory(instance.memory(), maxOutputBytes);
        this.alloc = instance.export(AbiV1.ALLOC);
        this.free = module.hasFree() ? instance.export(AbiV1.FREE) : null;
        this.onEvent = module.hasOnEvent() ? instance.export(AbiV1.ON_EVENT) : null;
        for (String export : opExports) {
            ops.put(export, instance.export(export));
        }
    }

    /**
     * Instantiates the module (running its start function, if any) and then {@code pando_init}.
     *
     * @param machineFactory the compiled machine shared by all instances, or null for the interpreter
     */
    static GuestInstance create(ValidatedModule module, Function<Instance, Machine> machineFactory, HostImports host,
            Collection<String> opExports, int maxOutputBytes, int maxJsonDepth, GuestMemoryBudget budget,
            AtomicLong pluginBytes) {
        InstanceState state = new InstanceState();
        BudgetedMemory[] memory = new BudgetedMemory[1];
        Instance.Builder builder = Instance.builder(module.module())
                .withImportValues(host.bind(state))
                .withMemoryLimits(module.memoryLimits())
                .withMemoryFactory(limits -> memory[0] = BudgetedMemory.create(limits, budget, pluginBytes))
                .withUnsafeExecutionListener(InterruptCheck.LISTENER);
        if (machineFactory != null) {
            builder.withMachineFactory(machineFactory);
        }
        try {
            GuestInstance guest = new GuestInstance(builder.build(), memory[0], state, module, opExports, maxOutputBytes,
                    maxJsonDepth);
            if (module.hasInit()) {
                guest.init();
            }
            return guest;
        } catch (RuntimeException | Error e) {
            // A start function or pando_init that trapped leaves memory that no instance owns.
            if (memory[0] != null) {
                memory[0].release();
            }
            throw e;
        }
    }

    /** Gives this instance's memory back to the node's budget; the instance is not used again. */
    void release() {
        budgeted.release();
    }

    private void init() {
        state.reset();
        int rc = (int) instance.export(AbiV1.INIT).apply()[0];
        PandoException reported = state.takeReported();
        if (reported != null) {
            throw new PandoException(ErrorCode.PLUGIN_FAILED, AbiV1.INIT + " failed: " + reported.getMessage());
        }
        if (rc != 0) {
            throw new PandoException(ErrorCode.PLUGIN_FAILED, AbiV1.INIT + " returned " + rc);
        }
    }

    /** Calls an op export with {@code args} (JSON bytes) for {@code caller} and returns its parsed result. */
    JsonNode call(String export, byte[] args, Caller caller) {
        state.reset();
        state.caller(caller);
        int argsPtr = place(args);
        long packed = ops.get(export).apply(argsPtr, args.length)[0];
        PandoException reported = state.takeReported();
        if (reported != null) {
            // The guest reported an error; its return value means nothing (the ABI says return 0).
            throw reported;
        }
        int ptr = (int) (packed >>> 32);
        int len = (int) packed;
        if (len == 0) {
            return NullNode.getInstance();
        }
        String what = "the result of export '" + export + "'";
        byte[] out;
        try {
            out = memory.read(ptr, len, what);
        } catch (PandoException e) {
            throw new PandoException(ErrorCode.PLUGIN_FAILED, e.getMessage());
        }
        if (free != null) {
            free.apply(ptr, len);
        }
        try {
            return AbiJson.parse(out, maxJsonDepth, what);
        } catch (PandoException e) {
            throw new PandoException(ErrorCode.PLUGIN_FAILED, e.getMessage());
        }
    }

    /** Hands {@code event} (JSON bytes) to {@code pando_on_event}; the module must export it. */
    void deliver(byte[] event) {
        state.reset();
        int ptr = place(event);
        int rc = (int) onEvent.apply(ptr, event.length)[0];
        PandoException reported = state.takeReported();
        if (reported != null) {
            throw reported;
        }
        if (rc != 0) {
            throw new PandoException(ErrorCode.PLUGIN_FAILED, AbiV1.ON_EVENT + " returned " + rc);
        }
    }

    /** Copies host input into a guest buffer from the guest's allocator; the guest owns it afterwards. */
    private int place(byte[] bytes) {
        int ptr = (int) alloc.apply(bytes.length)[0];
        if (ptr == 0) {
            throw new PandoException(ErrorCode.PLUGIN_FAILED, AbiV1.ALLOC + "(" + bytes.length + ") returned 0 (out of memory)");
        }
        try {
            memory.write(ptr, bytes, "the buffer from " + AbiV1.ALLOC + "(" + bytes.length + ")");
        } catch (PandoException e) {
            throw new PandoException(ErrorCode.PLUGIN_FAILED, e.getMessage());
        }
        return ptr;
    }
}
