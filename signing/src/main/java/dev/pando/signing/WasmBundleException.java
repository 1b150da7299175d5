package dev.pando.signing;

/** Bytes that are not a well-formed WASM bundle (bad header, truncated or overlong sections, manifest missing or repeated). */
public final class WasmBundleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public WasmBundleException(String message) {
        super(message);
    }
}
