package dev.pando.node.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Access;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.Request;
import dev.pando.node.dispatch.Response;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
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
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a connection: routes each aggregated request, dispatches ops and writes the
 * response when the dispatcher's future completes (never blocking the event loop), and hands
 * the connection over to a {@link WebSocketSession} on {@code GET /v1/ws}.
 *
 * <p>Requests on one connection are served one at a time so that responses keep request order
 * (HTTP/1.1 pipelining); a few pipelined requests are queued, beyond that reading pauses. One
 * instance per connection; all methods run on its event loop.
 */
final class HttpOpsHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HttpOpsHandler.class);

    static final String WS_PATH = "/v1/ws";
    private static final String OPS = "/v1/ops";
    private static final String KV = "/v1/kv";
    /** Pipelined requests held while one is being served; reading pauses beyond this. */
    private static final int MAX_QUEUED = 16;

    private final ServerContext server;
    private final RequestDeadlineHandler deadline;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** A request is being served: its response has not been handed to the channel yet. */
    private boolean busy;

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
            if (e.state() == IdleState.ALL_IDLE && !busy) {
                log.debug("closing idle connection {}", ctx.channel().remoteAddress());
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("unexpected error on connection {}; closing it", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    // ---- serving ----

    private void serve(FullHttpRequest request) {
        busy = true;
        Exchange ex = new Exchange(routeLabel(request.uri()), HttpUtil.isKeepAlive(request));
        try {
            route(ex, request);
        } catch (MethodNotAllowed e) {
            FullHttpResponse res = HttpResponses.error(ctx.alloc(), e.code(), e.getMessage());
            res.setStatus(HttpResponseStatus.METHOD_NOT_ALLOWED);
            res.headers().set(HttpHeaderNames.ALLOW, e.allow);
            send(ex, res, false);
        } catch (PandoException e) {
            send(ex, HttpResponses.error(ctx.alloc(), e.code(), e.getMessage()), false);
        } catch (RuntimeException e) {
            log.warn("failed to serve {} {}", request.method(), request.uri(), e);
            send(ex, HttpResponses.error(ctx.alloc(), ErrorCode.INTERNAL, "internal error"), false);
        } finally {
            request.release();
        }
    }

    private void route(Exchange ex, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            // The decoder has given up on this connection's byte stream; it cannot be reused.
            Throwable cause = request.decoderResult().cause();
            send(ex.closing(), HttpResponses.error(ctx.alloc(), ErrorCode.BAD_REQUEST,
                    "malformed HTTP request: " + (cause == null ? "unknown" : cause.getMessage())), false);
            return;
        }
        server.hosts.check(request);
        String path = rawPath(request.uri());
        HttpMethod method = request.method();
        switch (ex.route()) {
            case "ops" -> {
                requireMethod(method, HttpMethod.POST);
                String op = path.length() > OPS.length() + 1 ? PathCodec.decodeSegment(path.substring(OPS.length() + 1)) : "";
                if (op.isEmpty()) {
                    throw PandoException.badRequest("missing op: use POST /v1/ops/{op}");
                }
                JsonNode args = Json.parse(request.content(), server.settings.maxJsonDepth());
                if (args != null && !args.isObject() && !args.isNull()) {
                    throw PandoException.badRequest("the body must be a JSON object (the op's args)");
                }
                dispatch(ex, principal(request, false), op, args);
            }
            case "kv" -> routeKv(ex, request, path);
            case "health" -> {
                requireMethod(method, HttpMethod.GET);
                ObjectNode body = JsonNodeFactory.instance.objectNode().put("status", "ok");
                send(ex, HttpResponses.json(ctx.alloc(), 200, body), false);
            }
            case "metrics" -> {
                requireMethod(method, HttpMethod.GET);
                Principal p = principal(request, false);
                if (!p.hasAny(Access.READ)) {
                    throw new PandoException(ErrorCode.UNAUTHORIZED, "metrics need a token with read access");
                }
                send(ex, HttpResponses.text(ctx.alloc(), 200, HttpResponses.PROMETHEUS_TYPE, server.metrics.render()), false);
            }
            case "ws" -> {
                requireMethod(method, HttpMethod.GET);
                if (!HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE, ""))) {
                    throw PandoException.badRequest("GET /v1/ws must be a WebSocket upgrade");
                }
                Principal p = principal(request, true);
                if (server.draining()) {
                    throw new PandoException(ErrorCode.UNAVAILABLE, "node is shutting down");
                }
                upgrade(request, p);
            }
            default -> throw new PandoException(ErrorCode.NOT_FOUND, "no route for " + path);
        }
    }

    private void routeKv(Exchange ex, FullHttpRequest request, String path) {
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.PUT) && !method.equals(HttpMethod.DELETE)) {
            throw methodNotAllowed(method, "GET, PUT, DELETE");
        }
        String key = PathCodec.keyFromPath(path.length() > KV.length() + 1 ? path.substring(KV.length() + 1) : "");
        ObjectNode args = JsonNodeFactory.instance.objectNode().put("key", key);
        String op;
        if (method.equals(HttpMethod.GET)) {
            op = "kv.get";
        } else {
            Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
            if (method.equals(HttpMethod.PUT)) {
                op = "kv.set";
                JsonNode value = Json.parse(request.content(), server.settings.maxJsonDepth());
                if (value == null) {
                    throw PandoException.badRequest("PUT /v1/kv/{path} needs the JSON value as its body");
                }
                args.set("value", value);
            } else {
                op = "kv.delete";
            }
            String ifRevision = single(query, "ifRevision");
            if (ifRevision != null) {
                args.put("ifRevision", parseRevision(ifRevision));
            }
            String sync = single(query, "sync");
            if (sync != null) {
                args.put("sync", parseBoolean("sync", sync));
            }
        }
        dispatch(ex, principal(request, false), op, args);
    }

    private void dispatch(Exchange ex, Principal principal, String op, JsonNode args) {
        if (server.draining()) {
            send(ex.closing(), HttpResponses.error(ctx.alloc(), ErrorCode.UNAVAILABLE, "node is shutting down"), false);
            return;
        }
        server.requestStarted();
        CompletableFuture<Response> result;
        Request request = new Request(NullNode.getInstance(), op, args);
        try {
            result = server.dispatcher.dispatch(request, new CallContext(principal, request.id(), null));
        } catch (RuntimeException e) { // the dispatcher promises not to throw; do not trust it with the counter
            log.error("dispatcher threw for op {}", op, e);
            result = CompletableFuture.completedFuture(Response.error(request.id(), ErrorCode.INTERNAL, "internal error"));
        }
        result.whenComplete((response, error) -> {
            Response r = response != null ? response
                    : Response.error(request.id(), ErrorCode.INTERNAL, "internal error in '" + op + "'");
            EventLoops.runOn(ctx.channel().eventLoop(), () -> sendEnvelope(ex, r), server::requestDone);
        });
    }

    private void sendEnvelope(Exchange ex, Response response) {
        send(ex, HttpResponses.envelope(ctx.alloc(), response), true);
    }

    /**
     * Writes {@code res} and moves on to the next queued request. {@code tracked} responses end
     * an in-flight request (for the shutdown drain) once written; a response for a client that
     * has gone is dropped quietly.
     */
    private void send(Exchange ex, FullHttpResponse res, boolean tracked) {
        if (!ctx.channel().isActive()) {
            res.release();
            if (tracked) {
                server.requestDone();
            }
            busy = false;
            releaseQueued();
            return;
        }
        boolean keepAlive = ex.keepAlive() && !server.draining();
        server.countHttp(ex.route(), res.status().code());
        HttpUtil.setKeepAlive(res, keepAlive);
        ChannelFuture written = ctx.writeAndFlush(res);
        if (tracked) {
            written.addListener(f -> server.requestDone());
        }
        busy = false;
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
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

    private void upgrade(FullHttpRequest request, Principal principal) {
        ChannelPipeline p = ctx.pipeline();
        deadline.uninstall(p); // WebSocket frames are not HTTP requests; the idle timeout covers them
        WebSocketSession session = new WebSocketSession(server, principal, ctx.channel());
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

    private Principal principal(FullHttpRequest request, boolean allowQueryToken) {
        String token = null;
        String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null) {
            if (auth.length() < 7 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new PandoException(ErrorCode.UNAUTHORIZED, "the Authorization header must be 'Bearer <token>'");
            }
            token = auth.substring(7).trim();
        } else if (allowQueryToken) {
            token = single(new QueryStringDecoder(request.uri()).parameters(), "token");
        }
        Principal principal = server.authenticator.authenticate(token, EventLoops.remoteIp(ctx.channel()));
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !principal.isAuthenticated()) {
            // Open mode trusts local tools, not every web page the user has open: a browser can
            // reach 127.0.0.1 too, and it always sends Origin on cross-site POSTs and WebSockets.
            throw new PandoException(ErrorCode.FORBIDDEN,
                    "requests from a web page (Origin: " + origin + ") need a token; anonymous access is for local tools");
        }
        return principal;
    }

    private static void requireMethod(HttpMethod method, HttpMethod allowed) {
        if (!method.equals(allowed)) {
            throw methodNotAllowed(method, allowed.name());
        }
    }

    private static PandoException methodNotAllowed(HttpMethod method, String allowed) {
        return new MethodNotAllowed(method.name() + " is not allowed here; use " + allowed, allowed);
    }

    /** A {@code BAD_REQUEST} answered with status 405 and an {@code Allow} header. */
    private static final class MethodNotAllowed extends PandoException {
        private static final long serialVersionUID = 1L;
        private final String allow;

        MethodNotAllowed(String message, String allow) {
            super(ErrorCode.BAD_REQUEST, message);
            this.allow = allow;
        }
    }

    private static String single(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw PandoException.badRequest("query parameter '" + name + "' given more than once");
        }
        return values.get(0);
    }

    private static long parseRevision(String text) {
        try {
            long r = Long.parseLong(text);
            if (r >= 0) {
                return r;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw PandoException.badRequest("ifRevision must be a non-negative integer, got '" + text + "'");
    }

    private static boolean parseBoolean(String name, String text) {
        return switch (text.toLowerCase()) {
            case "true", "1", "" -> true;
            case "false", "0" -> false;
            default -> throw PandoException.badRequest(name + " must be true or false, got '" + text + "'");
        };
    }

    /** The request-target's path, still percent-encoded, without query or fragment. */
    static String rawPath(String uri) {
        String u = uri;
        int scheme = u.indexOf("://");
        if (scheme > 0 && scheme < u.indexOf('/')) { // absolute-form: drop scheme and authority
            int pathStart = u.indexOf('/', scheme + 3);
            u = pathStart < 0 ? "/" : u.substring(pathStart);
        }
        int end = u.length();
        for (int i = 0; i < u.length(); i++) {
            char c = u.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return u.substring(0, end);
    }

    /** The {@code route} label of {@code pando_http_requests_total} for a request-target. */
    static String routeLabel(String uri) {
        String path = rawPath(uri);
        if (under(path, OPS)) {
            return "ops";
        }
        if (under(path, KV)) {
            return "kv";
        }
        return switch (path) {
            case "/health" -> "health";
            case "/metrics" -> "metrics";
            case WS_PATH -> "ws";
            default -> "other";
        };
    }

    private static boolean under(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
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
