package dev.pando.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a session's pushed frames ({@code change}, {@code event}, {@code error}) to the
 * consumer of their subscription, or to the session's {@link PandoWebSocket.Listener}. Frames
 * are routed on the reader thread; subscriptions are added there too (when the node confirms)
 * and removed from any thread.
 */
final class PushRouter {
    private static final Logger log = LoggerFactory.getLogger(PandoWebSocket.class);
    /** Frames held for a subscription whose confirmation has not arrived yet (see {@link #route}). */
    private static final int EARLY_FRAME_LIMIT = 10_000;

    private final PandoWebSocket.Listener listener;
    private final Map<String, Consumer<JsonNode>> subscriptions = new ConcurrentHashMap<>();
    private final AtomicInteger pendingSubscribes = new AtomicInteger();
    private final Map<String, List<JsonNode>> early = new HashMap<>(); // reader thread only
    private int earlyCount; // reader thread only

    PushRouter(PandoWebSocket.Listener listener) {
        this.listener = listener;
    }

    /** A subscribe was sent; until it is answered, frames for unknown subscriptions are held. */
    void subscribing() {
        pendingSubscribes.incrementAndGet();
    }

    /** A subscribe sent earlier has been answered, or has failed. */
    void subscribeAnswered() {
        pendingSubscribes.decrementAndGet();
    }

    /**
     * Registers a confirmed subscription and hands it the frames held for it. Runs on the reader
     * thread before the subscribe's future completes, so no frame pushed after the confirmation
     * can miss the consumer.
     */
    void register(String subId, Consumer<JsonNode> onPush) {
        subscriptions.put(subId, onPush);
        List<JsonNode> held = early.remove(subId);
        if (held != null) {
            earlyCount -= held.size();
            held.forEach(frame -> deliver(onPush, frame));
        }
    }

    /** Stops delivery to the subscription's consumer at once. */
    void remove(String subId) {
        subscriptions.remove(subId);
    }

    /**
     * Pushed frames go to their subscription's consumer. A frame for a subscription not known
     * yet is held while a subscribe is unanswered, because a node may push a change before the
     * confirmation; held frames go to the consumer once it is registered.
     */
    void route(JsonNode frame) {
        String type = frame.get("type").asText();
        if ("error".equals(type)) {
            subscriptions.values().forEach(c -> deliver(c, frame));
            if ("SLOW_CONSUMER".equals(frame.path("error").path("code").asText())) {
                subscriptions.clear(); // the node dropped every subscription of this session
            }
            toListener(frame);
            return;
        }
        String sub = frame.hasNonNull("sub") ? frame.get("sub").asText() : null;
        Consumer<JsonNode> consumer = sub == null ? null : subscriptions.get(sub);
        if (consumer != null) {
            deliver(consumer, frame);
        } else if (sub != null && pendingSubscribes.get() > 0 && earlyCount < EARLY_FRAME_LIMIT) {
            early.computeIfAbsent(sub, k -> new ArrayList<>()).add(frame);
            earlyCount++;
        } else {
            toListener(frame);
        }
    }

    private void toListener(JsonNode frame) {
        if (pendingSubscribes.get() == 0 && !early.isEmpty()) {
            // Held for a subscribe that failed: nobody claims them, so the listener sees them.
            early.values().forEach(frames -> frames.forEach(this::toListenerNow));
            early.clear();
            earlyCount = 0;
        }
        toListenerNow(frame);
    }

    private void toListenerNow(JsonNode frame) {
        try {
            listener.onPush(frame);
        } catch (RuntimeException e) {
            log.warn("WebSocket listener failed on a pushed frame", e);
        }
    }

    private static void deliver(Consumer<JsonNode> consumer, JsonNode frame) {
        try {
            consumer.accept(frame);
        } catch (RuntimeException e) {
            log.warn("subscription consumer failed on a pushed frame", e);
        }
    }
}
