package dev.pando.node.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.ErrorCode;
import dev.pando.node.dispatch.Response;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Builds the HTTP responses the node sends: the JSON envelope, plain JSON, and metrics text. */
final class HttpResponses {
    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private HttpResponses() {}

    /** Status of an envelope: 200 when ok, else the error code's status. */
    static int status(Response response) {
        return response.isOk() ? 200 : response.code().httpStatus();
    }

    /**
     * The envelope as a response, with {@code Retry-After} (whole seconds, rounded up) when the
     * caller is rate limited.
     */
    static FullHttpResponse envelope(ByteBufAllocator alloc, Response response) {
        FullHttpResponse res = withBody(status(response), Json.envelope(alloc, response), HttpHeaderValues.APPLICATION_JSON.toString());
        if (response.code() == ErrorCode.RATE_LIMITED && response.retryAfterMillis() > 0) {
            long seconds = Math.max(1, (response.retryAfterMillis() + 999) / 1000);
            res.headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
        }
        return res;
    }

    /** An error envelope with a null id. */
    static FullHttpResponse error(ByteBufAllocator alloc, ErrorCode code, String message) {
        return envelope(alloc, Response.error(NullNode.getInstance(), code, message));
    }

    static FullHttpResponse json(ByteBufAllocator alloc, int status, JsonNode body) {
        ByteBuf content = Json.write(alloc, body);
        return withBody(status, content, HttpHeaderValues.APPLICATION_JSON.toString());
    }

    static FullHttpResponse text(ByteBufAllocator alloc, int status, String contentType, String body) {
        return withBody(status, ByteBufUtil.writeUtf8(alloc, body), contentType);
    }

    private static FullHttpResponse withBody(int status, ByteBuf content, String contentType) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return res;
    }
}
