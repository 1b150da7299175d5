package dev.pando.node.transport;

import dev.pando.api.ErrorCode;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.Response;
import dev.pando.node.session.ClientSession;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket end of a {@link ClientSession} (the last handler of its pipeline): feeds it the
 * frames read and the channel's writability and closing, and does what is WebSocket's own:
 * counting the session once the handshake completes, pinging a quiet client, closing with the
 * right status on a protocol violation, and 1001 on shutdown. The frames themselves are the
 * {@link JsonFrameCodec}'s business.
 */
final class WebSocketSession extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final ServerContext server;
    private final Channel channel;
    private final ClientSession session;
    /** The handshake completed (event loop only). */
    private boolean open;

    WebSocketSession(ServerContext server, Principal principal, Optional<String> token, String remoteAddress, Channel channel) {
        this.server = server;
        this.channel = channel;
        this.session = server.sessions.open("ws-" + IDS.incrementAndGet(), principal, token, remoteAddress, channel, server.frameCodec);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        session.received(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            open = true;
            server.wsSessions.incrementAndGet();
            log.debug("{} opened", session);
        } else if (evt instanceof IdleStateEvent e) {
            if (e.state() == IdleState.WRITER_IDLE) {
                channel.writeAndFlush(new PingWebSocketFrame()); // a live client answers; the pong is a read
            } else if (e.state() == IdleState.READER_IDLE) {
                log.debug("{} sent nothing (not even a pong) for {} ms; closing", session, server.settings.idleTimeoutMs());
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException c) {
            closeWith(c.closeStatus(), c.getMessage());
        } else if (cause instanceof TooLongFrameException) { // a fragmented message over the limit
            closeWith(WebSocketCloseStatus.MESSAGE_TOO_BIG, cause.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("{} failed: {}", session, cause.toString());
            ctx.close();
        } else {
            log.warn("unexpected error in {}; closing it", session, cause);
            ctx.close();
        }
    }

    /** Tells the client why (an error frame for an oversized message), then closes with {@code status}. */
    private void closeWith(WebSocketCloseStatus status, String detail) {
        log.debug("{}: closing with {}: {}", session, status, detail);
        if (!channel.isActive()) {
            return;
        }
        if (status.equals(WebSocketCloseStatus.MESSAGE_TOO_BIG)) {
            channel.write(server.frameCodec.response(channel.alloc(), Response.error(null, ErrorCode.TOO_LARGE,
                    "message larger than " + server.settings.maxFrameBytes() + " bytes")));
        }
        channel.writeAndFlush(new CloseWebSocketFrame(status)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Server shutdown: close with 1001 (going away). */
    void goingAway() {
        channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.closed();
        if (open) {
            open = false;
            server.wsSessions.decrementAndGet();
            log.debug("{} closed", session);
        }
        ctx.fireChannelInactive();
    }
}
