/**
 * Ed25519 identity and plugin signing: {@link dev.pando.signing.Ed25519KeyPair} (sign, verify),
 * {@link dev.pando.signing.Ed25519Keys} (OpenSSH, PEM and hex key text),
 * {@link dev.pando.signing.TrustedKeys} (the keys a node accepts),
 * {@link dev.pando.signing.WasmBundle} (manifest and signature inside a WASM module) and
 * {@link dev.pando.signing.DetachedSignature} ({@code <jar>.sig}). Refusals are a
 * {@link dev.pando.signing.SignatureException} with a {@link dev.pando.signing.SignatureException.Reason}.
 * Its failures are {@link dev.pando.api.PandoException}s: {@code SignatureException} is
 * {@code FORBIDDEN}; {@link dev.pando.signing.KeyFormatException} (unusable key text) and
 * {@link dev.pando.signing.WasmBundleException} (a malformed bundle) are {@code BAD_REQUEST}.
 */
package dev.pando.signing;
