package dev.pando.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket session with a node ({@code /v1/ws}): pipelined calls matched to their answers by
 * id (many may be in flight; answers may come back in any order) and subscriptions whose pushed
 * {@code change}/{@code event} frames are routed to a per-subscription consumer.
 *
 * <p>Threading: consumers, the {@link Listener} and completions of the futures returned by
 * {@link #call} run on the session's single reader thread, in arrival order. Do not block there;
 * hand work to another thread (blocking applies back-pressure, and a session that falls too far
 * behind is dropped by the node as {@code SLOW_CONSUMER}).
 *
 * <p>Failures: a future fails with the {@link PandoException} the node reported when it answers
 * {@code ok:false}, and with a {@link PandoConnectionException} when the connection ends first
 * or no answer arrives within the request timeout. Nothing reconnects a session that ended:
 * open a new one and subscribe again.
 */
public final class PandoWebSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PandoWebSocket.class);

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pando-ws-timeouts");
        t.setDaemon(true);
        return t;
    });

    /** Observes a session as a whole. Both methods run on the reader thread. */
    public interface Listener {
        /**
         * A pushed frame that no subscription consumer took: frames for unknown subscriptions,
         * frame types this client does not know, and {@code error} frames (which every
         * subscription consumer receives as well).
         */
        default void onPush(JsonNode frame) {}

        /** The session ended; {@code error} is null when this side closed it. */
        default void onClosed(PandoConnectionException error) {}
    }

    private final URI base;
    private final Listener listener;
    private final PendingCalls calls;
    private final PushRouter router;
    private final Outbox outbox;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile WebSocket ws;
    private volatile ScheduledFuture<?> sweeper;

    private PandoWebSocket(URI base, Duration timeout, Listener listener) {
        this.base = base;
        this.listener = listener;
        this.calls = new PendingCalls(base, timeout);
        this.router = new PushRouter(listener);
        this.outbox = new Outbox(() -> ws, (id, cause) -> calls.fail(id, PandoConnectionException.lost(base, unwrap(cause))));
    }

    /** Opens a session; see {@link #connect(URI, String, Listener, Duration)}. */
    public static PandoWebSocket connect(URI base, String tokenOrNull) {
        return connect(base, tokenOrNull, new Listener() {}, DEFAULT_TIMEOUT);
    }

    /** Opens a session; see {@link #connect(URI, String, Listener, Duration)}. */
    public static PandoWebSocket connect(URI base, String tokenOrNull, Listener listener) {
        return connect(base, tokenOrNull, listener, DEFAULT_TIMEOUT);
    }

    /**
     * Opens a session with the node at {@code base} (http(s) or ws(s) URL of the node; the
     * {@code /v1/ws} path is added). Blocks until the upgrade completes.
     *
     * @param tokenOrNull    sent as {@code ?token=} and as a bearer header; null for anonymous
     * @param requestTimeout calls without an answer after this long fail
     * @throws PandoConnectionException the node cannot be reached
     * @throws PandoException           the node refused the upgrade (e.g. UNAUTHORIZED)
     */
    public static PandoWebSocket connect(URI base, String tokenOrNull, Listener listener, Duration requestTimeout) {
        URI httpBase = Endpoints.httpBase(Objects.requireNonNull(base, "base"));
        PandoWebSocket session = new PandoWebSocket(httpBase, Objects.requireNonNull(requestTimeout, "requestTimeout"),
                Objects.requireNonNull(listener, "listener"));
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT);
        String token = tokenOrNull == null || tokenOrNull.isEmpty() ? null : tokenOrNull;
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        try {
            session.ws = builder.buildAsync(Endpoints.webSocketUri(httpBase, token), new FrameReader(
                    w -> session.ws = w, session::handleText, session::closedByNode, session::broken))
                    .get(CONNECT_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw handshakeFailure(httpBase, e.getCause());
        } catch (TimeoutException e) {
            throw new PandoConnectionException("cannot reach node at " + httpBase + ": WebSocket upgrade timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PandoConnectionException("interrupted while connecting to node at " + httpBase, e);
        }
        long period = Math.max(10, Math.min(1_000, requestTimeout.toMillis() / 10));
        session.sweeper = TIMER.scheduleWithFixedDelay(session.calls::expireOverdue, period, period, TimeUnit.MILLISECONDS);
        return session;
    }

    /** The node's base URL ({@code http://host:port}). */
    public URI baseUri() {
        return base;
    }

    /**
     * Sends {@code {id, op, args}} and returns the eventual {@code result}. Does not wait for
     * earlier calls: any number may be in flight.
     */
    public CompletableFuture<JsonNode> call(String op, JsonNode args) {
        return call(op, args, Optional.empty());
    }

    /** {@link #call} and wait for the answer (at most the request timeout). */
    public JsonNode callSync(String op, JsonNode args) {
        return await(call(op, args));
    }

    /**
     * Subscribes to keys/topics matching {@code pattern} and blocks until the node confirms.
     * {@code onPush} then receives this subscription's {@code change} and {@code event} frames
     * and any {@code error} frame, on the reader thread; it may be called before this method
     * returns.
     *
     * @return the subscription: its id (for {@link #unsubscribe}), revision and optional snapshot
     */
    public Subscription subscribe(String pattern, SubscribeOptions options, Consumer<JsonNode> onPush) {
        return await(subscribeAsync(pattern, options, onPush));
    }

    /** Non-blocking {@link #subscribe}. */
    public CompletableFuture<Subscription> subscribeAsync(String pattern, SubscribeOptions options, Consumer<JsonNode> onPush) {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(onPush, "onPush");
        ObjectNode args = object().put("pattern", pattern)
                .put("changes", options.changes()).put("events", options.events()).put("snapshot", options.snapshot());
        router.subscribing();
        // Registration runs on the reader thread before the future completes, so no pushed frame
        // that follows the confirmation can miss the consumer.
        CompletableFuture<JsonNode> answer = call("pubsub.subscribe", args, Optional.of(result -> {
            String id = result.path("sub").asText(null);
            if (id == null) {
                throw new PandoException(ErrorCode.INTERNAL, "subscribe answer has no 'sub' id: " + result);
            }
            router.register(id, onPush);
        }));
        return answer.whenComplete((r, e) -> router.subscribeAnswered()).thenApply(result -> {
            List<JsonNode> snapshot = new ArrayList<>();
            result.path("snapshot").forEach(snapshot::add);
            return new Subscription(result.get("sub").asText(), pattern, result.path("revision").asLong(), snapshot);
        });
    }

    /** Stops delivery to the subscription's consumer at once and tells the node. */
    public CompletableFuture<JsonNode> unsubscribe(String subId) {
        router.remove(subId);
        return call("pubsub.unsubscribe", object().put("sub", subId));
    }

    /** Calls sent and not yet answered. */
    public int inFlight() {
        return calls.size();
    }

    public boolean isOpen() {
        return !closing.get() && !closeFuture.isDone();
    }

    /**
     * Completes when the session ends: normally after {@link #close()}, exceptionally with a
     * {@link PandoConnectionException} when the node closed it or the connection broke.
     */
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    /**
     * Closes the session politely (close handshake, at most ~2 s) and fails calls still in
     * flight. Called from a consumer (the reader thread) it cannot see the node's reply and
     * waits out the 2 s before dropping the connection.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        WebSocket w = ws;
        if (w != null && !closeFuture.isDone()) {
            try {
                w.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
                closeFuture.handle((v, e) -> null).get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                log.debug("WebSocket close handshake with {} did not complete: {}", base, e.toString());
            }
            w.abort();
        }
        finish(null);
    }

    @Override
    public String toString() {
        return "PandoWebSocket[" + base + (isOpen() ? "" : ", closed") + "]";
    }

    private CompletableFuture<JsonNode> call(String op, JsonNode args, Optional<Consumer<JsonNode>> onResult) {
        Objects.requireNonNull(op, "op");
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        if (!isOpen()) {
            future.completeExceptionally(new PandoConnectionException("WebSocket to node at " + base + " is closed"));
            return future;
        }
        long id = calls.nextId();
        ObjectNode frame = object().put("id", id).put("op", op);
        frame.set("args", args == null ? object() : args);
        String text;
        try {
            text = Envelope.JSON.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        calls.add(id, op, future, onResult);
        if (closeFuture.isDone()) {
            // Closed between the check above and the add: finish() may have missed this call.
            calls.fail(id, new PandoConnectionException("WebSocket to node at " + base + " is closed"));
            return future;
        }
        outbox.send(id, text);
        return future;
    }

    /** A frame with a {@code type} is pushed; any other is the answer to a call. Reader thread. */
    private void handleText(String text) {
        JsonNode frame;
        try {
            frame = Envelope.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            log.warn("ignoring a frame from {} that is not JSON: {}", base, Envelope.snippet(text));
            return;
        }
        if (frame == null || !frame.isObject()) {
            log.warn("ignoring a frame from {} that is not a JSON object: {}", base, Envelope.snippet(text));
            return;
        }
        if (frame.hasNonNull("type")) {
            router.route(frame);
        } else {
            calls.answer(frame, text);
        }
    }

    /** Ends the session once: completes {@link #closeFuture} and fails whatever is in flight. */
    private void finish(PandoConnectionException error) {
        ScheduledFuture<?> s = sweeper;
        if (s != null) {
            s.cancel(false);
        }
        boolean first = error == null ? closeFuture.complete(null) : closeFuture.completeExceptionally(error);
        calls.failAll(error != null ? error
                : new PandoConnectionException("WebSocket to node at " + base + " was closed before the answer came"));
        if (first) {
            try {
                listener.onClosed(error);
            } catch (RuntimeException e) {
                log.warn("WebSocket listener failed on close", e);
            }
        }
    }

    private void closedByNode(int statusCode, String reason) {
        finish(closing.get() ? null : new PandoConnectionException("node at " + base + " closed the WebSocket (code "
                + statusCode + (reason == null || reason.isEmpty() ? "" : ": " + reason) + ")"));
    }

    private void broken(Throwable error) {
        finish(closing.get() ? null : PandoConnectionException.lost(base, error));
    }

    private static RuntimeException handshakeFailure(URI base, Throwable cause) {
        if (cause instanceof WebSocketHandshakeException hs) {
            HttpResponse<?> response = hs.getResponse();
            int status = response.statusCode();
            Object body = response.body();
            byte[] bytes = body instanceof byte[] b ? b : body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : new byte[0];
            try {
                Envelope.fromHttp(status, bytes, Optional.empty());
            } catch (PandoException e) {
                return e;
            }
            return new PandoException(Envelope.codeForStatus(status), "WebSocket upgrade refused with HTTP " + status);
        }
        return PandoConnectionException.unreachable(base, cause);
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
