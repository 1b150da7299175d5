package dev.pando.host.wasm;

/**
 * Instance pool counters of one WASM plugin.
 *
 * @param instancesCreated   instances built so far (each runs the start function and {@code pando_init})
 * @param instancesDiscarded instances thrown away after a trap, a timeout or bad output
 * @param instancesIdle      instances waiting in the pool right now
 * @param memoryBytes        linear memory held by the plugin's instances right now, idle ones included
 */
public record WasmStats(long instancesCreated, long instancesDiscarded, int instancesIdle, long memoryBytes) {}
