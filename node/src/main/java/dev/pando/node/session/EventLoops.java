package dev.pando.node.session;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;

/** Getting work onto a connection's event loop, for the session core and the transports. */
public final class EventLoops {
    /** A task that does nothing. */
    public static final Runnable NOTHING = () -> {};

    private EventLoops() {}

    /**
     * Runs {@code task} on {@code loop}: at once when already there, else queued. If the loop
     * no longer accepts tasks (the server is shutting down), runs {@code onRejected} instead so
     * the caller's bookkeeping still balances.
     */
    public static void runOn(EventExecutor loop, Runnable task, Runnable onRejected) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            onRejected.run();
        }
    }
}
