package dev.pando.node.dispatch;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The live handler table, held in an {@link AtomicReference}. Readers take the current table
 * once per call and never lock; writers build a whole new table and publish it with one
 * {@code set}, so a call sees either the old generation or the new one, never a mix.
 */
public final class HandlerRegistry {
    private final AtomicReference<HandlerTable> current;
    private final Object swapLock = new Object();

    public HandlerRegistry() {
        current = new AtomicReference<>(new HandlerTable(0, java.util.Map.of()));
    }

    public HandlerTable current() {
        return current.get();
    }

    /**
     * Admits a call to the current table; the caller must {@link #release} it when the call
     * completes. Never blocks.
     */
    public HandlerTable acquire() {
        while (true) {
            HandlerTable t = current.get();
            if (t.enter()) {
                return t;
            }
        }
    }

    public void release(HandlerTable table) {
        table.exit();
    }

    /**
     * Publishes a table derived from the current one. Swaps are serialised among writers (a
     * reload and a core registration never lose each other's edits); readers are never blocked.
     * Returns the retired table, which the caller may {@link #drain} before closing what only
     * it referenced.
     */
    public HandlerTable swap(UnaryOperator<HandlerTable.Builder> edit) {
        synchronized (swapLock) {
            HandlerTable old = current.get();
            HandlerTable next = new HandlerTable(old.generation() + 1, edit.apply(old.toBuilder()).entries());
            current.set(next);
            old.retire();
            return old;
        }
    }

    /** Waits up to {@code timeout} for calls still running on a retired table. */
    public boolean drain(HandlerTable retired, long timeout, TimeUnit unit) throws InterruptedException {
        return retired.awaitDrained(timeout, unit);
    }
}
