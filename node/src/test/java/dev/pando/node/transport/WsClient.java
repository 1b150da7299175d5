package dev.pando.node.transport;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A java.net.http WebSocket that queues every text message it receives, parsed. */
final class WsClient implements AutoCloseable {
    final WebSocket ws;
    final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();

    private WsClient(HttpClient http, URI uri) throws Exception {
        ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            received.add(TestNode.json(partial.toString()));
                            partial.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closed.completeExceptionally(error);
                    }
                }).get(5, TimeUnit.SECONDS);
    }

    static WsClient open(TestNode node, String pathAndQuery) throws Exception {
        return new WsClient(node.http, node.wsUri(pathAndQuery));
    }

    void send(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    /** The next message, or fails after {@code timeoutMs}. */
    JsonNode next(long timeoutMs) throws InterruptedException {
        JsonNode n = received.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (n == null) {
            throw new AssertionError("no message within " + timeoutMs + " ms");
        }
        return n;
    }

    JsonNode next() throws InterruptedException {
        return next(5_000);
    }

    /** Sends a request and returns the response with its id, failing on anything else first. */
    JsonNode call(Object id, String op, String argsJson) throws Exception {
        send("{\"id\":" + TestNode.JSON.writeValueAsString(id) + ",\"op\":\"" + op + "\",\"args\":" + argsJson + "}");
        JsonNode r = next();
        if (r.has("type") || !TestNode.JSON.valueToTree(id).equals(r.get("id"))) {
            throw new AssertionError("expected the response to " + id + ", got " + r);
        }
        return r;
    }

    @Override
    public void close() {
        ws.abort();
    }
}
