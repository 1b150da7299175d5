package dev.pando.node.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import dev.pando.node.auth.AuthMode;
import dev.pando.node.auth.Authenticator;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.Dispatcher;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.dispatch.RateLimiter;
import dev.pando.node.dispatch.Session;
import dev.pando.node.events.EventBus;
import dev.pando.node.events.Subscription;
import dev.pando.node.metrics.Metrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A real {@link PandoServer} on 127.0.0.1 and a free port, with a real dispatcher serving a few
 * test ops (the store is not needed: the kv ops echo what the transport handed them).
 */
final class TestNode implements AutoCloseable {
    static final String ADMIN_TOKEN = "adm_test-admin-token";
    static final ObjectMapper JSON = new ObjectMapper();

    final Metrics metrics = new Metrics();
    final HandlerRegistry registry = new HandlerRegistry();
    final EventBus bus = new EventBus();
    final ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "test-worker");
        t.setDaemon(true);
        return t;
    });
    final Dispatcher dispatcher;
    final PandoServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Worker-op bookkeeping, for tests that need to know a slow handler is running or done. */
    final AtomicInteger slowStarted = new AtomicInteger();
    final AtomicInteger slowFinished = new AtomicInteger();
    final AtomicInteger bigCalls = new AtomicInteger();
    /** Run by {@code test.subscribeThenPush} after it subscribed and before it returns. */
    volatile BiConsumer<Session, Subscription> afterSubscribe = (s, sub) -> {};

    static NodeConfig baseConfig() {
        return NodeConfig.defaults()
                .with(NodeConfig.BIND, "127.0.0.1")
                .with(NodeConfig.PORT, 0)
                .with(NodeConfig.IDLE_TIMEOUT_MS, 30_000L)
                .with(NodeConfig.REQUEST_READ_TIMEOUT_MS, 5_000L)
                .with(NodeConfig.SHUTDOWN_DRAIN_MS, 5_000L);
    }

    static TestNode start() {
        return start(c -> c);
    }

    static TestNode start(UnaryOperator<NodeConfig> config) {
        return new TestNode(config.apply(baseConfig()), new RateLimiter(0, 0), Authenticator.withAdminToken(AuthMode.OPEN, ADMIN_TOKEN));
    }

    static TestNode start(UnaryOperator<NodeConfig> config, RateLimiter limiter) {
        return new TestNode(config.apply(baseConfig()), limiter, Authenticator.withAdminToken(AuthMode.OPEN, ADMIN_TOKEN));
    }

    static TestNode start(UnaryOperator<NodeConfig> config, Authenticator authenticator) {
        return new TestNode(config.apply(baseConfig()), new RateLimiter(0, 0), authenticator);
    }

    /** A server whose tokens are resolved by {@code authenticator} (e.g. a mock granting narrow scopes). */
    static TestNode start(Authenticator authenticator) {
        return new TestNode(baseConfig(), new RateLimiter(0, 0), authenticator);
    }

    private TestNode(NodeConfig config, RateLimiter limiter, Authenticator authenticator) {
        registerOps();
        dispatcher = new Dispatcher(registry, workers, limiter, metrics);
        server = new PandoServer(config, dispatcher, authenticator, bus, metrics);
        server.start();
    }

    private void registerOps() {
        registry.swap(b -> b
                .add(OpSpec.inline("test.echo", Access.NONE, "test", (ctx, args) -> {
                    ObjectNode r = obj();
                    r.put("op", "test.echo");
                    r.set("args", args);
                    r.put("principal", ctx.principal().name());
                    r.put("session", ctx.sessionIfAny().isPresent());
                    return done(r);
                }))
                .add(echo("kv.get", Access.READ))
                .add(echo("kv.set", Access.WRITE))
                .add(echo("kv.delete", Access.WRITE))
                .add(OpSpec.inline("test.fail", Access.NONE, "test", (ctx, args) -> {
                    throw new PandoException(ErrorCode.CONFLICT, "nope");
                }))
                .add(OpSpec.inline("test.unserialisable", Access.NONE, "test",
                        // A result Jackson cannot write (an empty bean): the envelope fails at serialisation.
                        (ctx, args) -> done(new com.fasterxml.jackson.databind.node.POJONode(new Object()))))
                .add(OpSpec.inline("test.admin", Access.ADMIN, "test", (ctx, args) -> done(obj().put("admin", true))))
                .add(OpSpec.worker("test.slow", Access.NONE, "test", (ctx, args) -> {
                    slowStarted.incrementAndGet();
                    try {
                        long ms = args.path("ms").asLong(500);
                        Thread.sleep(ms);
                        return done(obj().put("slept", ms));
                    } finally {
                        slowFinished.incrementAndGet();
                    }
                }))
                .add(OpSpec.worker("test.jitter", Access.NONE, "test", (ctx, args) -> {
                    if (ThreadLocalRandom.current().nextBoolean()) {
                        Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                    }
                    return done(obj().set("n", args.path("n")));
                }))
                .add(OpSpec.inline("test.big", Access.NONE, "test", (ctx, args) -> {
                    bigCalls.incrementAndGet();
                    return done(obj().put("n", args.path("n").asInt()).put("s", "b".repeat(args.path("size").asInt(1000))));
                }))
                .add(OpSpec.inline("test.subscribe", Access.READ, "test", (ctx, args) -> {
                    Subscription s = requireSession(ctx).subscribe(PathPattern.compile(args.path("pattern").asText()),
                            args.path("changes").asBoolean(true), args.path("events").asBoolean(true));
                    return done(obj().put("sub", s.id()));
                }))
                .add(OpSpec.worker("test.subscribeThenPush", Access.READ, "test", (ctx, args) -> {
                    Session session = requireSession(ctx);
                    Subscription s = session.subscribe(PathPattern.compile(args.path("pattern").asText()), true, true);
                    afterSubscribe.accept(session, s);
                    Thread.sleep(args.path("delayMs").asLong(100));
                    return done(obj().put("sub", s.id()));
                }))
                .add(OpSpec.inline("test.unsubscribe", Access.READ, "test", (ctx, args) ->
                        done(obj().put("removed", requireSession(ctx).unsubscribe(args.path("sub").asText()))))));
    }

    private static OpSpec echo(String op, Access access) {
        return OpSpec.inline(op, access, "test", (ctx, args) -> {
            ObjectNode r = obj();
            r.put("op", op);
            r.set("args", args);
            return done(r);
        });
    }

    private static Session requireSession(CallContext ctx) {
        return ctx.sessionIfAny().orElseThrow(() -> PandoException.badRequest("subscriptions need a WebSocket session"));
    }

    static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }

    private static CompletableFuture<JsonNode> done(JsonNode n) {
        return CompletableFuture.completedFuture(n);
    }

    int port() {
        return server.port();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    URI wsUri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port() + pathAndQuery);
    }

    HttpResponse<String> send(String method, String pathAndQuery, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String pathAndQuery, String... headers) {
        return send("GET", pathAndQuery, null, headers);
    }

    HttpResponse<String> post(String pathAndQuery, String body, String... headers) {
        return send("POST", pathAndQuery, body, headers);
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static JsonNode json(HttpResponse<String> res) {
        return json(res.body());
    }

    /** Polls {@code condition} until true or the timeout; returns its last value. */
    static boolean eventually(long timeoutMs, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    @Override
    public void close() {
        server.close();
        workers.shutdown(); // not shutdownNow: an interrupted test handler would log an error; threads are daemons
    }
}
