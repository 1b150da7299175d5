package dev.pando.node.bench;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import java.util.function.Function;

/**
 * A fan-out subscriber: subscribes to one pattern (changes only) once upgraded, is established
 * when the node accepts, and records for every pushed change its arrival minus the send time the
 * writer put in the value (the writers run in the same process, so the clocks agree).
 */
final class SubscriberConnection extends SessionHandler {
    private static final long SUBSCRIBE_ID = 1;

    private final String subscribeFrame;
    private final Function<EventLoop, DeliveryStats> statsOf;
    private DeliveryStats stats;

    SubscriberConnection(String pattern, Function<EventLoop, DeliveryStats> statsOf) {
        this.subscribeFrame = "{\"id\":" + SUBSCRIBE_ID + ",\"op\":\"pubsub.subscribe\",\"args\":{\"pattern\":\""
                + pattern + "\",\"events\":false}}";
        this.statsOf = statsOf;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        super.handlerAdded(ctx);
        stats = statsOf.apply(ctx.channel().eventLoop());
    }

    @Override
    void upgraded() {
        send(subscribeFrame);
    }

    @Override
    void frame(ByteBuf payload) {
        long now = System.nanoTime();
        ResponseScanner s = stats.scanner;
        if (!s.scanFanoutChange(payload) && !s.scan(payload)) {
            stats.error("BAD_FRAME");
            return;
        }
        if (!s.push) {
            if (s.id != SUBSCRIBE_ID) {
                stats.error("UNMATCHED_ANSWER");
            } else if (s.ok) {
                established.complete(null);
            } else {
                established.completeExceptionally(new PandoException(errorCode(s.code),
                        "pubsub.subscribe refused: " + s.message));
            }
            return;
        }
        switch (s.type) {
            case "change" -> delivered(s, now);
            case "error" -> {
                if ("SLOW_CONSUMER".equals(s.code)) {
                    stats.slowConsumers++;
                } else {
                    stats.error(s.code);
                }
            }
            default -> stats.error("UNEXPECTED_PUSH");
        }
    }

    private void delivered(ResponseScanner s, long now) {
        stats.received.increment();
        if (!s.hasSent) {
            stats.error("NO_SEND_TIME");
        } else if (s.warmup) {
            stats.warmupDeliveries++;
        } else {
            stats.measuredDeliveries++;
            stats.latency.record(now - s.sent);
            stats.lastArrival = Math.max(stats.lastArrival, now);
        }
    }

    @Override
    void lost() {
        stats.disconnects++;
    }

    private static ErrorCode errorCode(String code) {
        try {
            return ErrorCode.valueOf(code);
        } catch (IllegalArgumentException | NullPointerException e) {
            return ErrorCode.INTERNAL; // not a code this build knows
        }
    }
}
