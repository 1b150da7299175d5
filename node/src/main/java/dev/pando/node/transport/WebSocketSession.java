package dev.pando.node.transport;

import dev.pando.api.ErrorCode;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.Response;
import dev.pando.node.session.ClientSession;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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

    /**
     * Pings a silent client gets, one per silent period of a third of the idle timeout, before
     * the period that closes it: a client that answers them (a pong is a read) is never idle.
     */
    static final int PINGS_BEFORE_CLOSE = 2;

    private final ServerContext server;
    private final Channel channel;
    private final ClientSession session;
    /** The handshake completed (event loop only). */
    private boolean open;
    /** Silent periods in a row: reader-idle events since the client last sent anything (event loop only). */
    private int silentPeriods;

    WebSocketSession(ServerContext server, Principal principal, Optional<String> token, String remoteAddress, Channel channel) {
        this.server = server;
        this.channel = channel;
        this.session = server.sessions.open("ws-" + IDS.incrementAndGet(), principal, token, remoteAddress, channel, server.frameCodec);
    }

    /**
     * Refits the connection's pipeline for a WebSocket (during the upgrade): idleness is judged
     * in periods of a third of the timeout, each pinging the client; and flushes outside a read
     * go out at once, because the session's {@link dev.pando.node.session.ClientSession outbox}
     * already writes each burst of answers or pushes with one flush. Deferring them again would
     * cost every push an event-loop task.
     */
    void adapt(ChannelPipeline p) {
        long idle = server.settings.idleTimeoutMs();
        if (idle > 0 && p.get(PandoServer.IDLE_HANDLER) != null) {
            long period = Math.max(1, idle / (PINGS_BEFORE_CLOSE + 1));
            p.replace(PandoServer.IDLE_HANDLER, PandoServer.IDLE_HANDLER, new IdleStateHandler(period, 0, 0, TimeUnit.MILLISECONDS));
        }
        p.replace(PandoServer.FLUSH_HANDLER, PandoServer.FLUSH_HANDLER,
                new FlushConsolidationHandler(PandoServer.FLUSH_CONSOLIDATION_LIMIT, false));
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
            if (e.state() == IdleState.READER_IDLE) {
                silentPeriods = e.isFirst() ? 1 : silentPeriods + 1;
                if (silentPeriods <= PINGS_BEFORE_CLOSE) {
                    channel.writeAndFlush(new PingWebSocketFrame()); // a live client answers; the pong is a read
                } else {
                    log.debug("{} sent nothing (not even a pong) for {} ms; closing", session, server.settings.idleTimeoutMs());
                    ctx.close();
                }
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
