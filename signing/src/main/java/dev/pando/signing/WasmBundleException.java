package dev.pando.signing;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;

/**
 * Bytes that are not a well-formed WASM bundle (bad header, truncated or overlong sections,
 * manifest missing or repeated): a {@code BAD_REQUEST}.
 */
public final class WasmBundleException extends PandoException {
    private static final long serialVersionUID = 1L;

    public WasmBundleException(String message) {
        super(ErrorCode.BAD_REQUEST, message);
    }
}
