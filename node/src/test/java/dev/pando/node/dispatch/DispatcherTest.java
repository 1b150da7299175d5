package dev.pando.node.dispatch;

import static dev.pando.node.dispatch.Fixtures.JSON;
import static dev.pando.node.dispatch.Fixtures.admin;
import static dev.pando.node.dispatch.Fixtures.constant;
import static dev.pando.node.dispatch.Fixtures.ctx;
import static dev.pando.node.dispatch.Fixtures.failure;
import static dev.pando.node.dispatch.Fixtures.ok;
import static dev.pando.node.dispatch.Fixtures.req;
import static dev.pando.node.dispatch.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.node.auth.Principal;
import dev.pando.node.metrics.Metrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(20)
class DispatcherTest {
    private static final String REQUESTS = "pando_requests_total";

    private final ThreadPoolExecutor workers = Fixtures.pool(2, 100);
    private final HandlerRegistry registry = new HandlerRegistry();
    private final Metrics metrics = new Metrics();
    private final Dispatcher dispatcher = new Dispatcher(registry, workers, new RateLimiter(0, 0), metrics);

    @AfterEach
    void stop() throws InterruptedException {
        Fixtures.shutdown(workers);
    }

    private void register(OpSpec... specs) {
        registry.swap(b -> b.addAll(List.of(specs)));
    }

    private Response call(String op, CallContext ctx) throws Exception {
        Response r = dispatcher.dispatch(req(op), ctx).get(5, TimeUnit.SECONDS);
        assertThat(registry.current().inFlight()).as("every admitted call is released").isZero();
        return r;
    }

    private Response call(String op) throws Exception {
        return call(op, admin());
    }

    private static Handler throwing(Exception e) {
        return (ctx, args) -> {
            throw e;
        };
    }

    private static Handler failing(Throwable e) {
        return (ctx, args) -> CompletableFuture.failedFuture(e);
    }

    @Test
    void okResponseEchoesTheIdAndResult() throws Exception {
        register(OpSpec.inline("t.echo", Access.NONE, "t", (ctx, args) -> CompletableFuture.completedFuture(args)));
        JsonNode args = JSON.objectNode().put("x", 1);
        Response r = dispatcher.dispatch(new Request(TextNode.valueOf("abc"), "t.echo", args), admin()).get();
        assertThat(r.isOk()).isTrue();
        assertThat(r.id()).isEqualTo(TextNode.valueOf("abc"));
        assertThat(ok(r).result()).isEqualTo(args);
        assertThat(r.toJson().toString()).isEqualTo("{\"id\":\"abc\",\"ok\":true,\"result\":{\"x\":1}}");
    }

    @Test
    void missingArgsBecomeAnEmptyObjectAndANullResultBecomesJsonNull() throws Exception {
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        register(OpSpec.inline("t.args", Access.NONE, "t", (ctx, args) -> {
            seen.set(args);
            return null;
        }));
        Response r = dispatcher.dispatch(new Request(null, "t.args", null), admin()).get();
        assertThat(seen.get()).isEqualTo(JSON.objectNode());
        assertThat(r.isOk()).isTrue();
        assertThat(ok(r).result().isNull()).isTrue();
        assertThat(r.id().isNull()).isTrue();
        dispatcher.dispatch(new Request(null, "t.args", JSON.nullNode()), admin()).get();
        assertThat(seen.get()).isEqualTo(JSON.objectNode());
    }

    @Test
    void inlineOpsRunOnTheCallingThreadAndWorkerOpsOnThePool() throws Exception {
        AtomicReference<String> inlineThread = new AtomicReference<>();
        AtomicReference<String> workerThread = new AtomicReference<>();
        register(
                OpSpec.inline("t.inline", Access.NONE, "t", (ctx, args) -> {
                    inlineThread.set(Thread.currentThread().getName());
                    return null;
                }),
                OpSpec.worker("t.worker", Access.NONE, "t", (ctx, args) -> {
                    workerThread.set(Thread.currentThread().getName());
                    return null;
                }));
        CompletableFuture<Response> f = dispatcher.dispatch(req("t.inline"), admin());
        assertThat(f).isDone();
        assertThat(inlineThread.get()).isEqualTo(Thread.currentThread().getName());
        call("t.worker");
        assertThat(workerThread.get()).startsWith("test-worker-");
    }

