package dev.pando.node.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * WebSocket text frames built by hand, for the session's pushes, responses and session errors: a
 * server's frame is unmasked, so its header is just the opcode and the length (RFC 6455 §5.2),
 * and writing it in front of the payload saves the frame object, the encoder's second buffer and
 * its copy of every message. Netty's frame encoder only encodes {@code WebSocketFrame}s and
 * passes a plain buffer on as it is.
 */
final class TextFrames {
    /** FIN set, opcode 1 (text): a whole message in one frame. */
    private static final int FIN_TEXT = 0x81;
    private static final int LENGTH_16 = 126;
    private static final int LENGTH_64 = 127;

    /** The longest header: opcode, length marker and a 64-bit length. */
    static final int MAX_HEADER = 10;

    private TextFrames() {}

    /**
     * Makes the readable bytes of {@code payload} a text frame by writing its header into the
     * {@link #MAX_HEADER} bytes of headroom before them, for a payload whose length is only known
     * once written (a response).
     */
    static ByteBuf frame(ByteBuf payload) {
        int length = payload.readableBytes();
        int start = payload.readerIndex() - headerLength(length);
        if (start < 0) {
            throw new IllegalArgumentException("no room for the frame header: " + payload.readerIndex() + " bytes of headroom");
        }
        int end = payload.writerIndex();
        payload.readerIndex(start).writerIndex(start);
        writeHeader(payload, length);
        return payload.writerIndex(end);
    }

    /** A buffer holding the header of a text frame of {@code payload} bytes, with room for them. */
    static ByteBuf buffer(ByteBufAllocator alloc, int payload) {
        ByteBuf buf = alloc.buffer(headerLength(payload) + payload);
        writeHeader(buf, payload);
        return buf;
    }

    private static int headerLength(int payload) {
        return payload < LENGTH_16 ? 2 : payload <= 0xFFFF ? 4 : MAX_HEADER;
    }

    private static void writeHeader(ByteBuf buf, int payload) {
        buf.writeByte(FIN_TEXT);
        if (payload < LENGTH_16) {
            buf.writeByte(payload);
        } else if (payload <= 0xFFFF) {
            buf.writeByte(LENGTH_16).writeShort(payload);
        } else {
            buf.writeByte(LENGTH_64).writeLong(payload);
        }
    }
}
