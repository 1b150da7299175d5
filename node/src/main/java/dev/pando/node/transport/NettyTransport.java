package dev.pando.node.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Netty's I/O for the server and the load generator: the native epoll transport where it loads
 * (Linux x86_64, from netty-transport-native-epoll), which saves syscalls and copies on every
 * read and write; Java NIO everywhere else, or when {@code transport.native} is false. A group
 * and the channels bootstrapped on it must come from the same kind.
 */
public enum NettyTransport {
    EPOLL,
    NIO;

    /** Epoll if {@code preferNative} and it loads here, else NIO. */
    public static NettyTransport choose(boolean preferNative) {
        return preferNative && Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** A group of {@code threads} event loops (0 = Netty's default, 2 × cores) named {@code prefix-N-M}. */
    public EventLoopGroup group(int threads, String prefix) {
        IoHandlerFactory io = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, true), io);
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** What the log and {@code node.info} call it. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
