package dev.pando.host.wasm;

/**
 * How the host runs a WASM module.
 *
 * @param compiled       true: Chicory's runtime compiler turns the module into JVM bytecode once
 *                       and every instance reuses it; false: the interpreter (for comparison and
 *                       benchmarks; much slower)
 * @param maxOutputBytes the most the host reads from guest memory in one piece: an op's result,
 *                       a value passed to {@code kv_set}, a log message. Also caps what a host
 *                       function hands back through the result buffer.
 */
public record WasmOptions(boolean compiled, int maxOutputBytes) {
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

    public static final WasmOptions DEFAULT = new WasmOptions(true, DEFAULT_MAX_OUTPUT_BYTES);

    public WasmOptions {
        if (maxOutputBytes < 1) {
            throw new IllegalArgumentException("maxOutputBytes must be positive, got " + maxOutputBytes);
        }
    }

    public WasmOptions withCompiled(boolean compiled) {
        return new WasmOptions(compiled, maxOutputBytes);
    }

    public WasmOptions withMaxOutputBytes(int maxOutputBytes) {
        return new WasmOptions(compiled, maxOutputBytes);
    }
}