    @Test
    void unknownOpIsNotFound() throws Exception {
        Response r = call("no.such");
        assertThat(failure(r).code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(failure(r).message()).contains("no.such");
        assertThat(r.id()).isEqualTo(IntNode.valueOf(7));
        assertThat(metrics.counter(REQUESTS, "op", "unknown", "outcome", "NOT_FOUND")).isEqualTo(1);
        assertThat(metrics.counter(REQUESTS, "op", "no.such", "outcome", "NOT_FOUND")).isZero();
    }

    @Test
    void missingOpIsBadRequest() throws Exception {
        for (String op : new String[] {null, ""}) {
            Response r = call(op);
            assertThat(failure(r).code()).as(String.valueOf(op)).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(failure(r).message()).contains("op");
        }
    }

    @ParameterizedTest
    @EnumSource(OpSpec.Execution.class)
    void pandoExceptionKeepsItsCodeAndMessage(OpSpec.Execution execution) throws Exception {
        register(
                new OpSpec("t.thrown", Access.NONE, execution, "t", throwing(new PandoException(ErrorCode.CONFLICT, "revision mismatch"))),
                new OpSpec("t.failed", Access.NONE, execution, "t", failing(new PandoException(ErrorCode.TOO_LARGE, "value too big"))),
                new OpSpec("t.limited", Access.NONE, execution, "t", throwing(PandoException.rateLimited("slow down", 1234))));
        Response thrown = call("t.thrown");
        assertThat(failure(thrown).code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(failure(thrown).message()).isEqualTo("revision mismatch");
        Response failed = call("t.failed");
        assertThat(failure(failed).code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(failure(failed).message()).isEqualTo("value too big");
        Response limited = call("t.limited");
        assertThat(failure(limited).retryAfterMillis()).isEqualTo(1234);
        assertThat(limited.toJson().get("error").get("retryAfterMs").asLong()).isEqualTo(1234);
        assertThat(thrown.toJson().get("error").has("retryAfterMs")).isFalse();
        assertThat(thrown.toJson().toString())
                .isEqualTo("{\"id\":7,\"ok\":false,\"error\":{\"code\":\"CONFLICT\",\"message\":\"revision mismatch\"}}");
    }

    @ParameterizedTest
    @EnumSource(OpSpec.Execution.class)
    void unexpectedFailuresBecomeInternalWithoutLeakingTheMessage(OpSpec.Execution execution) throws Exception {
        String secret = "password=hunter2 at /etc/secret";
        register(
                new OpSpec("t.runtime", Access.NONE, execution, "t", throwing(new IllegalStateException(secret))),
                new OpSpec("t.checked", Access.NONE, execution, "t", throwing(new IOException(secret))),
                new OpSpec("t.stage", Access.NONE, execution, "t", failing(new IllegalStateException(secret))),
                new OpSpec("t.error", Access.NONE, execution, "t", failing(new StackOverflowError(secret))),
                new OpSpec("t.wrapped", Access.NONE, execution, "t",
                        failing(new java.util.concurrent.CompletionException(new RuntimeException(secret)))));
        for (String op : new String[] {"t.runtime", "t.checked", "t.stage", "t.error", "t.wrapped"}) {
            Response r = call(op);
            assertThat(failure(r).code()).as(op).isEqualTo(ErrorCode.INTERNAL);
            assertThat(failure(r).message()).as(op).doesNotContain("hunter2").doesNotContain("/etc/secret");
            assertThat(r.toJson().toString()).doesNotContain("hunter2");
        }
    }

    @Test
    void aWrappedPandoExceptionInAFailedStageStillKeepsItsCode() throws Exception {
        register(OpSpec.worker("t.wrapped", Access.NONE, "t",
                failing(new java.util.concurrent.CompletionException(new PandoException(ErrorCode.FORBIDDEN, "nope")))));
        Response r = call("t.wrapped");
        assertThat(failure(r).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(failure(r).message()).isEqualTo("nope");
    }

    @Test
    void saturatedWorkerPoolAnswersUnavailable() throws Exception {
        ThreadPoolExecutor tiny = Fixtures.pool(1, 1);
        try {
            Dispatcher d = new Dispatcher(registry, tiny, new RateLimiter(0, 0), metrics);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch entered = new CountDownLatch(1);
            register(OpSpec.worker("t.slow", Access.NONE, "t", (ctx, args) -> {
                entered.countDown();
                release.await();
                return CompletableFuture.completedFuture(JSON.textNode("done"));
            }));
            CompletableFuture<Response> running = d.dispatch(req("t.slow"), admin());
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Response> queued = d.dispatch(req("t.slow"), admin());
            CompletableFuture<Response> rejected = d.dispatch(req("t.slow"), admin());
            assertThat(rejected).isDone();
            Response r = rejected.get();
            assertThat(failure(r).code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(failure(r).code().httpStatus()).isEqualTo(503);
            assertThat(registry.current().inFlight()).as("the rejected call is not counted in flight").isEqualTo(2);

            release.countDown();
            assertThat(running.get(5, TimeUnit.SECONDS).isOk()).isTrue();
            assertThat(queued.get(5, TimeUnit.SECONDS).isOk()).isTrue();
            assertThat(registry.current().inFlight()).isZero();
            assertThat(metrics.counter(REQUESTS, "op", "t.slow", "outcome", "UNAVAILABLE")).isEqualTo(1);
            assertThat(metrics.counter(REQUESTS, "op", "t.slow", "outcome", "ok")).isEqualTo(2);
        } finally {
            Fixtures.shutdown(tiny);
        }
    }

    @Test
    void accessChecks() throws Exception {
        AtomicLong ran = new AtomicLong();
        Handler h = (ctx, args) -> {
            ran.incrementAndGet();
            return CompletableFuture.completedFuture(JSON.textNode(ctx.principal().name()));
        };
        register(
                OpSpec.inline("t.none", Access.NONE, "t", h),
                OpSpec.inline("t.read", Access.READ, "t", h),
                OpSpec.inline("t.write", Access.WRITE, "t", h),
                OpSpec.inline("t.admin", Access.ADMIN, "t", h));

        CallContext anonymous = ctx(Principal.anonymous("127.0.0.1"));
        CallContext nobody = ctx(Principal.nobody("10.0.0.1"));
        CallContext reader = ctx(user("reader", Access.READ));
        CallContext writer = ctx(user("writer", Access.WRITE));
        CallContext admin = admin();

        record Case(CallContext ctx, String op, ErrorCode expected) {}
        List<Case> cases = new ArrayList<>(List.of(
                new Case(anonymous, "t.none", null),
                new Case(anonymous, "t.read", null),
                new Case(anonymous, "t.write", null),
                new Case(anonymous, "t.admin", ErrorCode.UNAUTHORIZED),
                new Case(nobody, "t.none", null),
                new Case(nobody, "t.read", ErrorCode.UNAUTHORIZED),
                new Case(nobody, "t.write", ErrorCode.UNAUTHORIZED),
                new Case(nobody, "t.admin", ErrorCode.UNAUTHORIZED),
                new Case(reader, "t.none", null),
                new Case(reader, "t.read", null),
                new Case(reader, "t.write", ErrorCode.FORBIDDEN),
                new Case(reader, "t.admin", ErrorCode.FORBIDDEN),
                new Case(writer, "t.write", null),
                new Case(writer, "t.admin", ErrorCode.FORBIDDEN),
                new Case(admin, "t.read", null),
                new Case(admin, "t.write", null),
                new Case(admin, "t.admin", null)));
        for (Case c : cases) {
            long before = ran.get();
            Response r = call(c.op(), c.ctx());
            String what = c.ctx().principal().name() + " -> " + c.op();
            if (c.expected() == null) {
                assertThat(r.isOk()).as(what).isTrue();
                assertThat(ran.get()).as(what).isEqualTo(before + 1);
            } else {
                assertThat(failure(r).code()).as(what).isEqualTo(c.expected());
                assertThat(failure(r).message()).as(what).contains(c.op());
                assertThat(ran.get()).as("handler must not run for " + what).isEqualTo(before);
            }
        }
    }

    @Test
    void rateLimitedCallsAreRejectedBeforeTheHandlerWithRetryAfter() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        Dispatcher d = new Dispatcher(registry, workers, new RateLimiter(10, 2, now::get), metrics);
        AtomicLong ran = new AtomicLong();
        register(OpSpec.inline("t.echo", Access.NONE, "t", (ctx, args) -> {
            ran.incrementAndGet();
            return null;
        }));
        CallContext alice = ctx(user("alice", Access.READ));
        assertThat(d.dispatch(req("t.echo"), alice).get().isOk()).isTrue();
        assertThat(d.dispatch(req("t.echo"), alice).get().isOk()).isTrue();
        Response limited = d.dispatch(req("t.echo"), alice).get();
        assertThat(failure(limited).code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(failure(limited).retryAfterMillis()).isEqualTo(100);
        assertThat(ran.get()).isEqualTo(2);
        // another client has its own bucket
        assertThat(d.dispatch(req("t.echo"), ctx(user("bob", Access.READ))).get().isOk()).isTrue();
        now.addAndGet(100_000_000L);
        assertThat(d.dispatch(req("t.echo"), alice).get().isOk()).isTrue();
        assertThat(metrics.counter(REQUESTS, "op", "t.echo", "outcome", "RATE_LIMITED")).isEqualTo(1);
        assertThat(metrics.counter(REQUESTS, "op", "t.echo", "outcome", "ok")).isEqualTo(4);
    }

    @Test
    void metricsCountEveryRequestByOpAndOutcome() throws Exception {
        register(
                OpSpec.inline("t.ok", Access.NONE, "t", constant(JSON.nullNode())),
                OpSpec.worker("t.bad", Access.NONE, "t", throwing(PandoException.badRequest("no"))),
                OpSpec.inline("t.admin", Access.ADMIN, "t", constant(JSON.nullNode())));
        for (int i = 0; i < 3; i++) {
            call("t.ok");
        }
        call("t.bad");
        call("t.bad");
        call("t.admin", ctx(Principal.anonymous("x")));
        call("nope.nope");
        call(null);

        assertThat(metrics.counter(REQUESTS, "op", "t.ok", "outcome", "ok")).isEqualTo(3);
        assertThat(metrics.counter(REQUESTS, "op", "t.bad", "outcome", "BAD_REQUEST")).isEqualTo(2);
        assertThat(metrics.counter(REQUESTS, "op", "t.admin", "outcome", "UNAUTHORIZED")).isEqualTo(1);
        assertThat(metrics.counter(REQUESTS, "op", "unknown", "outcome", "NOT_FOUND")).isEqualTo(1);
        assertThat(metrics.counter(REQUESTS, "op", "unknown", "outcome", "BAD_REQUEST")).isEqualTo(1);
        String text = metrics.render();
        assertThat(text).contains("pando_request_duration_seconds_count{op=\"t.ok\"} 3");
        assertThat(text).contains("pando_request_duration_seconds_count{op=\"t.bad\"} 2");
        assertThat(text).doesNotContain("nope.nope").doesNotContain("op=\"null\"");
    }

    @Test
    void opNamesThatAreNotRegisteredNeverBecomeMetricLabels() throws Exception {
        // Rate-limited and malformed calls are rejected before the op is looked up; their op
        // names come straight from the client and must not create a series each.
        AtomicLong now = new AtomicLong();
        Dispatcher d = new Dispatcher(registry, workers, new RateLimiter(1, 1, now::get), metrics);
        register(OpSpec.inline("t.ok", Access.NONE, "t", constant(JSON.nullNode())));
        CallContext c = ctx(Principal.anonymous("203.0.113.9"));
        for (int i = 0; i < 200; i++) {
            assertThat(d.dispatch(req("junk.op" + i), c).get().isOk()).isFalse();
        }
        assertThat(failure(d.dispatch(req("t.ok"), c).get()).code()).isEqualTo(ErrorCode.RATE_LIMITED);
        String text = metrics.render();
        assertThat(text).doesNotContain("junk.op");
        assertThat(metrics.counter(REQUESTS, "op", "unknown", "outcome", "RATE_LIMITED")).isEqualTo(199);
        assertThat(metrics.counter(REQUESTS, "op", "unknown", "outcome", "NOT_FOUND")).isEqualTo(1);
        assertThat(metrics.counter(REQUESTS, "op", "t.ok", "outcome", "RATE_LIMITED")).isEqualTo(1);
    }

    @Test
    void dispatchNeverThrowsEvenWhenEverythingFails() throws Exception {
        register(OpSpec.inline("t.null", Access.NONE, "t", (ctx, args) -> {
            throw new NullPointerException();
        }));
        Response r = call("t.null");
        assertThat(failure(r).code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(failure(r).message()).isNotBlank();
    }
}
