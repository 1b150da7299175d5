package dev.pando.node.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.Dispatcher;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.dispatch.RateLimiter;
import dev.pando.node.dispatch.Request;
import dev.pando.node.dispatch.Response;
import dev.pando.node.metrics.Metrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The one request path: drain refusal, in-flight accounting, and the dispatcher's failures. */
class RequestPathTest {
    private final CallContext ctx = new CallContext(Principal.admin(), IntNode.valueOf(1), null);

    /** Captures what the path replied. */
    private static final class Captured implements RequestPath.Reply {
        final AtomicReference<Response> response = new AtomicReference<>();
        final AtomicReference<Runnable> written = new AtomicReference<>();

        @Override
        public void send(Response r, Runnable w) {
            response.set(r);
            written.set(w);
        }
    }

    @Test
    void aCallIsInFlightUntilItsResponseIsWritten() {
        HandlerRegistry registry = new HandlerRegistry();
        CompletableFuture<com.fasterxml.jackson.databind.JsonNode> answer = new CompletableFuture<>();
        registry.swap(b -> b.add(OpSpec.inline("t.wait", Access.NONE, "t", (c, args) -> answer)));
        RequestPath path = new RequestPath(new Dispatcher(registry, ForkJoinPool.commonPool(), new RateLimiter(0, 0), new Metrics()));
        Captured reply = new Captured();

        path.run(new Request(IntNode.valueOf(1), "t.wait", null), ctx, reply);
        assertThat(path.inFlight()).isEqualTo(1);
        assertThat(reply.response.get()).as("not answered yet").isNull();

        answer.complete(JsonNodeFactory.instance.textNode("done"));
        assertThat(reply.response.get()).isEqualTo(Response.ok(IntNode.valueOf(1), JsonNodeFactory.instance.textNode("done")));
        assertThat(path.inFlight()).as("answered, not yet written").isEqualTo(1);
        reply.written.get().run();
        assertThat(path.inFlight()).isZero();
    }

    @Test
    void whileDrainingRequestsAreRefusedAtOnceAndNotCounted() {
        RequestPath path = new RequestPath(mock(Dispatcher.class));
        path.startDraining();
        Captured reply = new Captured();
        path.run(new Request(IntNode.valueOf(7), "kv.get", null), ctx, reply);
        assertThat(reply.response.get()).isEqualTo(Response.error(IntNode.valueOf(7), ErrorCode.UNAVAILABLE, "node is shutting down"));
        reply.written.get().run();
        assertThat(path.inFlight()).isZero();
    }

    @Test
    void aDispatcherThatThrowsOrAnswersNothingGivesInternal() {
        Dispatcher dispatcher = mock(Dispatcher.class);
        when(dispatcher.dispatch(any(), any()))
                .thenThrow(new IllegalStateException("bug"))
                .thenReturn(CompletableFuture.failedFuture(new IllegalStateException("bug")));
        RequestPath path = new RequestPath(dispatcher);
        for (String expected : new String[] {"internal error", "internal error in 'kv.get'"}) {
            Captured reply = new Captured();
            path.run(new Request(IntNode.valueOf(2), "kv.get", null), ctx, reply);
            assertThat(reply.response.get()).isEqualTo(Response.error(IntNode.valueOf(2), ErrorCode.INTERNAL, expected));
            reply.written.get().run();
        }
        assertThat(path.inFlight()).isZero();
    }
}
