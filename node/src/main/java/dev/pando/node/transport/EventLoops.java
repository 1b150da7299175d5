package dev.pando.node.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;

/** Small helpers for getting work onto a channel's event loop. */
final class EventLoops {
    private EventLoops() {}

    /**
     * Runs {@code task} on {@code loop}: at once when already there, else queued. If the loop
     * no longer accepts tasks (the server is shutting down), runs {@code onRejected} instead so
     * the caller's bookkeeping still balances.
     */
    static void runOn(EventLoop loop, Runnable task, Runnable onRejected) {
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

    /** The peer's IP address without the port ("unknown" if it is not an IP socket). */
    static String remoteIp(Channel channel) {
        SocketAddress a = channel.remoteAddress();
        if (a instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return "unknown";
    }
}
