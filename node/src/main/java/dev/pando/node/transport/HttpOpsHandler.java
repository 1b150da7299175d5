package dev.pando.node.transport;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.node.auth.AuthMode;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.Request;
import dev.pando.node.dispatch.Response;
import dev.pando.node.session.EventLoops;
import dev.pando.node.session.RequestPath;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a connection: routes each aggregated request ({@link HttpRoutes}), runs op
 * calls through the shared {@link dev.pando.node.session.RequestPath} and writes the response
 * when it completes (never blocking the event loop), and hands the connection over to a
 * {@link WebSocketSession} on {@code GET /v1/ws}.
 *
 * <p>Requests on one connection are served one at a time so that responses keep request order
 * (HTTP/1.1 pipelining); a few pipelined requests are queued, beyond that reading pauses. One
 * instance per connection; all methods run on its event loop.
 */
final class HttpOpsHandler extends ChannelInboundHandlerAdapter implements RequestPath.Reply {
    private static final Logger log = LoggerFactory.getLogger(HttpOpsHandler.class);

    /** Passed for responses that end no dispatched request (routing errors, health, metrics). */
    private static final Runnable UNTRACKED = () -> {};
    /** Pipelined requests held while one is being served; reading pauses beyond this. */
    private static final int MAX_QUEUED = 16;

    private final ServerContext server;
    private final RequestDeadlineHandler deadline;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** A request is being served: its response has not been handed to the channel yet. */
    private boolean busy;
    /** The exchange whose op call is running; one at a time per connection, so no per-call reply object. */
    private Exchange calling;

    /** What outlives the request buffer: how to label and finish the exchange. */
    private record Exchange(String route, boolean keepAlive) {
        Exchange closing() {
            return new Exchange(route, false);
        }
    }

    HttpOpsHandler(ServerContext server, RequestDeadlineHandler deadline) {
        this.server = server;
        this.deadline = deadline;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (busy) {
            queued.add(request);
            updateAutoRead();
            return;
        }
        serve(request);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseQueued();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent e) {
            // A request still being served is not idleness on the client's part.
            if (e.state() == IdleState.READER_IDLE && !busy) {
                log.debug("closing idle connection {}", ctx.channel().remoteAddress());
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
            // The peer went away (reset, or closed in the middle of sending a request): nothing unexpected.
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("unexpected error on connection {}; closing it", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    // ---- serving ----

    private void serve(FullHttpRequest request) {
        busy = true;
        Exchange ex = new Exchange(HttpRoutes.routeLabel(request.uri()), HttpUtil.isKeepAlive(request));
        try {
            route(ex, request);
        } catch (HttpRoutes.MethodNotAllowed e) {
            FullHttpResponse res = HttpResponses.error(ctx.alloc(), e.code(), e.getMessage());
            res.setStatus(HttpResponseStatus.METHOD_NOT_ALLOWED);
            res.headers().set(HttpHeaderNames.ALLOW, e.allow());
            send(ex, res, UNTRACKED);
        } catch (PandoException e) {
            send(ex, HttpResponses.error(ctx.alloc(), e.code(), e.getMessage()), UNTRACKED);
        } catch (RuntimeException e) {
            log.warn("failed to serve {} {}", request.method(), request.uri(), e);
            send(ex, HttpResponses.error(ctx.alloc(), ErrorCode.INTERNAL, "internal error"), UNTRACKED);
        } finally {
            request.release();
        }
    }

    private void route(Exchange ex, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            // The decoder has given up on this connection's byte stream; it cannot be reused.
            Throwable cause = request.decoderResult().cause();
            send(ex.closing(), HttpResponses.error(ctx.alloc(), ErrorCode.BAD_REQUEST,
                    "malformed HTTP request: " + (cause == null ? "unknown" : cause.getMessage())), UNTRACKED);
            return;
        }
        server.hosts.check(request);
        String path = HttpRoutes.rawPath(request.uri());
        HttpMethod method = request.method();
        switch (ex.route()) {
            case "ops" -> call(ex, HttpRoutes.opCall(request, path, server.settings.maxJsonDepth()), request);
            case "kv" -> call(ex, HttpRoutes.keyCall(request, path, server.settings.maxJsonDepth()), request);
            case "health" -> {
                HttpRoutes.requireMethod(method, HttpMethod.GET);
                ObjectNode body = JsonNodeFactory.instance.objectNode().put("status", "ok");
                send(ex, HttpResponses.json(ctx.alloc(), 200, body), UNTRACKED);
            }
            case "metrics" -> {
                HttpRoutes.requireMethod(method, HttpMethod.GET);
                Principal p = principal(request, token(request, false));
                if (!p.mayCall(Access.READ)) {
                    throw new PandoException(ErrorCode.UNAUTHORIZED, "metrics need a token with read access");
                }
                send(ex, HttpResponses.text(ctx.alloc(), 200, HttpResponses.PROMETHEUS_TYPE, server.metrics.render()), UNTRACKED);
            }
            case "ws" -> {
                HttpRoutes.requireMethod(method, HttpMethod.GET);
                if (!HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE, ""))) {
                    throw PandoException.badRequest("GET /v1/ws must be a WebSocket upgrade");
                }
                Optional<String> token = token(request, true);
                Principal p = principal(request, token);
                if (!p.isAuthenticated() && server.authenticator.mode() == AuthMode.AUTHENTICATED) {
                    // Nothing a tokenless session could do needs one: the tokenless ops are plain HTTP calls.
                    throw new PandoException(ErrorCode.UNAUTHORIZED, "a WebSocket session needs a token on this node (Authorization: Bearer or ?token=)");
                }
                if (server.draining()) {
                    throw new PandoException(ErrorCode.UNAVAILABLE, "node is shutting down");
                }
                upgrade(request, p, token);
            }
            default -> throw new PandoException(ErrorCode.NOT_FOUND, "no route for " + path);
        }
    }

