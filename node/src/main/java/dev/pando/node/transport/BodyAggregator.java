package dev.pando.node.transport;

import dev.pando.api.ErrorCode;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * {@link HttpObjectAggregator} limited to {@code limits.max-body-bytes} whose 413 carries the
 * node's JSON error envelope ({@code TOO_LARGE}) instead of Netty's empty response. When the
 * connection stays usable is Netty's decision, kept as is: it does when the body size was known
 * up front and the client wants keep-alive (the rest of the body is then read and discarded).
 */
final class BodyAggregator extends HttpObjectAggregator {
    private final ServerContext server;

    BodyAggregator(ServerContext server) {
        super(server.settings.maxBodyBytes());
        this.server = server;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest request)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        boolean close = oversized instanceof FullHttpMessage
                || !ctx.channel().config().isAutoRead()
                || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized));
        FullHttpResponse res = tooLarge(ctx.alloc());
        HttpUtil.setKeepAlive(res, !close);
        server.countHttp(HttpRoutes.routeLabel(request.uri()), res.status().code());
        ChannelFuture f = ctx.writeAndFlush(res);
        f.addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object res = super.newContinueResponse(start, maxContentLength, pipeline);
        if (res instanceof FullHttpResponse r && r.status().code() == 413) {
            // "Expect: 100-continue" with a too-large Content-Length: same envelope, before any body is sent.
            ReferenceCountUtil.release(r);
            if (start instanceof HttpRequest request) {
                server.countHttp(HttpRoutes.routeLabel(request.uri()), 413);
            }
            return tooLarge(pipeline.channel().alloc());
        }
        return res;
    }

    private FullHttpResponse tooLarge(ByteBufAllocator alloc) {
        return HttpResponses.error(alloc, ErrorCode.TOO_LARGE,
                "request body larger than " + maxContentLength() + " bytes");
    }
}
