package dev.pando.host.wasm;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasm.ChicoryException;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;

/** Turns whatever a guest call threw into the {@link PandoException} the caller sees. */
final class Traps {

    private Traps() {}

    /**
     * @param what names the call for the message, e.g. {@code plugin 'x' op x.run}; the host's
     *             own failures are prefixed with it, an error the guest reported is passed as is
     */
    static PandoException translate(Throwable t, String what) {
        if (t instanceof GuestReportedException e) {
            return e; // the guest's own words, for the guest's client
        }
        if (t instanceof PandoException e) {
            return new PandoException(e.code(), what + ": " + e.getMessage(), e);
        }
        if (t instanceof ChicoryInterruptedException) {
            // Chicory leaves the flag set; say so explicitly, the interrupt belongs to whoever runs this thread.
            Thread.currentThread().interrupt();
            return new PandoException(ErrorCode.TIMEOUT, what + " was interrupted (call timeout)", t);
        }
        if (t instanceof StackOverflowError) {
            return new PandoException(ErrorCode.PLUGIN_FAILED, what + " failed with a trap: call stack exhausted", t);
        }
        if (t instanceof ChicoryException) {
            return new PandoException(ErrorCode.PLUGIN_FAILED, what + " failed with a trap: " + reason(t), t);
        }
        return new PandoException(ErrorCode.PLUGIN_FAILED, what + " failed: " + t.getClass().getSimpleName() + ": " + reason(t), t);
    }

    static PandoException interrupted(String what, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new PandoException(ErrorCode.TIMEOUT, what + " was interrupted (call timeout)", e);
    }

    private static String reason(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