    /** Runs an op call through the request path; {@link #send(Response, Runnable)} gets its answer. */
    private void call(Exchange ex, Request call, FullHttpRequest request) {
        CallContext context = new CallContext(principal(request, token(request, false)), call.id(), null);
        calling = ex;
        server.requests.run(call, context, this);
    }

    /** The running op call was answered, on whatever thread completed it: sent from the event loop. */
    @Override
    public void send(Response response, Runnable written) {
        EventLoops.runOn(ctx.channel().eventLoop(),
                () -> send(calling, HttpResponses.envelope(ctx.alloc(), response), written), written);
    }

    /**
     * Writes {@code res} and moves on to the next queued request. {@code written} runs once it
     * has been written or dropped (the request path's in-flight count); a response for a client
     * that has gone is dropped quietly.
     */
    private void send(Exchange ex, FullHttpResponse res, Runnable written) {
        if (!ctx.channel().isActive()) {
            res.release();
            written.run();
            busy = false;
            releaseQueued();
            return;
        }
        boolean keepAlive = ex.keepAlive() && !server.draining();
        server.countHttp(ex.route(), res.status().code());
        HttpUtil.setKeepAlive(res, keepAlive);
        ChannelFuture sent = ctx.writeAndFlush(res);
        if (written != UNTRACKED) {
            sent.addListener(f -> written.run());
        }
        busy = false;
        if (!keepAlive) {
            sent.addListener(ChannelFutureListener.CLOSE);
            releaseQueued();
            return;
        }
        if (!queued.isEmpty()) {
            // Not recursively: an inline op completes synchronously and would nest one level per request.
            ctx.channel().eventLoop().execute(this::serveNext);
        }
        updateAutoRead();
    }

    private void serveNext() {
        if (!busy && !queued.isEmpty() && ctx.channel().isActive()) {
            serve(queued.poll());
            updateAutoRead();
        }
    }

    private void upgrade(FullHttpRequest request, Principal principal, Optional<String> token) {
        ChannelPipeline p = ctx.pipeline();
        deadline.uninstall(p); // WebSocket frames are not HTTP requests; the idle timeout covers them
        WebSocketSession session = new WebSocketSession(server, principal, token, remoteIp(ctx.channel()), ctx.channel());
        session.adapt(p);
        p.addAfter(ctx.name(), "ws-protocol", new WebSocketServerProtocolHandler(server.webSocketConfig()));
        p.addAfter("ws-protocol", "ws-aggregator", new WebSocketFrameAggregator(server.settings.maxFrameBytes()));
        p.addAfter("ws-aggregator", "ws-session", session);
        server.countHttp("ws", 101);
        releaseQueued();
        busy = false;
        ctx.channel().config().setAutoRead(ctx.channel().isWritable()); // the session manages reading from here
        // The handshake handler the protocol handler inserted right after us answers with 101.
        ctx.fireChannelRead(request.retain());
        p.remove(this);
    }

    // ---- helpers ----

    /** The bearer token: the Authorization header, or {@code ?token=} on a WebSocket upgrade (browsers cannot set headers there). */
    private static Optional<String> token(FullHttpRequest request, boolean allowQueryToken) {
        String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null) {
            if (auth.length() < 7 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new PandoException(ErrorCode.UNAUTHORIZED, "the Authorization header must be 'Bearer <token>'");
            }
            return Optional.of(auth.substring(7).trim());
        }
        return allowQueryToken ? HttpRoutes.single(new QueryStringDecoder(request.uri()).parameters(), "token") : Optional.empty();
    }

    private Principal principal(FullHttpRequest request, Optional<String> token) {
        Principal principal = server.authenticator.authenticate(token, remoteIp(ctx.channel()));
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !principal.isAuthenticated()) {
            // Open mode trusts local tools, not every web page the user has open: a browser can
            // reach 127.0.0.1 too, and it always sends Origin on cross-site POSTs and WebSockets.
            throw new PandoException(ErrorCode.FORBIDDEN,
                    "requests from a web page (Origin: " + origin + ") need a token; anonymous access is for local tools");
        }
        return principal;
    }

    /** The peer's IP address without the port ("unknown" if it is not an IP socket). */
    private static String remoteIp(Channel channel) {
        SocketAddress a = channel.remoteAddress();
        if (a instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return "unknown";
    }

    private void updateAutoRead() {
        if (ctx.pipeline().context(this) != null) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable() && queued.size() < MAX_QUEUED);
        }
    }

    private void releaseQueued() {
        FullHttpRequest r;
        while ((r = queued.poll()) != null) {
            r.release();
        }
    }
}
