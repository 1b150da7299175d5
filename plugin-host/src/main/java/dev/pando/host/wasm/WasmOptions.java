package dev.pando.host.wasm;

import dev.pando.api.json.JsonRules;
import java.util.Objects;

/**
 * How the host runs a WASM module.
 *
 * @param compiled       true: Chicory's runtime compiler turns the module into JVM bytecode once
 *                       and every instance reuses it; false: the interpreter (for comparison and
 *                       benchmarks; much slower)
 * @param maxOutputBytes the most the host reads from guest memory in one piece: an op's result,
 *                       a value passed to {@code kv_set}, a log message. Also caps what a host
 *                       function hands back through the result buffer.
 * @param maxJsonDepth   deepest nesting of arrays/objects in JSON a guest hands the host (results,
 *                       values, payloads); {@code limits.max-json-depth}
 * @param moduleLimits   what a module may cost to load: size, functions, {@code br_table} size,
 *                       compile time
 * @param memoryBudget   the node-wide budget every instance's linear memory is drawn from; shared
 *                       by every plugin loaded with these options
 */
public record WasmOptions(boolean compiled, int maxOutputBytes, int maxJsonDepth, ModuleLimits moduleLimits,
        GuestMemoryBudget memoryBudget) {
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

    /** Default limits and an unlimited memory budget. */
    public static final WasmOptions DEFAULT = new WasmOptions(true, DEFAULT_MAX_OUTPUT_BYTES);

    public WasmOptions {
        if (maxOutputBytes < 1) {
            throw new IllegalArgumentException("maxOutputBytes must be positive, got " + maxOutputBytes);
        }
        JsonRules.requireDepthLimit(maxJsonDepth);
        Objects.requireNonNull(moduleLimits, "moduleLimits");
        Objects.requireNonNull(memoryBudget, "memoryBudget");
    }

    /** Default JSON depth and module limits, and a memory budget of its own, unlimited. */
    public WasmOptions(boolean compiled, int maxOutputBytes) {
        this(compiled, maxOutputBytes, JsonRules.DEFAULT_MAX_DEPTH, ModuleLimits.DEFAULT, GuestMemoryBudget.unlimited());
    }

    public WasmOptions withCompiled(boolean compiled) {
        return new WasmOptions(compiled, maxOutputBytes, maxJsonDepth, moduleLimits, memoryBudget);
    }

    public WasmOptions withMaxOutputBytes(int maxOutputBytes) {
        return new WasmOptions(compiled, maxOutputBytes, maxJsonDepth, moduleLimits, memoryBudget);
    }

    public WasmOptions withMaxJsonDepth(int maxJsonDepth) {
        return new WasmOptions(compiled, maxOutputBytes, maxJsonDepth, moduleLimits, memoryBudget);
    }

    public WasmOptions withModuleLimits(ModuleLimits moduleLimits) {
        return new WasmOptions(compiled, maxOutputBytes, maxJsonDepth, moduleLimits, memoryBudget);
    }

    public WasmOptions withMemoryBudget(GuestMemoryBudget memoryBudget) {
        return new WasmOptions(compiled, maxOutputBytes, maxJsonDepth, moduleLimits, memoryBudget);
    }
}
