package dev.pando.node.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import dev.pando.node.dispatch.Response;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny in-process stand-in for a Pando node, speaking the wire protocol over HTTP and
 * WebSocket on one Netty port. It implements the core kv/pubsub ops with simple in-memory
 * semantics plus test ops:
 * <ul>
 *   <li>{@code test.echo {value, delayMs}} → {@code {value}} after the delay (out-of-order answers)</li>
 *   <li>{@code test.fail {code, message, retryAfterMs, headerOnly}} → that error</li>
 *   <li>{@code test.push {frame}} → pushes the frame to this session, then answers</li>
 *   <li>{@code test.html} → an HTTP 502 HTML page (not an envelope)</li>
 *   <li>{@code test.drop} → closes the connection without answering</li>
 * </ul>
 */
public final class FakeNode implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AttributeKey<Map<String, Sub>> SUBS = AttributeKey.valueOf("fake.subs");

    private record Sub(String id, PathPattern pattern, boolean changes, boolean events) {}

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ChannelGroup sessions = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final NavigableMap<String, ObjectNode> store = new ConcurrentSkipListMap<>();
    private final AtomicLong revision = new AtomicLong();
    private final AtomicInteger subIds = new AtomicInteger();
    private final Channel server;

    /** When set, every request must carry this token (header, or {@code ?token=} on the upgrade). */
    public volatile String requiredToken;
    /** Largest scan page served, to make clients follow cursors. */
    public volatile int maxScanPage = 1000;
    /** When set, every kv.set fails with this code (bench error accounting). */
    public volatile ErrorCode failSets;
    /** When true, WebSocket requests are swallowed without an answer (stall handling). */
    public volatile boolean silent;
    /** Authorization headers seen, in order. */
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    /** {@code ?token=} values seen on WebSocket upgrades. */
    public final List<String> upgradeTokens = new CopyOnWriteArrayList<>();
    /** Requests handled, by op. */
    public final Map<String, AtomicLong> opCounts = new ConcurrentHashMap<>();

    private FakeNode(int port) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new UpgradeGate(),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/v1/ws").checkStartsWith(true).build()),
                                new HttpOps(), new WsOps());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
    }

    public static FakeNode start() {
        return start(0);
    }

    /** On this port (0: a free one). */
    public static FakeNode start(int port) {
        try {
            return new FakeNode(port);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public long count(String op) {
        AtomicLong n = opCounts.get(op);
        return n == null ? 0 : n.get();
    }

    /** Pushes a frame to every open WebSocket session. */
    public void pushToAll(JsonNode frame) {
        sessions.writeAndFlush(new TextWebSocketFrame(frame.toString()));
    }

    /** Closes every WebSocket session with a close frame (as a node shutting down would). */
    public void closeSessions() {
        sessions.writeAndFlush(new CloseWebSocketFrame(1001, "going away")).awaitUninterruptibly(2, TimeUnit.SECONDS);
        sessions.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        sessions.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    // ---- op semantics, shared by both transports ------------------------------------------

    private synchronized Response handle(Channel session, JsonNode id, String op, JsonNode args) {
        opCounts.computeIfAbsent(op, k -> new AtomicLong()).incrementAndGet();
        try {
            return Response.ok(id, result(session, op, args));
        } catch (Fail f) {
            return new Response.Failure(id, f.code, f.getMessage(), f.retryAfterMs);
        }
    }

    private JsonNode result(Channel session, String op, JsonNode args) {
        switch (op) {
            case "kv.get": {
                String key = text(args, "key");
                ObjectNode e = store.get(key);
                if (e == null) {
                    throw new Fail(ErrorCode.NOT_FOUND, "no entry at " + key);
                }
                return e;
            }
            case "kv.set": {
                if (failSets != null) {
                    throw new Fail(failSets, "failing sets on purpose", failSets == ErrorCode.RATE_LIMITED ? 100 : 0);
                }
                String key = text(args, "key");
                if (!Keys.isValid(key)) {
                    throw new Fail(ErrorCode.BAD_REQUEST, "invalid key '" + key + "'");
                }
                checkRevision(key, args);
                long rev = revision.incrementAndGet();
                ObjectNode e = object().put("key", key);
                e.set("value", args.has("value") ? args.get("value") : NullNode.getInstance());
                e.put("revision", rev).put("timestamp", System.currentTimeMillis()).put("origin", "fake").put("writer", "anonymous");
                store.put(key, e);
                fanOutChange(e);
                return object().put("key", key).put("revision", rev).put("timestamp", e.get("timestamp").asLong());
            }
            case "kv.delete": {
                String key = text(args, "key");
                if (!store.containsKey(key)) {
                    throw new Fail(ErrorCode.NOT_FOUND, "no entry at " + key);
                }
                checkRevision(key, args);
                store.remove(key);
                long rev = revision.incrementAndGet();
                ObjectNode change = object().put("key", key).putNull("value").put("revision", rev)
                        .put("timestamp", System.currentTimeMillis()).put("origin", "fake").put("writer", "anonymous");
                fanOutChange(change);
                return object().put("key", key).put("revision", rev);
            }
            case "kv.scan": {
                int limit = Math.min(args.path("limit").asInt(1000), maxScanPage);
                String cursor = args.hasNonNull("cursor") ? args.get("cursor").asText() : null;
                PathPattern pattern = args.has("pattern") ? PathPattern.compile(args.get("pattern").asText())
                        : PathPattern.under(args.path("prefix").asText("/"));
                ObjectNode page = object();
                ArrayNode entries = page.putArray("entries");
                String last = null;
                boolean more = false;
                for (Map.Entry<String, ObjectNode> e : (cursor == null ? store : store.tailMap(cursor, false)).entrySet()) {
                    if (!pattern.matches(e.getKey())) {
                        continue;
                    }
                    if (entries.size() == limit) {
                        more = true;
                        break;
                    }
                    entries.add(e.getValue());
                    last = e.getKey();
                }
                if (more) {
                    page.put("cursor", last);
                } else {
                    page.putNull("cursor");
                }
                return page;
            }
            case "pubsub.publish": {
                String topic = text(args, "topic");
                ObjectNode event = object().put("topic", topic);
                event.set("payload", args.path("payload"));
                event.put("timestamp", System.currentTimeMillis()).put("publisher", "anonymous");
                int delivered = 0;
                for (Channel ch : sessions) {
                    for (Sub s : subs(ch).values()) {
                        if (s.events() && s.pattern().matches(topic)) {
                            ObjectNode frame = object().put("type", "event").put("sub", s.id());
                            frame.set("event", event);
                            ch.writeAndFlush(new TextWebSocketFrame(frame.toString()));
                            delivered++;
                        }
                    }
                }
                return object().put("delivered", delivered);
            }
            case "pubsub.subscribe": {
                if (session == null) {
                    throw new Fail(ErrorCode.BAD_REQUEST, "pubsub.subscribe needs a WebSocket");
                }
                String id = "s" + subIds.incrementAndGet();
                PathPattern pattern = PathPattern.compile(text(args, "pattern"));
                subs(session).put(id, new Sub(id, pattern, args.path("changes").asBoolean(true), args.path("events").asBoolean(true)));
                ObjectNode result = object().put("sub", id).put("revision", revision.get());
                if (args.path("snapshot").asBoolean(false)) {
                    ArrayNode snap = result.putArray("snapshot");
                    store.values().stream().filter(e -> pattern.matches(e.get("key").asText())).forEach(snap::add);
                }
                return result;
            }
            case "pubsub.unsubscribe": {
                String id = text(args, "sub");
                if (session == null || subs(session).remove(id) == null) {
                    throw new Fail(ErrorCode.NOT_FOUND, "no subscription " + id);
                }
                return object().put("sub", id);
            }
            case "node.info":
                return object().put("nodeId", "fake").put("version", "0.0.0-fake").put("revision", revision.get())
                        .put("uptimeMs", 1).put("generation", 1);
            case "node.health":
                return object().put("status", "ok");
            case "test.echo":
                return object().set("value", args.path("value"));
            case "test.push":
                session.writeAndFlush(new TextWebSocketFrame(args.path("frame").toString()));
                return object().put("pushed", true);
            case "test.fail": {
                ErrorCode code = ErrorCode.valueOf(args.path("code").asText("INTERNAL"));
                throw new Fail(code, args.path("message").asText("failed on purpose"),
                        args.path("headerOnly").asBoolean(false) ? 0 : args.path("retryAfterMs").asLong(0));
            }
            default:
                throw new Fail(ErrorCode.NOT_FOUND, "unknown op '" + op + "'");
        }
    }

    private void checkRevision(String key, JsonNode args) {
        if (!args.hasNonNull("ifRevision")) {
            return;
        }
        long expected = args.get("ifRevision").asLong();
        ObjectNode current = store.get(key);
        if (expected == 0 && current != null) {
            throw new Fail(ErrorCode.CONFLICT, key + " already exists (revision " + current.get("revision").asLong() + ")");
        }
        if (expected != 0 && (current == null || current.get("revision").asLong() != expected)) {
            throw new Fail(ErrorCode.CONFLICT, "revision mismatch for " + key + " (expected " + expected + ", found "
                    + (current == null ? "none" : current.get("revision").asLong()) + ")");
        }
    }

    private void fanOutChange(ObjectNode change) {
        for (Channel ch : sessions) {
            for (Sub s : subs(ch).values()) {
                if (s.changes() && s.pattern().matches(change.get("key").asText())) {
                    ObjectNode frame = object().put("type", "change").put("sub", s.id());
                    frame.set("change", change);
                    ch.writeAndFlush(new TextWebSocketFrame(frame.toString()));
                }
            }
        }
    }

    private static Map<String, Sub> subs(Channel ch) {
        Map<String, Sub> m = ch.attr(SUBS).get();
        if (m == null) {
            ch.attr(SUBS).setIfAbsent(new ConcurrentHashMap<>());
            m = ch.attr(SUBS).get();
        }
        return m;
    }

    private static String text(JsonNode args, String field) {
        JsonNode v = args.get(field);
        if (v == null || !v.isTextual()) {
            throw new Fail(ErrorCode.BAD_REQUEST, "'" + field + "' is required");
        }
        return v.asText();
    }

    private static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    private boolean authorized(String header, String queryToken) {
        String required = requiredToken;
        return required == null || ("Bearer " + required).equals(header) || required.equals(queryToken);
    }

    private static final class Fail extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final ErrorCode code;
        final long retryAfterMs;

        Fail(ErrorCode code, String message) {
            this(code, message, 0);
        }

        Fail(ErrorCode code, String message, long retryAfterMs) {
            super(message, null, false, false);
            this.code = code;
            this.retryAfterMs = retryAfterMs;
        }
    }

    // ---- transports ---------------------------------------------------------------------------

    /** Refuses WebSocket upgrades without the required token, as the real node does. */
    private final class UpgradeGate extends SimpleChannelInboundHandler<FullHttpRequest> {
        UpgradeGate() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (req.uri().startsWith("/v1/ws")) {
                List<String> tokens = new QueryStringDecoder(req.uri()).parameters().get("token");
                String token = tokens == null ? null : tokens.get(0);
                if (token != null) {
                    upgradeTokens.add(token);
                }
                if (!authorized(req.headers().get(HttpHeaderNames.AUTHORIZATION), token)) {
                    req.release();
                    sendHttp(ctx, Response.error(NullNode.getInstance(), ErrorCode.UNAUTHORIZED, "bad or missing token"), false);
                    return;
                }
            }
            ctx.fireChannelRead(req);
        }
    }

    private final class HttpOps extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (auth != null) {
                authorizations.add(auth);
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            String path = new QueryStringDecoder(req.uri()).path();
            if (!authorized(auth, null)) {
                sendHttp(ctx, Response.error(NullNode.getInstance(), ErrorCode.UNAUTHORIZED, "bad or missing token"), keepAlive);
                return;
            }
            if (!path.startsWith("/v1/ops/") || req.method() != HttpMethod.POST) {
                sendHttp(ctx, Response.error(NullNode.getInstance(), ErrorCode.NOT_FOUND, "no route " + path), keepAlive);
                return;
            }
            String op = QueryStringDecoder.decodeComponent(path.substring("/v1/ops/".length()));
            if (op.equals("test.html")) {
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY,
                        Unpooled.copiedBuffer("<html><body><h1>502 Bad Gateway</h1></body></html>", StandardCharsets.UTF_8));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html").setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
                ctx.writeAndFlush(r);
                return;
            }
            if (op.equals("test.drop")) {
                ctx.close();
                return;
            }
            JsonNode args;
            try {
                byte[] body = ByteBufUtil.getBytes(req.content());
                args = body.length == 0 ? object() : JSON.readTree(body);
            } catch (java.io.IOException e) {
                sendHttp(ctx, Response.error(NullNode.getInstance(), ErrorCode.BAD_REQUEST, "body is not JSON"), keepAlive);
                return;
            }
            Response r = handle(null, NullNode.getInstance(), op, args);
            if (op.equals("test.fail") && args.path("headerOnly").asBoolean(false)) {
                sendHttp(ctx, r, keepAlive, args.path("retryAfterMs").asLong() / 1000);
                return;
            }
            sendHttp(ctx, r, keepAlive);
        }
    }

    private static void sendHttp(ChannelHandlerContext ctx, Response r, boolean keepAlive) {
        sendHttp(ctx, r, keepAlive, r instanceof Response.Failure f ? (f.retryAfterMillis() + 999) / 1000 : 0);
    }

    private static void sendHttp(ChannelHandlerContext ctx, Response r, boolean keepAlive, long retryAfterSeconds) {
        HttpResponseStatus status = r instanceof Response.Failure f ? HttpResponseStatus.valueOf(f.code().httpStatus()) : HttpResponseStatus.OK;
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(r.toJson().toString(), StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
        if (status.code() == 429 && retryAfterSeconds > 0) {
            resp.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        HttpUtil.setKeepAlive(resp, keepAlive);
        var f = ctx.writeAndFlush(resp);
        if (!keepAlive) {
            f.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
    }

    private final class WsOps extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                sessions.add(ctx.channel());
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) throws Exception {
            JsonNode req = JSON.readTree(frame.text());
            JsonNode id = req.path("id");
            String op = req.path("op").asText();
            JsonNode args = req.has("args") ? req.get("args") : object();
            if (op.equals("test.drop")) {
                ctx.close();
                return;
            }
            if (silent) {
                return;
            }
            long delay = op.equals("test.echo") ? args.path("delayMs").asLong(0) : 0;
            Runnable answer = () -> ctx.writeAndFlush(new TextWebSocketFrame(handle(ctx.channel(), id, op, args).toJson().toString()));
            if (delay > 0) {
                ctx.executor().schedule(answer, delay, TimeUnit.MILLISECONDS);
            } else {
                answer.run();
            }
        }
    }
}
