package dev.pando.host.wasm;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;

/**
 * A parsed module that meets ABI v1 and its manifest.
 *
 * @param memoryLimits the limits every instance's memory is created with: the module's initial
 *                     size and the smaller of its own maximum and the manifest's cap
 */
record ValidatedModule(WasmModule module, MemoryLimits memoryLimits, boolean hasFree, boolean hasInit, boolean hasOnEvent) {}
