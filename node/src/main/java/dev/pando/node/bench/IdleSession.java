package dev.pando.node.bench;

import io.netty.buffer.ByteBuf;

/** A WebSocket session that only stays open (the memory report's unit); it expects no frames. */
final class IdleSession extends SessionHandler {
    @Override
    void frame(ByteBuf payload) {
        // an idle session asked for nothing; whatever the node sends (a close reason) is not counted
    }
}
