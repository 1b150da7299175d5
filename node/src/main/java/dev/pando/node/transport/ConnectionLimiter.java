package dev.pando.node.transport;

import dev.pando.node.metrics.Metrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections against {@code limits.max-connections}. An accepted connection over
 * the limit gets a fixed 503 (harmless to non-HTTP peers) and is closed; nothing else of the
 * pipeline is built for it.
 */
final class ConnectionLimiter {
    static final String REJECTED = "pando_connections_rejected_total";

    private static final String REJECTION_BODY =
            "{\"id\":null,\"ok\":false,\"error\":{\"code\":\"UNAVAILABLE\",\"message\":\"too many open connections\"}}";
    private static final byte[] REJECTION = ("HTTP/1.1 503 Service Unavailable\r\n"
            + "Content-Type: application/json\r\n"
            + "Connection: close\r\n"
            + "Content-Length: " + REJECTION_BODY.length() + "\r\n\r\n"
            + REJECTION_BODY).getBytes(StandardCharsets.US_ASCII);

    private final int max;
    private final Metrics metrics;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionLimiter(int max, Metrics metrics) {
        this.max = max;
        this.metrics = metrics;
    }

    /**
     * Admits {@code ch} (and releases its slot when it closes) or refuses it.
     *
     * @return false if the limit is reached; the caller installs {@link #rejecter()} only
     */
    boolean tryAdmit(Channel ch) {
        int n = open.incrementAndGet();
        if (max > 0 && n > max) {
            open.decrementAndGet();
            metrics.inc(REJECTED, "Connections refused because the connection limit was reached");
            return false;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }

    int open() {
        return open.get();
    }

    /** A handler that answers 503 and closes as soon as the connection is active. */
    static ChannelInboundHandlerAdapter rejecter() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(REJECTION)).addListener(ChannelFutureListener.CLOSE);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // the peer may reset first; nothing worth logging
            }
        };
    }
}
