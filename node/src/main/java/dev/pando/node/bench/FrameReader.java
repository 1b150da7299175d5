package dev.pando.node.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import java.util.List;

/**
 * Reads the node's WebSocket frames in place for a bench session, in the stead of Netty's frame
 * decoder, UTF-8 validator and aggregator: a text frame's payload goes to the session as a slice
 * of what was read, with no copy, frame object or extra pipeline step. At 100,000 pushes a
 * second the load generator shares the node's cores, and every microsecond it spends per frame
 * is one the node does not get. A server's frames are unmasked and the node never fragments a
 * message, so a masked or fragmented frame is an error here; pings are answered.
 */
final class FrameReader extends ByteToMessageDecoder {
    private static final int FIN = 0x80;
    private static final int OP_TEXT = 0x1;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;

    private final SessionHandler session;

    FrameReader(SessionHandler session) {
        this.session = session;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 2) {
            int start = in.readerIndex();
            int first = in.getUnsignedByte(start);
            int second = in.getUnsignedByte(start + 1);
            if ((second & 0x80) != 0) {
                throw dropRest(in, new CorruptedFrameException("the node sent a masked frame"));
            }
            int header = 2;
            long length = second & 0x7f;
            if (length == 126) {
                header = 4;
                length = in.readableBytes() < header ? -1 : in.getUnsignedShort(start + 2);
            } else if (length == 127) {
                header = 10;
                length = in.readableBytes() < header ? -1 : in.getLong(start + 2);
            }
            if (length < 0 || in.readableBytes() < header + length) {
                if (length > Connector.MAX_MESSAGE) {
                    throw dropRest(in, new TooLongFrameException("frame of " + length + " bytes; the bench takes " + Connector.MAX_MESSAGE));
                }
                return; // the rest is still on its way
            }
            int payload = start + header;
            in.readerIndex(payload + (int) length);
            int opcode = first & 0x0f;
            if (opcode == OP_TEXT && (first & FIN) == 0) {
                throw dropRest(in, new CorruptedFrameException("the node fragmented a message"));
            }
            frame(ctx, opcode, in.slice(payload, (int) length));
        }
    }

    private void frame(ChannelHandlerContext ctx, int opcode, ByteBuf payload) {
        switch (opcode) {
            case OP_TEXT -> session.frame(payload);
            case OP_PING -> ctx.channel().writeAndFlush(new PongWebSocketFrame(payload.retain()));
            case OP_PONG -> { } // an answer to nothing the bench sent
            case OP_CLOSE -> ctx.close();
            default -> throw new CorruptedFrameException("unexpected frame opcode " + opcode);
        }
    }

    /** Drops what is left of a broken stream (nothing after it can be framed) and answers {@code error}. */
    private static <E extends RuntimeException> E dropRest(ByteBuf in, E error) {
        in.skipBytes(in.readableBytes());
        return error;
    }
}
