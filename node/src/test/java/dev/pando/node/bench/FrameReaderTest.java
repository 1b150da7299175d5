package dev.pando.node.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's in-place frame reader, fed the bytes Netty's server-side encoder writes. */
class FrameReaderTest {
    private final List<String> texts = new ArrayList<>();
    private final SessionHandler session = new SessionHandler() {
        @Override
        void frame(ByteBuf payload) {
            texts.add(payload.toString(StandardCharsets.UTF_8));
        }
    };

    /** The wire bytes of {@code frames} as a server (unmasked) writes them. */
    private static ByteBuf wire(boolean masked, WebSocketFrame... frames) {
        EmbeddedChannel server = new EmbeddedChannel(new WebSocket08FrameEncoder(masked));
        ByteBuf all = Unpooled.buffer();
        for (WebSocketFrame f : frames) {
            server.writeOutbound(f);
            ByteBuf part;
            while ((part = server.readOutbound()) != null) {
                all.writeBytes(part);
                part.release();
            }
        }
        server.finishAndReleaseAll();
        return all;
    }

    @Test
    void framesOfEveryLengthFormArriveWholeAndInOrderHoweverTheBytesAreSplit() {
        List<String> sent = List.of("{}", "a".repeat(125), "b".repeat(126), "c".repeat(70_000), "\u00e9t\u00e9");
        ByteBuf bytes = wire(false, sent.stream().map(TextWebSocketFrame::new).toArray(WebSocketFrame[]::new));
        EmbeddedChannel channel = new EmbeddedChannel(new FrameReader(session));
        int[] cuts = {1, 3, 7, 1000, 65_536};
        for (int i = 0; bytes.isReadable(); i++) {
            channel.writeInbound(bytes.readRetainedSlice(Math.min(cuts[i % cuts.length], bytes.readableBytes())));
        }
        bytes.release();
        assertThat(texts).isEqualTo(sent);
        channel.finishAndReleaseAll();
    }

    @Test
    void aPingIsAnsweredWithAPongOfTheSamePayload() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameReader(session));
        channel.writeInbound(wire(false, new PingWebSocketFrame(Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII))));
        PongWebSocketFrame pong = channel.readOutbound();
        assertThat(pong.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
        pong.release();
        assertThat(texts).isEmpty();
        channel.finishAndReleaseAll();
    }

    @Test
    void maskedOrFragmentedFramesAreErrors() {
        EmbeddedChannel masked = new EmbeddedChannel(new FrameReader(session));
        assertThatThrownBy(() -> masked.writeInbound(wire(true, new TextWebSocketFrame("x"))))
                .isInstanceOf(DecoderException.class).hasMessageContaining("masked");
        masked.finishAndReleaseAll();

        EmbeddedChannel fragmented = new EmbeddedChannel(new FrameReader(session));
        assertThatThrownBy(() -> fragmented.writeInbound(wire(false, new TextWebSocketFrame(false, 0, "x"),
                new ContinuationWebSocketFrame(true, 0, "y")))).isInstanceOf(DecoderException.class).hasMessageContaining("fragmented");
        fragmented.finishAndReleaseAll();
        assertThat(texts).isEmpty();
    }
}
