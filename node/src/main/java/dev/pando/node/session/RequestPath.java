package dev.pando.node.session;

import dev.pando.api.ErrorCode;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.Dispatcher;
import dev.pando.node.dispatch.Request;
import dev.pando.node.dispatch.Response;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every transport runs a request through: refused with {@code UNAVAILABLE} once the
 * node drains, counted in flight until its response is written (the shutdown drain waits on
 * that count), dispatched, anything the dispatcher failed to answer turned into
 * {@code INTERNAL}, and the response handed to the transport's {@link Reply}. HTTP exchanges
 * and {@link ClientSession}s both use it; the {@link Dispatcher} behind it does the rate limit,
 * lookup, access check and per-op metrics.
 */
public final class RequestPath {
    private static final Logger log = LoggerFactory.getLogger(RequestPath.class);

    private final Dispatcher dispatcher;
    /** Requests dispatched whose response has not yet been written (or dropped). */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Made once: handed with every tracked response instead of a lambda per request. */
    private final Runnable written = inFlight::decrementAndGet;
    private volatile boolean draining;

    public RequestPath(Dispatcher dispatcher) {
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
    }

    /** Where a transport writes one request's response. */
    @FunctionalInterface
    public interface Reply {
        /**
         * Takes {@code response}, on whatever thread completed the call (the store's ack thread,
         * a worker, a plugin's thread, or the caller's own when the answer is immediate): the
         * transport gets it onto its connection's event loop. {@code written} must be run once
         * the response has been written or dropped, whatever happens to the connection.
         */
        void send(Response response, Runnable written);
    }

    /**
     * Runs {@code request} and answers it through {@code reply}. Never throws and never blocks;
     * a refusal while draining is answered before this returns.
     */
    public void run(Request request, CallContext ctx, Reply reply) {
        if (draining) {
            reply.send(Response.error(request.id(), ErrorCode.UNAVAILABLE, "node is shutting down"), EventLoops.NOTHING);
            return;
        }
        inFlight.incrementAndGet();
        CompletableFuture<Response> result;
        try {
            result = dispatcher.dispatch(request, ctx);
        } catch (RuntimeException e) { // the dispatcher promises not to throw; do not trust it with the counter
            log.error("dispatcher threw for op {}", request.op(), e);
            result = CompletableFuture.completedFuture(Response.error(request.id(), ErrorCode.INTERNAL, "internal error"));
        }
        result.whenComplete((response, error) -> reply.send(response != null ? response
                : Response.error(request.id(), ErrorCode.INTERNAL, "internal error in '" + request.op() + "'"), written));
    }

    /** Requests dispatched whose response has not been written yet. */
    public int inFlight() {
        return inFlight.get();
    }

    /** True once {@link #startDraining()} was called: new requests are refused. */
    public boolean draining() {
        return draining;
    }

    /** Refuses every request from now on with {@code UNAVAILABLE} (the node is shutting down). */
    public void startDraining() {
        draining = true;
    }
}
