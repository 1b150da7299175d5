package dev.pando.node.transport;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the HTTP responses the node sends: the JSON envelope, plain JSON, and metrics text. */
final class HttpResponses {
    private static final Logger log = LoggerFactory.getLogger(HttpResponses.class);
    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private HttpResponses() {}

    /** Status of an envelope: 200 when ok, else the error code's status. */
    static int status(Response response) {
        return response instanceof Response.Failure f ? f.code().httpStatus() : 200;
    }

    /**
     * The envelope as a response whose status is that of the envelope actually sent, with
     * {@code Retry-After} (whole seconds, rounded up) when the caller is rate limited.
     */
    static FullHttpResponse envelope(ByteBufAllocator alloc, Response response) {
        Response sent = response;
        ByteBuf body;
        try {
            body = Json.write(alloc, gen -> response.writeTo(gen, Json.MAPPER));
        } catch (RuntimeException e) {
            // The status must follow what is sent: an ok response that cannot be written goes out
            // as INTERNAL, and so as 500, never as a 200 carrying an error.
            log.error("cannot serialise the response to request {}", response.id(), e);
            sent = Response.error(response.id(), ErrorCode.INTERNAL, "result could not be serialised");
            body = Json.envelope(alloc, sent);
        }
        FullHttpResponse res = withBody(status(sent), body, HttpHeaderValues.APPLICATION_JSON.toString());
        if (sent instanceof Response.Failure f && f.code() == ErrorCode.RATE_LIMITED && f.retryAfterMillis() > 0) {
            long seconds = Math.max(1, (f.retryAfterMillis() + 999) / 1000);
            res.headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
        }
        return res;
    }

    /** An error envelope with a null id. */
    static FullHttpResponse error(ByteBufAllocator alloc, ErrorCode code, String message) {
        return envelope(alloc, Response.error(null, code, message));
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
