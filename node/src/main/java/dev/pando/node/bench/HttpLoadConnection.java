package dev.pando.node.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;

/** A bench connection over HTTP/1.1 keep-alive: one request in flight, {@code POST /v1/ops/kv.set|kv.get}. */
final class HttpLoadConnection extends LoadConnection {
    private final ResponseScanner scanner = new ResponseScanner();
    private final String host;
    private final String setPath;
    private final String getPath;
    private final String authorization;
    private final int bodyCapacity;

    HttpLoadConnection(BenchConfig config, URI base) {
        super(config);
        this.host = base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort());
        String prefix = base.getRawPath() == null ? "" : base.getRawPath();
        this.setPath = prefix + "/v1/ops/kv.set";
        this.getPath = prefix + "/v1/ops/kv.get";
        this.authorization = config.token() == null ? null : "Bearer " + config.token();
        this.bodyCapacity = 64 + config.valueSize();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ready.complete(null);
        super.channelActive(ctx);
    }

    @Override
    void write(int slot, boolean set, int key) {
        ByteBuf body = ctx.alloc().buffer(bodyCapacity);
        encoder.writeArgs(body, set, key);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, set ? setPath : getPath, body);
        req.headers().set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (authorization != null) {
            req.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        ctx.write(req, ctx.voidPromise());
    }

    @Override
    void handle(Object msg) {
        if (msg instanceof FullHttpResponse resp) {
            if (scanner.scan(resp.content()) && !scanner.push) {
                answered(0, scanner.ok, scanner.code);
            } else {
                answered(0, false, "HTTP_" + resp.status().code());
            }
        }
    }
}
