package dev.pando.node.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;

/**
 * One long-lived bench WebSocket session (a fan-out subscriber or writer, an idle session of the
 * memory report). {@link #established} completes when the session is ready for its job: by
 * default when the upgrade is done; a subclass that must do more first (subscribe) completes it
 * itself. A close after that is counted by {@link #lost}, unless the bench closed it.
 */
abstract class SessionHandler extends ChannelInboundHandlerAdapter {
    final CompletableFuture<Void> established = new CompletableFuture<>();
    ChannelHandlerContext ctx;
    private volatile boolean closing;

    /** The upgrade is done; the default makes the session established at once. */
    void upgraded() {
        established.complete(null);
    }

    /** A text frame's payload arrived (a slice of the read buffer: valid during the call only). */
    abstract void frame(ByteBuf payload);

    /** The node closed an established session (or it broke), on the channel's event loop. */
    void lost() {}

    /** Closes the session; not counted as lost. */
    void close() {
        closing = true;
        if (ctx != null) {
            ctx.close();
        }
    }

    /** Writes one text frame and flushes. */
    void send(String text) {
        ctx.writeAndFlush(new TextWebSocketFrame(text), ctx.voidPromise());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            // Nothing is read past the 101 yet: the node sends nothing before the session asks.
            ctx.pipeline().replace(WebSocketFrameDecoder.class, "bench-frames", new FrameReader(this));
            upgraded();
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            established.completeExceptionally(new WebSocketClientHandshakeException("WebSocket upgrade timed out"));
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        boolean wasEstablished = established.isDone() && !established.isCompletedExceptionally();
        established.completeExceptionally(new ClosedChannelException());
        if (wasEstablished && !closing) {
            lost();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        established.completeExceptionally(cause);
        ctx.close();
    }
}
