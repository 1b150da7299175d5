package dev.pando.host.wasm;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExecutionListener;
import com.dylibso.chicory.wasm.types.OpCode;

/**
 * Makes Chicory's interpreter honour {@link Thread#interrupt()} in every loop.
 *
 * <p>Chicory 1.7.5's interpreter checks the interrupt flag on calls and on {@code br}, but not on
 * {@code br_if} or {@code br_table}, so {@code (loop (br_if 0 (i32.const 1)))} spins forever
 * despite interruption (fixed upstream after 1.7.5, in #1261). This listener adds the check on
 * those two instructions. The compiled machine does not need it (it checks on every backward
 * jump and call) and never invokes listeners, except for functions it falls back to
 * interpreting, which need the check just as much.
 */
final class InterruptCheck {
    static final ExecutionListener LISTENER = (instruction, stack) -> {
        OpCode op = instruction.opcode();
        if ((op == OpCode.BR_IF || op == OpCode.BR_TABLE) && Thread.currentThread().isInterrupted()) {
            throw new ChicoryInterruptedException("Thread interrupted");
        }
    };

    private InterruptCheck() {}
}
