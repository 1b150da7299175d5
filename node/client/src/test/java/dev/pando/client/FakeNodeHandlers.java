package dev.pando.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link FakeNode}'s transports: the upgrade gate, {@code POST /v1/ops/{op}} and the WebSocket ops. */
final class FakeNodeHandlers {
    private FakeNodeHandlers() {}

    /** Refuses WebSocket upgrades without the required token, as the real node does. */
    static final class UpgradeGate extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final FakeNode node;

        UpgradeGate(FakeNode node) {
            super(false);
            this.node = node;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (req.uri().startsWith("/v1/ws")) {
                List<String> tokens = new QueryStringDecoder(req.uri()).parameters().get("token");
                String token = tokens == null ? null : tokens.get(0);
                if (token != null) {
                    node.upgradeTokens.add(token);
                }
                if (!node.authorized(req.headers().get(HttpHeaderNames.AUTHORIZATION), token)) {
                    req.release();
                    sendHttp(ctx, unauthorized(), false);
                    return;
                }
            }
            ctx.fireChannelRead(req);
        }
    }

    static final class HttpOps extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final FakeNode node;

        HttpOps(FakeNode node) {
            this.node = node;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (auth != null) {
                node.authorizations.add(auth);
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            String path = new QueryStringDecoder(req.uri()).path();
            if (!node.authorized(auth, null)) {
                sendHttp(ctx, unauthorized(), keepAlive);
                return;
            }
            if (!path.startsWith("/v1/ops/") || req.method() != HttpMethod.POST) {
                sendHttp(ctx, FakeNode.error(NullNode.getInstance(), ErrorCode.NOT_FOUND, "no route " + path, 0), keepAlive);
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
                args = body.length == 0 ? FakeNode.object() : FakeNode.JSON.readTree(body);
            } catch (IOException e) {
                sendHttp(ctx, FakeNode.error(NullNode.getInstance(), ErrorCode.BAD_REQUEST, "body is not JSON", 0), keepAlive);
                return;
            }
            ObjectNode r = node.handle(null, NullNode.getInstance(), op, args);
            if (op.equals("test.fail") && args.path("headerOnly").asBoolean(false)) {
                sendHttp(ctx, r, keepAlive, args.path("retryAfterMs").asLong() / 1000);
                return;
            }
            sendHttp(ctx, r, keepAlive);
        }
    }

    static final class WsOps extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final FakeNode node;

        WsOps(FakeNode node) {
            this.node = node;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                node.sessions.add(ctx.channel());
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) throws Exception {
            JsonNode req = FakeNode.JSON.readTree(frame.text());
            JsonNode id = req.path("id");
            String op = req.path("op").asText();
            JsonNode args = req.has("args") ? req.get("args") : FakeNode.object();
            if (op.equals("test.drop")) {
                ctx.close();
                return;
            }
            if (node.silent) {
                return;
            }
            long delay = op.equals("test.echo") ? args.path("delayMs").asLong(0) : 0;
            Runnable answer = () -> ctx.writeAndFlush(new TextWebSocketFrame(node.handle(ctx.channel(), id, op, args).toString()));
            if (delay > 0) {
                ctx.executor().schedule(answer, delay, TimeUnit.MILLISECONDS);
            } else {
                answer.run();
            }
        }
    }

    private static ObjectNode unauthorized() {
        return FakeNode.error(NullNode.getInstance(), ErrorCode.UNAUTHORIZED, "bad or missing token", 0);
    }

    private static void sendHttp(ChannelHandlerContext ctx, ObjectNode envelope, boolean keepAlive) {
        sendHttp(ctx, envelope, keepAlive, (envelope.path("error").path("retryAfterMs").asLong(0) + 999) / 1000);
    }

    private static void sendHttp(ChannelHandlerContext ctx, ObjectNode envelope, boolean keepAlive, long retryAfterSeconds) {
        HttpResponseStatus status = envelope.path("ok").asBoolean() ? HttpResponseStatus.OK
                : HttpResponseStatus.valueOf(ErrorCode.valueOf(envelope.path("error").path("code").asText()).httpStatus());
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(envelope.toString(), StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
        if (status.code() == 429 && retryAfterSeconds > 0) {
            resp.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        HttpUtil.setKeepAlive(resp, keepAlive);
        var f = ctx.writeAndFlush(resp);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
