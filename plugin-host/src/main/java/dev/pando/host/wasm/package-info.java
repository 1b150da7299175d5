/**
 * WASM plugins: {@link dev.pando.host.wasm.WasmPlugin} runs a WebAssembly module that speaks
 * ABI v1 ({@link dev.pando.host.wasm.AbiV1}, {@code docs/plugin-abi.md}) on Chicory, as a
 * {@link dev.pando.api.plugin.PandoPlugin} like any other.
 */
package dev.pando.host.wasm;
