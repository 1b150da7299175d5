package dev.pando.host.wasm;

/**
 * Bounds on what a module may cost to load. Compiling a module to JVM bytecode can take far more
 * time and memory than its size suggests (one huge {@code br_table}, tens of thousands of
 * functions), so the shapes known to blow up are refused before compiling, and the compile itself
 * runs against a deadline (see {@link WasmCompiler}). Refusals name the config key of the limit.
 *
 * @param maxModuleBytes    the largest module, in bytes, checked before parsing ({@value #MAX_MODULE_BYTES_KEY})
 * @param maxFunctions      the most functions a module may define ({@value #MAX_FUNCTIONS_KEY})
 * @param maxBrTableTargets the most labels one {@code br_table} may list ({@value #MAX_BR_TABLE_TARGETS_KEY});
 *                          compile time grows faster than linearly with it
 * @param maxCompileMs      how long compiling one module may take ({@value #MAX_COMPILE_MS_KEY})
 */
public record ModuleLimits(int maxModuleBytes, int maxFunctions, int maxBrTableTargets, int maxCompileMs) {
    public static final String MAX_MODULE_BYTES_KEY = "plugins.max-module-bytes";
    public static final String MAX_FUNCTIONS_KEY = "plugins.max-functions";
    public static final String MAX_BR_TABLE_TARGETS_KEY = "plugins.max-br-table-targets";
    public static final String MAX_COMPILE_MS_KEY = "plugins.max-compile-ms";

    public static final int DEFAULT_MAX_MODULE_BYTES = 8 * 1024 * 1024;
    /** About 1.5 s of compiling on a laptop core; 100,000 took 24 s. */
    public static final int DEFAULT_MAX_FUNCTIONS = 20_000;
    /** About 0.3 s of compiling; 30,000 took 2.4 s, and a million (1 MB of module) minutes. */
    public static final int DEFAULT_MAX_BR_TABLE_TARGETS = 16_384;
    public static final int DEFAULT_MAX_COMPILE_MS = 20_000;

    public static final ModuleLimits DEFAULT = new ModuleLimits(DEFAULT_MAX_MODULE_BYTES, DEFAULT_MAX_FUNCTIONS,
            DEFAULT_MAX_BR_TABLE_TARGETS, DEFAULT_MAX_COMPILE_MS);

    public ModuleLimits {
        positive(maxModuleBytes, MAX_MODULE_BYTES_KEY);
        positive(maxFunctions, MAX_FUNCTIONS_KEY);
        positive(maxBrTableTargets, MAX_BR_TABLE_TARGETS_KEY);
        positive(maxCompileMs, MAX_COMPILE_MS_KEY);
    }

    public ModuleLimits withMaxModuleBytes(int value) {
        return new ModuleLimits(value, maxFunctions, maxBrTableTargets, maxCompileMs);
    }

    public ModuleLimits withMaxFunctions(int value) {
        return new ModuleLimits(maxModuleBytes, value, maxBrTableTargets, maxCompileMs);
    }

    public ModuleLimits withMaxBrTableTargets(int value) {
        return new ModuleLimits(maxModuleBytes, maxFunctions, value, maxCompileMs);
    }

    public ModuleLimits withMaxCompileMs(int value) {
        return new ModuleLimits(maxModuleBytes, maxFunctions, maxBrTableTargets, value);
    }

    private static void positive(int value, String key) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }
}
