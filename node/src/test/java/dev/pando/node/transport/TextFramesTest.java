package dev.pando.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hand-built text frames, read back by the frame decoder a client uses (Netty's). */
class TextFramesTest {
    /** Decodes {@code frame} as a client would (unmasked server frames) and returns its text. */
    static String readAsClient(Object frame) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false).maxFramePayloadLength(1 << 24).build()));
        try {
            assertThat(client.writeInbound(frame)).as("a whole frame decoded").isTrue();
            TextWebSocketFrame text = client.readInbound();
            try {
                assertThat(text.isFinalFragment()).isTrue();
                assertThat((Object) client.readInbound()).as("exactly one frame").isNull();
                return text.text();
            } finally {
                text.release();
            }
        } finally {
            client.finishAndReleaseAll();
        }
    }

    /** Every length form: 7-bit (up to 125), 16-bit (126..65535) and 64-bit, at their edges. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 100_000})
    void aFrameBuiltForAKnownLengthDecodesToItsPayload(int length) {
        String payload = "x".repeat(length);
        ByteBuf buf = TextFrames.buffer(ByteBufAllocator.DEFAULT, length);
        buf.writeCharSequence(payload, StandardCharsets.US_ASCII);
        assertThat(readAsClient(buf)).isEqualTo(payload);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 125, 126, 65_535, 65_536, 100_000})
    void aPayloadWrittenAfterHeadroomBecomesAFrameInPlace(int length) {
        String payload = "y".repeat(length);
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        buf.writerIndex(TextFrames.MAX_HEADER).readerIndex(TextFrames.MAX_HEADER);
        buf.writeCharSequence(payload, StandardCharsets.US_ASCII);
        assertThat(readAsClient(TextFrames.frame(buf))).isEqualTo(payload);
    }

    @Test
    void framingWithoutHeadroomIsRefused() {
        ByteBuf buf = Unpooled.copiedBuffer("{}", StandardCharsets.US_ASCII);
        try {
            assertThatThrownBy(() -> TextFrames.frame(buf)).isInstanceOf(IllegalArgumentException.class);
        } finally {
            buf.release();
        }
    }
}
