package dev.pando.client;

import java.net.http.WebSocket;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Serialises a session's outgoing text frames: java.net.http allows one outstanding text send
 * at a time, so pipelined calls queue here and each send starts when the previous one is done.
 */
final class Outbox {
    private record Outgoing(long id, String text) {}

    private final Supplier<WebSocket> socket;
    private final BiConsumer<Long, Throwable> onSendFailed;
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private boolean sending; // guarded by queue

    /** @param onSendFailed told the request id and cause when a frame could not be sent */
    Outbox(Supplier<WebSocket> socket, BiConsumer<Long, Throwable> onSendFailed) {
        this.socket = socket;
        this.onSendFailed = onSendFailed;
    }

    /** Sends the frame of request {@code id} after those queued before it; any thread. */
    void send(long id, String text) {
        synchronized (queue) {
            queue.add(new Outgoing(id, text));
            if (sending) {
                return;
            }
            sending = true;
        }
        pump();
    }

    private void pump() {
        while (true) {
            Outgoing next;
            synchronized (queue) {
                next = queue.poll();
                if (next == null) {
                    sending = false;
                    return;
                }
            }
            CompletableFuture<WebSocket> sent = sendNow(next.text());
            if (sent.isDone()) {
                // Loop rather than recurse when sends complete at once.
                afterSend(next, sent);
                continue;
            }
            sent.whenComplete((w, e) -> {
                afterSend(next, sent);
                pump();
            });
            return;
        }
    }

    private CompletableFuture<WebSocket> sendNow(String text) {
        try {
            return socket.get().sendText(text, true);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void afterSend(Outgoing out, CompletableFuture<WebSocket> sent) {
        if (sent.isCompletedExceptionally()) {
            onSendFailed.accept(out.id(), sent.handle((w, e) -> e).join());
        }
    }
}
