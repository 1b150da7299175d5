package dev.pando.node.bench;

import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/** A WebSocket session that only stays open (the memory report's unit); it expects no frames. */
final class IdleSession extends SessionHandler {
    @Override
    void frame(TextWebSocketFrame frame) {
        // an idle session asked for nothing; whatever the node sends (a close reason) is not counted
    }
}
