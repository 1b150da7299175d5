package dev.pando.node.transport;

import dev.pando.api.plugin.TopicEvent;
import dev.pando.api.plugin.KvChange;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import dev.pando.api.Access;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.Request;
import dev.pando.node.dispatch.Response;
import dev.pando.node.dispatch.Session;
import dev.pando.node.events.Subscriber;
import dev.pando.node.events.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection (the last handler of its pipeline): reads request frames
 * {@code {id, op, args}}, dispatches them concurrently (responses go out as they complete,
 * matched by id), and pushes {@code change}/{@code event} frames for its subscriptions.
 *
 * <p>Pushes arrive on the store's ack thread or a publisher's thread and go into one bounded queue
 * per session; the channel's event loop drains it only while the channel is writable. A full
 * queue makes the offer fail, the bus cuts the session off, and the client gets a
 * {@code SLOW_CONSUMER} error frame; the connection stays open. Independently, requests are
 * only dispatched while the channel is writable and fewer than {@link #MAX_IN_FLIGHT} are
 * unanswered; otherwise frames already read wait and reading pauses, so a client that never
 * reads responses cannot make the node buffer without bound.
 *
 * <p>A subscription's pushes are held until the response of the request that created it has
 * been written, so the client always learns the subscription id first. Handlers see this
 * session through a per-request {@link Session} view, which is how the session knows which
 * request a {@link #subscribe} belongs to.
 */
final class WebSocketSession extends ChannelInboundHandlerAdapter implements Session, Subscriber {
    private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);
    private static final AtomicLong IDS = new AtomicLong();
    /** Queue entries handled per drain task before the event loop is yielded to other channels. */
    private static final int DRAIN_BATCH = 512;
    /** Requests one session may have dispatched and unanswered; later frames wait (and reading pauses). */
    static final int MAX_IN_FLIGHT = 256;

    private final ServerContext server;
    private final Principal principal;
    private final Channel channel;
    private final String id;

    /** Pushes in arrival order: many producers, consumed on the event loop only. */
    private final Queue<Push> pushes = new ConcurrentLinkedQueue<>();
    /** Pushes accepted and not yet written or dropped (queue + parked + ready): the bound. */
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean overflowPending = new AtomicBoolean();
    /** Pushes of subscriptions released since they were parked; written before {@link #pushes}. */
    private final ArrayDeque<Push> ready = new ArrayDeque<>();

    private final Map<Subscription, SubState> states = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /** Open subscriptions by id; guarded by {@link #lock}. */
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    /** Written under {@link #lock}; read without it on the push path. */
    private volatile boolean closed;
    /** The handshake completed (event loop only). */
    private boolean open;
    /** Frames read but not yet handled because the session was at capacity (event loop only). */
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    /** This session's dispatched, unanswered requests (event loop only). */
    private int inFlight;
    private boolean resuming;

    WebSocketSession(ServerContext server, Principal principal, Channel channel) {
        this.server = server;
        this.principal = principal;
        this.channel = channel;
        this.id = "ws-" + IDS.incrementAndGet();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return "WebSocketSession[" + id + ", " + principal.name() + "@" + channel.remoteAddress() + "]";
    }

    // ---- inbound ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!backlog.isEmpty() || !canDispatch()) {
            // One read can bring thousands of small requests; parked here, they cost their frame
            // bytes, not their (maybe much larger) responses.
            backlog.add(msg);
            channel.config().setAutoRead(false);
            return;
        }
        handleFrame(msg);
    }

    private void handleFrame(Object msg) {
        try {
            if (msg instanceof TextWebSocketFrame text) {
                onRequestFrame(text.content());
            } else if (msg instanceof BinaryWebSocketFrame) {
                writeDirect(Response.error(NullNode.getInstance(), ErrorCode.BAD_REQUEST,
                        "binary frames are not supported; send JSON text frames"));
            }
            // Ping, pong and close frames are answered by the protocol handler before us.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequestFrame(ByteBuf content) {
        JsonNode frame;
        try {
            frame = Json.parse(content, server.settings.maxJsonDepth());
        } catch (PandoException e) {
            writeDirect(Response.error(orNull(Json.salvageId(content)), e));
            return;
        }
        if (frame == null || !frame.isObject()) {
            writeDirect(Response.error(NullNode.getInstance(), ErrorCode.BAD_REQUEST,
                    "a request frame is a JSON object {id, op, args}"));
            return;
        }
        JsonNode requestId = orNull(frame.get("id"));
        JsonNode op = frame.get("op");
        if (op == null || !op.isTextual() || op.asText().isEmpty()) {
            writeDirect(Response.error(requestId, ErrorCode.BAD_REQUEST, "missing 'op' (a request frame is {id, op, args})"));
            return;
        }
        JsonNode args = frame.get("args");
        if (args != null && !args.isObject() && !args.isNull()) {
            writeDirect(Response.error(requestId, ErrorCode.BAD_REQUEST, "'args' must be a JSON object"));
            return;
        }
        if (server.draining()) {
            writeDirect(Response.error(requestId, ErrorCode.UNAVAILABLE, "node is shutting down"));
            return;
        }
        dispatch(new Request(requestId, op.asText(), args));
    }

    private void dispatch(Request request) {
        Call call = new Call();
        inFlight++;
        server.requestStarted();
        CompletableFuture<Response> result;
        try {
            result = server.dispatcher.dispatch(request, new CallContext(principal, request.id(), new CallSession(call)));
        } catch (RuntimeException e) { // the dispatcher promises not to throw; do not trust it with the counter
            log.error("dispatcher threw for op {}", request.op(), e);
            result = CompletableFuture.completedFuture(Response.error(request.id(), ErrorCode.INTERNAL, "internal error"));
        }
        result.whenComplete((response, error) -> {
            Response r = response != null ? response
                    : Response.error(request.id(), ErrorCode.INTERNAL, "internal error in '" + request.op() + "'");
            EventLoops.runOn(channel.eventLoop(), () -> respond(call, r), server::requestDone);
        });
    }

    /** Writes a response (event loop), then lets the subscriptions its request created push. */
    private void respond(Call call, Response response) {
        inFlight--;
        List<SubState> created = call.responded();
        if (channel.isActive()) {
            channel.writeAndFlush(new TextWebSocketFrame(serialise(response)))
                    .addListener(f -> server.requestDone());
        } else {
            server.requestDone(); // the client left; nothing to write it to
        }
        // Anything written from here on is queued behind the response in the channel.
        for (SubState s : created) {
            release(s);
        }
        resume();
    }

    /** Requests may be dispatched: responses can be written and the session is under its in-flight cap. */
    private boolean canDispatch() {
        return channel.isWritable() && inFlight < MAX_IN_FLIGHT;
    }

    /** Handles parked frames while possible, then reads again if nothing is left waiting (event loop). */
    private void resume() {
        if (resuming) {
            return; // an inline op answered from inside the loop below; the loop carries on
        }
        resuming = true;
        try {
            while (!backlog.isEmpty() && canDispatch() && channel.isActive()) {
                handleFrame(backlog.poll());
            }
        } finally {
            resuming = false;
        }
        channel.config().setAutoRead(backlog.isEmpty() && canDispatch());
    }

    private void writeDirect(Response response) {
        if (channel.isActive()) {
            channel.writeAndFlush(new TextWebSocketFrame(serialise(response)));
        }
    }

    private ByteBuf serialise(Response response) {
        return Json.envelope(channel.alloc(), response);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Stop reading (and dispatching) while responses cannot be written: a client that never
        // reads must not make the node queue up answers for it.
        if (channel.isWritable()) {
            resume();
            drain();
        } else {
            channel.config().setAutoRead(false);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            open = true;
            server.wsSessions.incrementAndGet();
            log.debug("{} opened", this);
        } else if (evt instanceof IdleStateEvent e) {
            if (e.state() == IdleState.WRITER_IDLE) {
                channel.writeAndFlush(new PingWebSocketFrame()); // a live client answers; the pong is a read
            } else if (e.state() == IdleState.READER_IDLE) {
                log.debug("{} sent nothing (not even a pong) for {} ms; closing", this, server.settings.idleTimeoutMs());
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException c) {
            closeWith(c.closeStatus(), c.getMessage());
        } else if (cause instanceof TooLongFrameException) { // a fragmented message over the limit
            closeWith(WebSocketCloseStatus.MESSAGE_TOO_BIG, cause.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("{} failed: {}", this, cause.toString());
            ctx.close();
        } else {
            log.warn("unexpected error in {}; closing it", this, cause);
            ctx.close();
        }
    }

    /** Tells the client why (an error frame for an oversized message), then closes with {@code status}. */
    private void closeWith(WebSocketCloseStatus status, String detail) {
        log.debug("{}: closing with {}: {}", this, status, detail);
        if (!channel.isActive()) {
            return;
        }
        if (status.equals(WebSocketCloseStatus.MESSAGE_TOO_BIG)) {
            channel.write(new TextWebSocketFrame(serialise(Response.error(NullNode.getInstance(), ErrorCode.TOO_LARGE,
                    "message larger than " + server.settings.maxFrameBytes() + " bytes"))));
        }
        channel.writeAndFlush(new CloseWebSocketFrame(status)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Server shutdown: close with 1001 (going away). */
    void goingAway() {
        channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        List<Subscription> doomed;
        synchronized (lock) {
            closed = true;
            doomed = new ArrayList<>(subscriptions.values());
            subscriptions.clear();
        }
        doomed.forEach(Subscription::close);
        states.clear();
        pushes.clear();
        ready.clear();
        Object parked;
        while ((parked = backlog.poll()) != null) {
            ReferenceCountUtil.release(parked);
        }
        if (open) {
            open = false;
            server.wsSessions.decrementAndGet();
            log.debug("{} closed", this);
        }
        ctx.fireChannelInactive();
    }

    // ---- subscriptions (Session) ----

    @Override
    public Subscription subscribe(PathPattern pattern, boolean changes, boolean events) {
        return subscribe(pattern, changes, events, null);
    }

    private Subscription subscribe(PathPattern pattern, boolean changes, boolean events, Call call) {
        Subscription s;
        synchronized (lock) {
            if (closed) {
                throw new PandoException(ErrorCode.UNAVAILABLE, "session " + id + " is closed");
            }
            subscriptions.values().removeIf(Subscription::isClosed);
            int limit = server.settings.subscriptionsPerSession();
            if (subscriptions.size() >= limit) {
                throw new PandoException(ErrorCode.TOO_LARGE, "subscription limit " + limit + " reached");
            }
            s = server.eventBus.subscribe(pattern, changes, events, this);
            subscriptions.put(s.id(), s);
        }
        SubState state = states.computeIfAbsent(s, SubState::new);
        if (call == null || !call.hold(state)) {
            EventLoops.runOn(channel.eventLoop(), () -> release(state), () -> {});
        }
        return s;
    }

    @Override
    public boolean unsubscribe(String subscriptionId) {
        Subscription s;
        synchronized (lock) {
            s = subscriptions.remove(subscriptionId);
        }
        if (s == null) {
            return false;
        }
        s.close();
        EventLoops.runOn(channel.eventLoop(), this::purgeClosed, () -> {});
        return true;
    }

    // ---- pushes (Subscriber) ----

    @Override
    public boolean offerChange(Subscription subscription, KvChange change) {
        return offer(subscription, change, null);
    }

    @Override
    public boolean offerEvent(Subscription subscription, TopicEvent event) {
        return offer(subscription, null, event);
    }

    /** Called on the commit or publisher thread: enqueue or refuse, never wait. */
    private boolean offer(Subscription subscription, KvChange change, TopicEvent event) {
        if (closed || subscription.isClosed()) {
            return true; // going away anyway; not a reason to report an overflow
        }
        if (!principal.allows(Access.READ, change != null ? change.key() : event.topic())) {
            return true; // a pattern may reach keys its subscriber may not read: skip, silently
        }
        if (queued.incrementAndGet() > server.settings.subscriberQueue()) {
            queued.decrementAndGet();
            return false;
        }
        // The bus may deliver before subscribe() has recorded the state; whoever comes first creates it (held).
        pushes.add(new Push(states.computeIfAbsent(subscription, SubState::new), change, event));
        scheduleDrain();
        return true;
    }

    @Override
    public void overflowed() {
        server.metrics.inc(ServerContext.SLOW_CONSUMERS, "WebSocket sessions cut off for falling behind on pushes");
        synchronized (lock) {
            subscriptions.values().removeIf(Subscription::isClosed); // the bus closed them all
        }
        log.info("{} fell behind on pushes; its subscriptions were dropped", this);
        overflowPending.set(true);
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(this::drain);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false); // shutting down: nothing will be written anyway
            }
        }
    }

    /** Writes queued pushes while the channel is writable (event loop). */
    private void drain() {
        drainScheduled.set(false);
        if (!channel.isActive()) {
            pushes.clear();
            ready.clear();
            return;
        }
        boolean wrote = false;
        if (overflowPending.getAndSet(false)) {
            purgeClosed(); // frees the queue now, even if the client is not reading
            // Written even when unwritable: it is one small frame, and the client must learn why pushes stopped.
            channel.write(new TextWebSocketFrame(Json.write(channel.alloc(), gen -> {
                gen.writeStartObject();
                gen.writeStringField("type", "error");
                gen.writeObjectFieldStart("error");
                gen.writeStringField("code", ErrorCode.SLOW_CONSUMER.name());
                gen.writeStringField("message", "session fell behind (" + server.settings.subscriberQueue()
                        + " pushes queued); all its subscriptions were dropped");
                gen.writeEndObject();
                gen.writeEndObject();
            })));
            wrote = true;
        }
        int budget = DRAIN_BATCH;
        while (budget-- > 0 && channel.isWritable()) {
            Push p = ready.poll();
            if (p == null) {
                p = pushes.poll();
                if (p == null) {
                    break;
                }
                if (p.sub.held && !p.sub.subscription.isClosed()) {
                    p.sub.parked.add(p); // stays counted in `queued` until written
                    continue;
                }
            }
            queued.decrementAndGet();
            if (p.sub.subscription.isClosed()) {
                continue; // unsubscribed or cut off meanwhile
            }
            ByteBuf frame = pushFrame(p);
            if (frame != null) {
                channel.write(new TextWebSocketFrame(frame));
                wrote = true;
            }
        }
        if (wrote) {
            channel.flush();
        }
        if (channel.isWritable() && (!ready.isEmpty() || !pushes.isEmpty())) {
            scheduleDrain(); // budget spent: continue in a later task, after other channels had their turn
        }
    }

    /** Drops queued pushes of closed subscriptions (event loop). */
    private void purgeClosed() {
        int dropped = 0;
        for (var it = pushes.iterator(); it.hasNext(); ) {
            if (it.next().sub.subscription.isClosed()) {
                it.remove();
                dropped++;
            }
        }
        for (var it = ready.iterator(); it.hasNext(); ) {
            if (it.next().sub.subscription.isClosed()) {
                it.remove();
                dropped++;
            }
        }
        for (var it = states.values().iterator(); it.hasNext(); ) {
            SubState st = it.next();
            if (st.subscription.isClosed()) {
                dropped += st.parked.size();
                st.parked.clear();
                it.remove();
            }
        }
        queued.addAndGet(-dropped);
    }

    /** Lets a held subscription's pushes go out (event loop). */
    private void release(SubState state) {
        if (!state.held) {
            return;
        }
        state.held = false;
        ready.addAll(state.parked);
        state.parked.clear();
        if (!ready.isEmpty() || !pushes.isEmpty()) {
            scheduleDrain();
        }
    }

    private ByteBuf pushFrame(Push p) {
        try {
            return Json.write(channel.alloc(), gen -> {
                gen.writeStartObject();
                if (p.change != null) {
                    gen.writeStringField("type", "change");
                    gen.writeStringField("sub", p.sub.subscription.id());
                    writeChange(gen, p.change);
                } else {
                    gen.writeStringField("type", "event");
                    gen.writeStringField("sub", p.sub.subscription.id());
                    writeEvent(gen, p.event);
                }
                gen.writeEndObject();
            });
        } catch (RuntimeException e) {
            log.error("{}: cannot serialise a push for {}; skipping it", this, p.sub.subscription.id(), e);
            return null;
        }
    }

    private static void writeChange(JsonGenerator gen, KvChange c) throws IOException {
        gen.writeObjectFieldStart("change");
        gen.writeStringField("key", c.key());
        gen.writeFieldName("value");
        if (c.value() == null) {
            gen.writeNull();
        } else {
            Json.MAPPER.writeTree(gen, c.value());
        }
        gen.writeNumberField("revision", c.revision());
        gen.writeNumberField("timestamp", c.timestamp());
        gen.writeStringField("origin", c.origin());
        gen.writeStringField("writer", c.writer());
        gen.writeEndObject();
    }

    private static void writeEvent(JsonGenerator gen, TopicEvent e) throws IOException {
        gen.writeObjectFieldStart("event");
        gen.writeStringField("topic", e.topic());
        gen.writeFieldName("payload");
        if (e.payload() == null) {
            gen.writeNull();
        } else {
            Json.MAPPER.writeTree(gen, e.payload());
        }
        gen.writeNumberField("timestamp", e.timestamp());
        gen.writeStringField("publisher", e.publisher());
        gen.writeEndObject();
    }

    private static JsonNode orNull(JsonNode n) {
        return n == null ? NullNode.getInstance() : n;
    }

    // ---- per-request state ----

    private record Push(SubState sub, KvChange change, TopicEvent event) {}

    /** Delivery state of one subscription of this session. */
    private static final class SubState {
        final Subscription subscription;
        /** True until the response of the creating request is written. Cleared on the event loop only. */
        volatile boolean held = true;
        /** Pushes met while held, in order (event loop only). */
        final ArrayDeque<Push> parked = new ArrayDeque<>();

        SubState(Subscription subscription) {
            this.subscription = subscription;
        }
    }

    /** One request in flight: the subscriptions it created wait for its response. */
    private static final class Call {
        private List<SubState> created;
        private boolean responded;

        /** Holds {@code s} until the response; false if the response was already written. */
        synchronized boolean hold(SubState s) {
            if (responded) {
                return false;
            }
            if (created == null) {
                created = new ArrayList<>(2);
            }
            created.add(s);
            return true;
        }

        synchronized List<SubState> responded() {
            responded = true;
            List<SubState> out = created == null ? List.of() : created;
            created = null;
            return out;
        }
    }

    /** The session as one request's handler sees it: subscriptions it creates are tied to that request. */
    private final class CallSession implements Session {
        private final Call call;

        CallSession(Call call) {
            this.call = call;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Subscription subscribe(PathPattern pattern, boolean changes, boolean events) {
            return WebSocketSession.this.subscribe(pattern, changes, events, call);
        }

        @Override
        public boolean unsubscribe(String subscriptionId) {
            return WebSocketSession.this.unsubscribe(subscriptionId);
        }

        @Override
        public String toString() {
            return WebSocketSession.this.toString();
        }
    }
}
