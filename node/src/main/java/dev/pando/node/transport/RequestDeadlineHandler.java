package dev.pando.node.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slow-loris and silent-connection guard: a connection's first request must arrive completely
 * within {@code limits.request-read-timeout-ms} of the connection being accepted, and each later
 * request within that time of its first byte, or the connection is closed. An idle timeout cannot
 * give this, since a client trickling one byte at a time is never idle; and counting from the
 * first byte would let a client that never sends one hold its slot until the (much longer) idle
 * timeout. Between requests on a kept-alive connection only the idle timeout applies.
 *
 * <p>It takes two places in the pipeline. The {@link #firstByteWatcher()} sits before the HTTP
 * decoder and starts the clock on raw bytes (the decoder emits nothing until the headers are
 * complete); this handler sits after the decoder, before the aggregator, and stops the clock at
 * the request's last content. One instance per connection; everything runs on its event loop.
 */
final class RequestDeadlineHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RequestDeadlineHandler.class);

    private final long timeoutMs;
    private final Runnable onExpiry;
    private final FirstByteWatcher watcher = new FirstByteWatcher();
    private ScheduledFuture<?> timer;

    /**
     * @param timeoutMs how long a started request may take to arrive
     * @param onExpiry  called (on the event loop) when a connection is closed for it, e.g. to count it
     */
    RequestDeadlineHandler(long timeoutMs, Runnable onExpiry) {
        this.timeoutMs = timeoutMs;
        this.onExpiry = onExpiry;
    }

    /** The companion handler that goes before the HTTP decoder. */
    ChannelInboundHandlerAdapter firstByteWatcher() {
        return watcher;
    }

    /** Takes both handlers out, e.g. once a connection is upgraded to WebSocket. */
    void uninstall(ChannelPipeline pipeline) {
        disarm();
        pipeline.remove(watcher);
        pipeline.remove(this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx); // the clock for the first request starts at accept
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof LastHttpContent || (msg instanceof HttpObject o && o.decoderResult().isFailure())) {
            disarm();
        } else if (msg instanceof HttpRequest) {
            // Covers a pipelined request whose first bytes came in the buffer that ended the previous one.
            arm(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    private void arm(ChannelHandlerContext ctx) {
        if (timer == null && timeoutMs > 0) {
            timer = ctx.executor().schedule(() -> expire(ctx), timeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (ctx.channel().isActive()) {
            log.debug("closing {}: request not complete within {} ms", ctx.channel().remoteAddress(), timeoutMs);
            onExpiry.run();
            ctx.channel().close();
        }
    }

    /** Starts the clock on the first raw byte of a request. */
    private final class FirstByteWatcher extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b && b.isReadable()) {
                arm(ctx);
            }
            ctx.fireChannelRead(msg);
        }
    }
}
