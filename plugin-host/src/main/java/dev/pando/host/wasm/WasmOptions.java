package dev.pando.host.wasm;

import dev.pando.api.json.JsonRules;

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
 */
public record WasmOptions(boolean compiled, int maxOutputBytes, int maxJsonDepth) {
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

    public static final WasmOptions DEFAULT = new WasmOptions(true, DEFAULT_MAX_OUTPUT_BYTES, JsonRules.DEFAULT_MAX_DEPTH);

    public WasmOptions {
        if (maxOutputBytes < 1) {
            throw new IllegalArgumentException("maxOutputBytes must be positive, got " + maxOutputBytes);
        }
        JsonRules.requireDepthLimit(maxJsonDepth);
    }

    /** As the canonical constructor with the default JSON depth limit. */
    public WasmOptions(boolean compiled, int maxOutputBytes) {
        this(compiled, maxOutputBytes, JsonRules.DEFAULT_MAX_DEPTH);
    }

    public WasmOptions withCompiled(boolean compiled) {
        return new WasmOptions(compiled, maxOutputBytes, maxJsonDepth);
    }

    public WasmOptions withMaxOutputBytes(int maxOutputBytes) {
        return new WasmOptions(compiled, maxOutputBytes, maxJsonDepth);
    }

    public WasmOptions withMaxJsonDepth(int maxJsonDepth) {
        return new WasmOptions(compiled, maxOutputBytes, maxJsonDepth);
    }
}
