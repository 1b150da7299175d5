package dev.pando.node.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.node.metrics.Metrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link Request} into a {@link Response}: rate limit, look the op up in the current
 * handler table (read once), check the caller's access, run the handler inline or on the worker
 * pool, and map every failure to a typed error. Never throws; never blocks the calling thread.
 */
public final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final String REQUESTS = "pando_requests_total";
    private static final String LATENCY = "pando_request_duration_seconds";

    private final HandlerRegistry registry;
    private final ExecutorService workers;
    private final RateLimiter rateLimiter;
    private final Metrics metrics;
    private final ConcurrentHashMap<String, OpMetrics> opMetrics = new ConcurrentHashMap<>();

    public Dispatcher(HandlerRegistry registry, ExecutorService workers, RateLimiter rateLimiter, Metrics metrics) {
        this.registry = registry;
        this.workers = workers;
        this.rateLimiter = rateLimiter;
        this.metrics = metrics;
    }

    public HandlerRegistry registry() {
        return registry;
    }

    public CompletableFuture<Response> dispatch(Request request, CallContext ctx) {
        long start = System.nanoTime();
        String op = request.op();
        HandlerTable table = null;
        OpSpec spec = null;
        try {
            table = registry.acquire();
            spec = table.lookup(op).orElse(null); // before the rate limit, so refusals are labelled by op
            rateLimiter.acquire(ctx.principal().clientKey());
            if (op.isEmpty()) {
                throw PandoException.badRequest("missing 'op'");
            }
            if (spec == null) {
                throw new PandoException(ErrorCode.NOT_FOUND, "unknown op '" + op + "'");
            }
            OpSpec found = spec;
            checkAccess(found, ctx);
            JsonNode args = request.args().isNull() ? JsonNodeFactory.instance.objectNode() : request.args();
            CompletableFuture<JsonNode> result = found.execution() == OpSpec.Execution.INLINE
                    ? invoke(found, ctx, args)
                    : CompletableFuture.supplyAsync(() -> invoke(found, ctx, args), workers).thenCompose(f -> f);
            HandlerTable admitted = table;
            table = null; // released when the call completes, not here
            return result.handle((value, error) -> {
                registry.release(admitted);
                return finish(request, found, start, value, error);
            });
        } catch (Throwable t) {
            if (table != null) {
                registry.release(table);
            }
            return CompletableFuture.completedFuture(finish(request, spec, start, null, t));
        }
    }

    private static void checkAccess(OpSpec spec, CallContext ctx) {
        if (!ctx.principal().mayCall(spec.requires())) {
            String needs = spec.requires() == Access.ADMIN ? "node-wide admin (admin:/**)" : spec.requires().wireName() + " access";
            throw ctx.principal().cannotCall(spec.op(), needs);
        }
    }

    private static CompletableFuture<JsonNode> invoke(OpSpec spec, CallContext ctx, JsonNode args) {
        try {
            CompletionStage<JsonNode> stage = spec.handler().handle(ctx, args);
            return stage == null ? CompletableFuture.completedFuture(null) : stage.toCompletableFuture();
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        }
    }

    private Response finish(Request request, OpSpec spec, long start, JsonNode value, Throwable error) {
        Response response = error == null ? Response.ok(request.id(), value) : toError(request, error);
        // Only registered op names become label values: the op text comes from the client, and
        // calls refused before the lookup (rate limited, malformed) must not mint a series each.
        String opLabel = spec != null ? spec.op() : "unknown";
        opMetrics.computeIfAbsent(opLabel, OpMetrics::new).record(response, System.nanoTime() - start);
        return response;
    }

    /** One op's series, resolved once: per-request updates are then two lock-free adds. */
    private final class OpMetrics {
        private final String op;
        private final Metrics.Histogram latency;
        private final AtomicReferenceArray<LongAdder> outcomes = new AtomicReferenceArray<>(ErrorCode.values().length + 1);

        OpMetrics(String op) {
            this.op = op;
            this.latency = metrics.histogramSeries(LATENCY, "Request latency by op", "op", op);
        }

        void record(Response response, long nanos) {
            int slot = response instanceof Response.Failure f ? f.code().ordinal() + 1 : 0;
            LongAdder counter = outcomes.get(slot);
            if (counter == null) {
                String outcome = slot == 0 ? "ok" : ErrorCode.values()[slot - 1].name();
                counter = metrics.counterSeries(REQUESTS, "Requests by op and outcome", "op", op, "outcome", outcome);
                outcomes.set(slot, counter); // racing writers store the same series object
            }
            counter.increment();
            latency.observeNanos(nanos);
        }
    }

    private static Response toError(Request request, Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof PandoException pe) {
            return Response.error(request.id(), pe);
        }
        if (t instanceof RejectedExecutionException) {
            return Response.error(request.id(), ErrorCode.UNAVAILABLE, "node is overloaded; try again");
        }
        log.error("op {} failed unexpectedly", request.op(), t);
        return Response.error(request.id(), ErrorCode.INTERNAL, "internal error in '" + request.op() + "': " + t.getClass().getSimpleName());
    }
}
