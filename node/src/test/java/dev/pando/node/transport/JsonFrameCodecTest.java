package dev.pando.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.json.WireJson;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.node.dispatch.Request;
import dev.pando.node.dispatch.Response;
import dev.pando.node.events.Fanout;
import dev.pando.node.session.WireCodec;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The JSON text-frame codec on its own, without a connection. */
class JsonFrameCodecTest {
    private final JsonFrameCodec codec = new JsonFrameCodec(64);

    private WireCodec.Decoded decode(WebSocketFrame frame) {
        try {
            return codec.decode(frame);
        } finally {
            frame.release();
        }
    }

    private WireCodec.Decoded decode(String text) {
        return decode(new TextWebSocketFrame(text));
    }

    /** The text of a frame the codec made, read back by a client's frame decoder. */
    private static String text(Object frame) {
        return TextFramesTest.readAsClient(frame);
    }

    @Test
    void aRequestFrameBecomesACall() {
        assertThat(decode("{\"id\":3,\"op\":\"kv.get\",\"args\":{\"key\":\"/a\"}}"))
                .isEqualTo(new WireCodec.Call(new Request(IntNode.valueOf(3), "kv.get", TestNode.json("{\"key\":\"/a\"}"))));
        assertThat(decode("{\"op\":\"kv.get\"}")).isEqualTo(new WireCodec.Call(new Request(NullNode.getInstance(), "kv.get", null)));
    }

    @Test
    void badFramesAreRefusedWithTheSalvagedId() {
        WireCodec.Decoded broken = decode("{\"id\":7,\"op\":");
        assertThat(broken).isInstanceOf(WireCodec.Refused.class);
        assertThat(((WireCodec.Refused) broken).failure().id()).isEqualTo(IntNode.valueOf(7));
        assertThat(((WireCodec.Refused) broken).failure().code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(decode("{\"id\":8,\"op\":\"\"}")).isEqualTo(new WireCodec.Refused(
                Response.error(IntNode.valueOf(8), ErrorCode.BAD_REQUEST, "missing 'op' (a request frame is {id, op, args})")));
        assertThat(decode(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1}))))
                .isInstanceOf(WireCodec.Refused.class);
        assertThat(decode(new PongWebSocketFrame())).isEqualTo(WireCodec.Ignored.INSTANCE);
    }

    @Test
    void sessionErrorsAndPushesHaveTheirType() {
        assertThat(text(codec.sessionError(ByteBufAllocator.DEFAULT, ErrorCode.SLOW_CONSUMER, "behind")))
                .isEqualTo("{\"type\":\"error\",\"error\":{\"code\":\"SLOW_CONSUMER\",\"message\":\"behind\"}}");
        assertThat(text(codec.event(ByteBufAllocator.DEFAULT, "s1", new Fanout<>(new TopicEvent("/t", null, 5, "p")))))
                .isEqualTo("{\"type\":\"event\",\"sub\":\"s1\",\"event\":{\"topic\":\"/t\",\"payload\":null,\"timestamp\":5,\"publisher\":\"p\"}}");
        assertThat(text(codec.response(ByteBufAllocator.DEFAULT, Response.ok(IntNode.valueOf(1), null))))
                .isEqualTo("{\"id\":1,\"ok\":true,\"result\":null}");
    }

    @Test
    void aChangePushIsTheSameJsonAsAGeneratorWritesAndItsBodyIsEncodedOncePerFanout() throws Exception {
        KvChange change = new KvChange("/k/\u00e9\"q", Json.MAPPER.readTree("{\"s\":\"a\\\"b\\u2028\",\"n\":[1,2.5,null]}"),
                7, 99, "node-a", "w\u00fc", 5);
        Fanout<KvChange> shared = new Fanout<>(change);
        String first = text(codec.change(ByteBufAllocator.DEFAULT, "s1", shared));
        String second = text(new JsonFrameCodec(8).change(ByteBufAllocator.DEFAULT, "s22", shared));

        ObjectNode expected = Json.MAPPER.createObjectNode().put("type", "change").put("sub", "s1");
        expected.set("change", WireJson.change(change));
        assertThat(first).isEqualTo(Json.MAPPER.writeValueAsString(expected));
        expected.put("sub", "s22");
        assertThat(second).isEqualTo(Json.MAPPER.writeValueAsString(expected));

        AtomicInteger encodings = new AtomicInteger();
        Fanout<KvChange> counted = new Fanout<>(change);
        for (int i = 0; i < 3; i++) {
            counted.encoded(JsonFrameCodec.class, c -> {
                encodings.incrementAndGet();
                return new byte[] {'1'};
            });
        }
        assertThat(encodings).as("one encoding shared by every push of the change").hasValue(1);
    }

    @Test
    void aSubscriptionIdIsQuotedWhenItMustBeAndCopiedWhenItNeedNot() throws Exception {
        Fanout<TopicEvent> event = new Fanout<>(new TopicEvent("/t", null, 5, "p"));
        for (String id : new String[] {"s42", "a\"b", "back\\slash", "tab\tnl\n", "\u00fcber", "~ !"}) {
            JsonNode frame = Json.MAPPER.readTree(text(codec.event(ByteBufAllocator.DEFAULT, id, event)));
            assertThat(frame.get("sub").asText()).as(id).isEqualTo(id);
        }
        assertThat(JsonFrameCodec.needsNoQuoting("s42")).isTrue();
        assertThat(JsonFrameCodec.needsNoQuoting("a\"b")).isFalse();
        assertThat(JsonFrameCodec.needsNoQuoting("\u00fc")).isFalse();
    }

    @Test
    void aRequestMustBeStrictUtf8AndNonAsciiTextArrivesIntact() {
        byte[] overlong = {'{', '"', 'i', 'd', '"', ':', '1', ',', '"', 'o', 'p', '"', ':', '"', 'k', 'v', '.', 'g', 'e', 't', '"', ',',
            '"', 'a', 'r', 'g', 's', '"', ':', '{', '"', 'k', 'e', 'y', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, 'x', '"', '}', '}'};
        WireCodec.Decoded refused = decode(new TextWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(overlong)));
        assertThat(refused).isInstanceOf(WireCodec.Refused.class);
        assertThat(((WireCodec.Refused) refused).failure().message()).isEqualTo("the request is not valid UTF-8");

        WireCodec.Decoded call = decode(io.netty.buffer.Unpooled.directBuffer().writeBytes(
                "{\"id\":2,\"op\":\"kv.set\",\"args\":{\"key\":\"/caf\u00e9\",\"value\":\"\u2603\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(call).isInstanceOf(WireCodec.Call.class);
        assertThat(((WireCodec.Call) call).request().args().get("key").asText()).isEqualTo("/caf\u00e9");
        assertThat(((WireCodec.Call) call).request().args().get("value").asText()).isEqualTo("\u2603");
    }

    private WireCodec.Decoded decode(io.netty.buffer.ByteBuf direct) {
        return decode(new TextWebSocketFrame(direct));
    }
}
