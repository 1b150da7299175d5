package dev.pando.node.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.node.config.ConfigKey;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.HandlerTable;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.dispatch.RateLimiter;
import dev.pando.node.events.EventBus;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StoreRecovery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The node's own ops, registered through the same handler table as plugin ops: {@code kv.*},
 * {@code pubsub.*}, {@code node.info|health} and {@code admin.ops|config}.
 */
public final class CoreOps {
    /** Owner name of core entries in the handler table. */
    public static final String OWNER = "core";

    private final String nodeId;
    private final String version;
    private final long startedAt = System.currentTimeMillis();
    private final StateStore store;
    private final HandlerRegistry registry;
    private final NodeConfig config;
    private final KvOps kv;
    private final PubSubOps pubsub;

    /** @param workers where ops that may block on disk run (see {@link KvOps}) */
    public CoreOps(String nodeId, String version, StateStore store, EventBus bus, HandlerRegistry registry, NodeConfig config,
                   Executor workers) {
        this.nodeId = nodeId;
        this.version = version;
        this.store = store;
        this.registry = registry;
        this.config = config;
        this.kv = new KvOps(store, workers);
        this.pubsub = new PubSubOps(store, bus, config.get(NodeConfig.MAX_VALUE_BYTES),
                new RateLimiter("publish rate limit", config.get(NodeConfig.PUBLISH_RATE_PER_SECOND), config.get(NodeConfig.PUBLISH_BURST)));
    }

    public List<OpSpec> specs() {
        List<OpSpec> all = new ArrayList<>(kv.specs());
        all.addAll(pubsub.specs());
        all.add(OpSpec.inline("node.health", Access.NONE, OWNER, (ctx, args) -> done(health(nodeId))));
        all.add(OpSpec.inline("node.info", Access.READ, OWNER, this::info));
        all.add(OpSpec.inline("admin.ops", Access.ADMIN, OWNER, this::ops));
        all.add(OpSpec.inline("admin.config", Access.ADMIN, OWNER, this::config));
        return all;
    }

    /** The node id lets a caller tell the node it started from another process on the same port. */
    private static JsonNode health(String nodeId) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("status", "ok");
        n.put("nodeId", nodeId);
        return n;
    }

    private CompletionStage<JsonNode> info(CallContext ctx, JsonNode args) {
        HandlerTable table = registry.current();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("nodeId", nodeId);
        n.put("version", version);
        n.put("revision", store.lastRevision());
        n.put("uptimeMs", System.currentTimeMillis() - startedAt);
        n.put("generation", table.generation());
        n.put("store", config.get(NodeConfig.STORE));
        StoreRecovery recovery = store.recovery();
        ObjectNode r = n.putObject("storeRecovery");
        r.put("kind", recovery.kind().name());
        r.put("rolledBack", recovery.rolledBack());
        r.put("recoveredRevision", recovery.recoveredRevision());
        r.put("resumedRevision", recovery.resumedRevision());
        ArrayNode ops = n.putArray("ops");
        table.ops().stream().map(OpSpec::op).sorted().forEach(ops::add);
        return done(n);
    }

    private CompletionStage<JsonNode> ops(CallContext ctx, JsonNode args) {
        HandlerTable table = registry.current();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("generation", table.generation());
        ArrayNode list = n.putArray("ops");
        table.ops().stream().sorted(Comparator.comparing(OpSpec::op)).forEach(s -> {
            ObjectNode o = list.addObject();
            o.put("op", s.op());
            o.put("owner", s.owner());
            o.put("requires", s.requires().wireName());
            o.put("execution", s.execution().name().toLowerCase());
        });
        return done(n);
    }

    private CompletionStage<JsonNode> config(CallContext ctx, JsonNode args) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        for (ConfigKey<?> key : NodeConfig.keys()) {
            ObjectNode o = n.putObject(key.name());
            o.put("value", String.valueOf(config.get(key)));
            o.put("source", config.source(key));
        }
        return done(n);
    }

    private static CompletionStage<JsonNode> done(JsonNode n) {
        return CompletableFuture.completedFuture(n);
    }
}
