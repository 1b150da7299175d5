package dev.pando.node.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.json.WireJson;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.OpArgs;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.dispatch.RateLimiter;
import dev.pando.node.dispatch.Session;
import dev.pando.node.events.EventBus;
import dev.pando.node.events.Subscription;
import dev.pando.node.kv.ScanQuery;
import dev.pando.node.kv.StateStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code pubsub.publish|subscribe|unsubscribe}. Subscriptions belong to the caller's WebSocket
 * session; over HTTP there is nowhere to push to, so subscribing is refused.
 */
public final class PubSubOps {
    private static final String[] PUBLISH = {"topic", "payload"};
    private static final String[] SUBSCRIBE = {"pattern", "changes", "events", "snapshot"};
    private static final String[] UNSUBSCRIBE = {"sub"};

    private final StateStore store;
    private final RateLimiter publishes;
    private final EventBus bus;
    private final int maxPayloadBytes;

    /**
     * @param publishes per-caller publish budget ({@code limits.publish-rate-per-second}), on top
     *                  of the request rate: one publish can fan out to every subscriber
     */
    public PubSubOps(StateStore store, EventBus bus, int maxPayloadBytes, RateLimiter publishes) {
        this.publishes = publishes;
        this.store = store;
        this.bus = bus;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public List<OpSpec> specs() {
        return List.of(
                OpSpec.inline("pubsub.publish", Access.PUBLISH, CoreOps.OWNER, this::publish),
                // Changes need read, events subscribe: the handler checks the kinds asked for.
                OpSpec.worker("pubsub.subscribe", Access.NONE, CoreOps.OWNER, this::subscribe),
                OpSpec.inline("pubsub.unsubscribe", Access.NONE, CoreOps.OWNER, this::unsubscribe));
    }

    private CompletionStage<JsonNode> publish(CallContext ctx, JsonNode json) {
        OpArgs args = OpArgs.of("pubsub.publish", json, PUBLISH);
        String topic = Keys.requireValid(args.string("topic"));
        JsonNode payload = args.anyValue("payload");
        int size = payload.toString().length();
        if (size > maxPayloadBytes) { // chars ≤ bytes; exact enough to bound memory
            throw new PandoException(ErrorCode.TOO_LARGE, "payload of " + size + " bytes exceeds the limit of " + maxPayloadBytes);
        }
        ctx.principal().require(Access.PUBLISH, topic);
        publishes.acquire(ctx.principal().clientKey());
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put("delivered", bus.publish(topic, payload, ctx.principal().name()));
        return CompletableFuture.completedFuture(result);
    }

    private CompletionStage<JsonNode> subscribe(CallContext ctx, JsonNode json) {
        OpArgs args = OpArgs.of("pubsub.subscribe", json, SUBSCRIBE);
        PathPattern pattern = PathPattern.compile(args.string("pattern"));
        boolean changes = args.bool("changes", true);
        boolean events = args.bool("events", true);
        boolean snapshot = args.bool("snapshot", false);
        if (!changes && !events) {
            throw PandoException.badRequest("pubsub.subscribe: 'changes' and 'events' are both false; nothing to deliver");
        }
        requireAny(ctx, changes, events);
        Session session = session(ctx, "pubsub.subscribe");
        // Subscribe before reading the snapshot, so no change can fall between the two: a change
        // committed meanwhile arrives as a push with a revision above the snapshot entry's.
        Subscription sub = session.subscribe(pattern, changes, events);
        try {
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            result.put("sub", sub.id());
            result.put("revision", store.lastRevision());
            if (snapshot) {
                addSnapshot(result, ctx, pattern);
            }
            return CompletableFuture.completedFuture(result);
        } catch (RuntimeException e) {
            sub.close(); // the client never learns this id, so nothing may be pushed for it
            throw e;
        }
    }

    private void addSnapshot(ObjectNode result, CallContext ctx, PathPattern pattern) {
        KvPage page = store.scan(new ScanQuery(pattern, ScanQuery.MAX_LIMIT, Optional.empty()));
        ArrayNode entries = result.putArray("snapshot");
        for (KvEntry e : page.entries()) {
            if (ctx.principal().allows(Access.READ, e.key())) {
                entries.add(WireJson.entry(e));
            }
        }
        if (page.next().isPresent()) {
            result.put("snapshotCursor", page.next().get()); // continue with kv.scan {pattern, cursor}
        }
    }

    private CompletionStage<JsonNode> unsubscribe(CallContext ctx, JsonNode json) {
        String id = OpArgs.of("pubsub.unsubscribe", json, UNSUBSCRIBE).string("sub");
        if (!session(ctx, "pubsub.unsubscribe").unsubscribe(id)) {
            throw new PandoException(ErrorCode.NOT_FOUND, "no subscription '" + id + "' on this session");
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put("sub", id);
        return CompletableFuture.completedFuture(result);
    }

    /** Refuses a subscriber who could never be pushed anything it asked for: it holds neither action anywhere. */
    private static void requireAny(CallContext ctx, boolean changes, boolean events) {
        if ((changes && ctx.principal().mayCall(Access.READ)) || (events && ctx.principal().mayCall(Access.SUBSCRIBE))) {
            return;
        }
        String needs = changes && events ? "read or subscribe" : changes ? "read" : "subscribe";
        throw ctx.principal().cannotCall("pubsub.subscribe", needs + " access");
    }

    private static Session session(CallContext ctx, String op) {
        return ctx.sessionIfAny().orElseThrow(() ->
                PandoException.badRequest(op + " needs a WebSocket session (connect to /v1/ws)"));
    }
}
