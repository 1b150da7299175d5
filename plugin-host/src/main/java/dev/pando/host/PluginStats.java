package dev.pando.host;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters for one plugin id; cheap to bump from many threads. The node hands the same object to
 * every version of an id, so the totals run on across replacements (and reloads).
 */
public final class PluginStats {
    final LongAdder calls = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder busy = new LongAdder();
    final LongAdder deliveries = new LongAdder();
    final LongAdder deliveryErrors = new LongAdder();
    final AtomicReference<String> lastError = new AtomicReference<>();

    /** Calls made, including ones refused as busy. */
    public long calls() {
        return calls.sum();
    }

    /** Calls that ended in any error, including timeouts and failures. */
    public long errors() {
        return errors.sum();
    }

    /** Calls cut off at the call time limit. */
    public long timeouts() {
        return timeouts.sum();
    }

    /** Calls that crashed: a WASM trap or an unexpected exception from native code. */
    public long failures() {
        return failures.sum();
    }

    /**
     * Calls answered {@code UNAVAILABLE} without running because the plugin was busy: every
     * instance in use and its queue full, or the call's time limit passed while it waited.
     */
    public long busy() {
        return busy.sum();
    }

    /** Changes and events handed to the plugin's listener. */
    public long deliveries() {
        return deliveries.sum();
    }

    /** Deliveries whose handler threw. */
    public long deliveryErrors() {
        return deliveryErrors.sum();
    }

    /** The most recent error message, or null. */
    public String lastError() {
        return lastError.get();
    }
}
