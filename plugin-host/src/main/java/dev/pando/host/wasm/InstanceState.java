package dev.pando.host.wasm;

import dev.pando.api.PandoException;
import dev.pando.api.plugin.Caller;

/**
 * The host-side state behind one instance's imports: the result buffer the guest reads with
 * {@code pando.result_len} / {@code pando.result_read}, and an error it reported with
 * {@code pando.error}. Only the thread holding the instance touches it; the pool's hand-off
 * orders those threads.
 */
final class InstanceState {
    private static final byte[] EMPTY = new byte[0];

    private byte[] result = EMPTY;
    private PandoException reported;
    private Caller caller;

    /** Forget everything from the previous entry-point call. */
    void reset() {
        result = EMPTY;
        reported = null;
        caller = null;
    }

    /** Who the current op call is for; null outside op calls (init, event delivery). */
    Caller caller() {
        return caller;
    }

    void caller(Caller caller) {
        this.caller = caller;
    }

    byte[] result() {
        return result;
    }

    void result(byte[] bytes) {
        result = bytes == null ? EMPTY : bytes;
    }

    void clearResult() {
        result = EMPTY;
    }

    /** The last error reported wins: a guest may refine it before returning. */
    void report(PandoException error) {
        reported = error;
    }

    /** The reported error, if any, cleared so it cannot leak into the next call. */
    PandoException takeReported() {
        PandoException r = reported;
        reported = null;
        return r;
    }
}
