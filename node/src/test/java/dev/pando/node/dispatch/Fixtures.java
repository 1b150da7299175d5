package dev.pando.node.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.Access;
import dev.pando.api.Scope;
import dev.pando.node.auth.Principal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared builders for the dispatch tests. */
final class Fixtures {
    private Fixtures() {}

    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    static ThreadPoolExecutor pool(int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                queue == Integer.MAX_VALUE ? new LinkedBlockingQueue<>() : new java.util.concurrent.ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, "test-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdownNow();
        if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
            throw new AssertionError("worker pool did not terminate");
        }
    }

    static CallContext ctx(Principal p) {
        return new CallContext(p, TextNode.valueOf("req"), null);
    }

    static CallContext admin() {
        return ctx(Principal.admin());
    }

    static Principal user(String name, Access access) {
        return new Principal(name, List.of(Scope.parse(access.wireName() + ":/**")), name);
    }

    static Request req(String op) {
        return new Request(IntNode.valueOf(7), op, null);
    }

    static Request req(String op, JsonNode args) {
        return new Request(TextNode.valueOf("1"), op, args);
    }

    /** {@code r} as the failure it must be. */
    static Response.Failure failure(Response r) {
        assertThat(r).as("a failure").isInstanceOf(Response.Failure.class);
        return (Response.Failure) r;
    }

    /** {@code r} as the success it must be. */
    static Response.Ok ok(Response r) {
        assertThat(r).as("a success").isInstanceOf(Response.Ok.class);
        return (Response.Ok) r;
    }

    static Handler constant(JsonNode value) {
        return (ctx, args) -> CompletableFuture.completedFuture(value);
    }
}
