package dev.pando.node.transport;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.json.WireJson;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.node.dispatch.Request;
import dev.pando.node.dispatch.Response;
import dev.pando.node.session.WireCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.io.IOException;

/**
 * The wire of {@code /v1/ws}: JSON text frames. A request frame is {@code {id, op, args}};
 * responses are the envelope ({@link Response#writeTo}), pushes
 * {@code {type:"change"|"event", sub, change|event}} and session errors
 * {@code {type:"error", error:{code, message}}} (docs/protocol.md).
 */
final class JsonFrameCodec implements WireCodec {
    private final int maxJsonDepth;

    /** @param maxJsonDepth deepest nesting of a value in a request ({@code limits.max-json-depth}) */
    JsonFrameCodec(int maxJsonDepth) {
        this.maxJsonDepth = maxJsonDepth;
    }

    @Override
    public Decoded decode(Object message) {
        if (message instanceof TextWebSocketFrame text) {
            return request(text.content());
        }
        if (message instanceof BinaryWebSocketFrame) {
            return refused(NullNode.getInstance(), "binary frames are not supported; send JSON text frames");
        }
        return Ignored.INSTANCE; // ping, pong and close frames are answered by the protocol handler before the session
    }

    private Decoded request(ByteBuf content) {
        JsonNode frame;
        try {
            frame = Json.parse(content, maxJsonDepth);
        } catch (PandoException e) {
            return new Refused(Response.error(Json.salvageId(content), e));
        }
        if (frame == null || !frame.isObject()) {
            return refused(NullNode.getInstance(), "a request frame is a JSON object {id, op, args}");
        }
        JsonNode requestId = frame.get("id");
        JsonNode op = frame.get("op");
        if (op == null || !op.isTextual() || op.asText().isEmpty()) {
            return refused(requestId, "missing 'op' (a request frame is {id, op, args})");
        }
        JsonNode args = frame.get("args");
        if (args != null && !args.isObject() && !args.isNull()) {
            return refused(requestId, "'args' must be a JSON object");
        }
        return new Call(new Request(requestId, op.asText(), args));
    }

    private static Refused refused(JsonNode requestId, String message) {
        return new Refused(Response.error(requestId, ErrorCode.BAD_REQUEST, message));
    }

    @Override
    public Object response(ByteBufAllocator alloc, Response response) {
        return new TextWebSocketFrame(Json.envelope(alloc, response));
    }

    @Override
    public Object change(ByteBufAllocator alloc, String subscription, KvChange change) {
        return push(alloc, "change", subscription, gen -> writeChange(gen, change));
    }

    @Override
    public Object event(ByteBufAllocator alloc, String subscription, TopicEvent event) {
        return push(alloc, "event", subscription, gen -> writeEvent(gen, event));
    }

    /** {@code {type, sub, <body>}}: the frame around a pushed change or event. */
    private static Object push(ByteBufAllocator alloc, String type, String subscription, Json.Writer body) {
        return new TextWebSocketFrame(Json.write(alloc, gen -> {
            gen.writeStartObject();
            gen.writeStringField("type", type);
            gen.writeStringField("sub", subscription);
            body.write(gen);
            gen.writeEndObject();
        }));
    }

    @Override
    public Object sessionError(ByteBufAllocator alloc, ErrorCode code, String message) {
        return new TextWebSocketFrame(Json.write(alloc, gen -> {
            gen.writeStartObject();
            gen.writeStringField("type", "error");
            gen.writeObjectFieldStart("error");
            gen.writeStringField("code", code.name());
            gen.writeStringField("message", message);
            gen.writeEndObject();
            gen.writeEndObject();
        }));
    }

    @Override
    public Object goodbye(String reason) {
        // A close reason is at most 123 bytes; the session error frame before it carries the whole message.
        String shortReason = reason.length() > 100 ? reason.substring(0, 100) : reason;
        return new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION.code(), shortReason);
    }

    private static void writeChange(JsonGenerator gen, KvChange c) throws IOException {
        gen.writeFieldName("change");
        Json.MAPPER.writeTree(gen, WireJson.change(c));
    }

    private static void writeEvent(JsonGenerator gen, TopicEvent e) throws IOException {
        gen.writeFieldName("event");
        Json.MAPPER.writeTree(gen, WireJson.event(e));
    }
}
