package dev.pando.node.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;

/** A bench connection over the node's WebSocket: pipelined requests, answers matched by id (= slot). */
final class WsLoadConnection extends LoadConnection {
    private final ResponseScanner scanner = new ResponseScanner();
    private final int frameCapacity;

    WsLoadConnection(BenchConfig config) {
        super(config);
        this.frameCapacity = 96 + config.valueSize();
    }

    @Override
    void write(int slot, boolean set, int key) {
        ByteBuf buf = ctx.alloc().buffer(frameCapacity);
        encoder.writeFrame(buf, slot, set, key);
        TextWebSocketFrame frame = new TextWebSocketFrame(buf);
        ctx.write(frame, ctx.voidPromise());
    }

    @Override
    void handle(Object msg) {
        if (msg instanceof TextWebSocketFrame frame && scanner.scan(frame.content()) && !scanner.push) {
            answered((int) scanner.id, scanner.ok, scanner.code);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            ready.complete(null);
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            ready.completeExceptionally(new WebSocketClientHandshakeException("WebSocket upgrade timed out"));
        }
        super.userEventTriggered(ctx, evt);
    }
}
