package dev.pando.node.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.json.WireJson;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.node.dispatch.Request;
import dev.pando.node.dispatch.Response;
import dev.pando.node.events.Fanout;
import dev.pando.node.session.WireCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.nio.charset.StandardCharsets;

/**
 * The wire of {@code /v1/ws}: JSON text frames. A request frame is {@code {id, op, args}};
 * responses are the envelope ({@link Response#writeTo}), pushes
 * {@code {type:"change"|"event", sub, change|event}} and session errors
 * {@code {type:"error", error:{code, message}}} (docs/protocol.md).
 */
final class JsonFrameCodec implements WireCodec {
    /** Whose encoding a {@link Fanout} holds: every instance writes pushes the same way. */
    private static final Object ENCODING = JsonFrameCodec.class;
    private static final byte[] CHANGE_HEAD = ascii("{\"type\":\"change\",\"sub\":\"");
    private static final byte[] CHANGE_FIELD = ascii("\",\"change\":");
    private static final byte[] EVENT_HEAD = ascii("{\"type\":\"event\",\"sub\":\"");
    private static final byte[] EVENT_FIELD = ascii("\",\"event\":");
    private static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();
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
        return TextFrames.frame(Json.envelope(alloc, TextFrames.MAX_HEADER, response));
    }

    @Override
    public Object change(ByteBufAllocator alloc, String subscription, Fanout<KvChange> change) {
        return push(alloc, CHANGE_HEAD, subscription, CHANGE_FIELD, change.encoded(ENCODING, c -> bytes(WireJson.change(c))));
    }

    @Override
    public Object event(ByteBufAllocator alloc, String subscription, Fanout<TopicEvent> event) {
        return push(alloc, EVENT_HEAD, subscription, EVENT_FIELD, event.encoded(ENCODING, e -> bytes(WireJson.event(e))));
    }

    /**
     * {@code {"type":..., "sub":"<id>", "change"|"event":<body>}}, spliced from bytes: the body is
     * the shared encoding, so a push costs a copy, not a serialisation, per subscriber. The bytes
     * are a whole WebSocket text frame, header included ({@link TextFrames}): one buffer and one
     * copy per push, which Netty's frame encoder lets through untouched.
     */
    private static Object push(ByteBufAllocator alloc, byte[] head, String subscription, byte[] field, byte[] body) {
        boolean plain = needsNoQuoting(subscription); // the node's own ids ("s123"): no encoder, no array
        byte[] quoted = plain ? null : QUOTE.quoteAsUTF8(subscription);
        int length = head.length + (plain ? subscription.length() : quoted.length) + field.length + body.length + 1;
        ByteBuf buf = TextFrames.buffer(alloc, length);
        buf.writeBytes(head);
        if (plain) {
            buf.writeCharSequence(subscription, StandardCharsets.US_ASCII);
        } else {
            buf.writeBytes(quoted);
        }
        return buf.writeBytes(field).writeBytes(body).writeByte('}');
    }

    /** Printable ASCII with no quote or backslash: the same bytes inside a JSON string. */
    static boolean needsNoQuoting(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a push: " + e.getMessage(), e);
        }
    }

    @Override
    public Object sessionError(ByteBufAllocator alloc, ErrorCode code, String message) {
        return TextFrames.frame(Json.write(alloc, TextFrames.MAX_HEADER, gen -> {
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
}
