package dev.pando.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls of one WebSocket session sent and not yet answered, by request id. Answers may come
 * in any order; each completes its own future, and nothing else.
 */
final class PendingCalls {
    private static final Logger log = LoggerFactory.getLogger(PandoWebSocket.class);

    /** {@code onResult}, when present, runs on the reader thread before the future completes. */
    private record Pending(String op, long sentNanos, CompletableFuture<JsonNode> future, Optional<Consumer<JsonNode>> onResult) {}

    private final URI base;
    private final Duration timeout;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    PendingCalls(URI base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    void add(long id, String op, CompletableFuture<JsonNode> future, Optional<Consumer<JsonNode>> onResult) {
        pending.put(id, new Pending(op, System.nanoTime(), future, onResult));
    }

    int size() {
        return pending.size();
    }

    /** Completes the call a response frame ({@code {id, ok, result|error}}) answers. Reader thread. */
    void answer(JsonNode frame, String text) {
        JsonNode id = frame.get("id");
        if (id == null || !id.canConvertToLong()) {
            log.warn("ignoring a response from {} without a usable id: {}", base, Envelope.snippet(text));
            return;
        }
        Pending p = pending.remove(id.asLong());
        if (p == null) {
            log.debug("late answer for id {} (already timed out)", id);
            return;
        }
        try {
            JsonNode result = Envelope.resultOf(frame);
            p.onResult().ifPresent(onResult -> onResult.accept(result));
            p.future().complete(result);
        } catch (RuntimeException e) {
            p.future().completeExceptionally(e);
        }
    }

    void fail(long id, RuntimeException error) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.future().completeExceptionally(error);
        }
    }

    void failAll(RuntimeException error) {
        for (Long id : List.copyOf(pending.keySet())) {
            fail(id, error);
        }
    }

    /** Fails the calls sent longer than the request timeout ago. */
    void expireOverdue() {
        long now = System.nanoTime();
        long limit = timeout.toNanos();
        pending.forEach((id, p) -> {
            if (now - p.sentNanos() > limit) {
                fail(id, new PandoConnectionException("no answer to " + p.op() + " from node at " + base + " within "
                        + timeout.toMillis() + " ms"));
            }
        });
    }
}
