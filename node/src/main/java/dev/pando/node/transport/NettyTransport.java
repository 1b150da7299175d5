package dev.pando.node.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Event-loop groups for the server and the load generator (Java NIO, portable). */
public final class NettyTransport {
    private NettyTransport() {}

    /** A group of {@code threads} event loops (0 = Netty's default, 2 × cores) named {@code prefix-N-M}. */
    public static EventLoopGroup group(int threads, String prefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, true), NioIoHandler.newFactory());
    }
}
