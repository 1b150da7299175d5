package dev.pando.api.manifest;

/**
 * Resource limits a plugin asks for; the node caps each one ({@link ManifestCaps}).
 *
 * @param memoryPages   WASM linear memory ceiling, in 64 KiB pages
 * @param callTimeoutMs longest a single call may run before it is interrupted
 * @param instances     calls the plugin may serve at once (WASM instance pool size)
 */
public record Limits(int memoryPages, int callTimeoutMs, int instances) {
    public static final int DEFAULT_MEMORY_PAGES = 256;
    public static final int DEFAULT_CALL_TIMEOUT_MS = 1000;
    public static final int DEFAULT_INSTANCES = 4;

    public static final Limits DEFAULT = new Limits(DEFAULT_MEMORY_PAGES, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_INSTANCES);
}
