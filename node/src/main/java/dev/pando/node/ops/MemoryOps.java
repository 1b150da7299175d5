package dev.pando.node.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.OpArgs;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.OpSpec;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * {@code admin.memory}: the node's own heap after a full collection, with the open sessions and
 * subscriptions it holds, so a load generator can measure heap per session ({@code pando bench
 * memory}) without attaching to the process.
 */
public final class MemoryOps {
    /** Most collections one call runs while waiting for the used heap to settle. */
    static final int MAX_GC_ROUNDS = 8;
    /** Pause after each {@code System.gc()}, so reference processing and concurrent work finish. */
    static final long SETTLE_MS = 100;
    /** Two consecutive readings closer than this count as settled. */
    static final long STABLE_BYTES = 512 * 1024;

    private static final String[] ARGS = {"gc"};

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final LongSupplier sessions;
    private final LongSupplier connections;
    private final LongSupplier subscriptions;

    /**
     * @param sessions      open WebSocket sessions
     * @param connections   open client connections (HTTP and WebSocket)
     * @param subscriptions live event-bus subscriptions (sessions' and in-process listeners')
     */
    public MemoryOps(LongSupplier sessions, LongSupplier connections, LongSupplier subscriptions) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.subscriptions = Objects.requireNonNull(subscriptions, "subscriptions");
    }

    public List<OpSpec> specs() {
        // A worker: a full collection pauses for up to a second, never on an event loop.
        return List.of(OpSpec.worker("admin.memory", Access.ADMIN, CoreOps.OWNER, this::memory));
    }

    private CompletionStage<JsonNode> memory(CallContext ctx, JsonNode json) {
        boolean gc = OpArgs.of("admin.memory", json, ARGS).bool("gc", true);
        long start = System.nanoTime();
        Settled settled = gc ? collect() : new Settled(memory.getHeapMemoryUsage().getUsed(), 0, false);
        MemoryUsage heap = memory.getHeapMemoryUsage();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("heapUsed", settled.used());
        n.put("heapCommitted", heap.getCommitted());
        n.put("heapMax", heap.getMax());
        n.put("gcRounds", settled.rounds());
        n.put("stable", settled.stable());
        n.put("gcMillis", (System.nanoTime() - start) / 1_000_000);
        n.put("sessions", sessions.getAsLong());
        n.put("connections", connections.getAsLong());
        n.put("subscriptions", subscriptions.getAsLong());
        return CompletableFuture.completedFuture(n);
    }

    private record Settled(long used, int rounds, boolean stable) {}

    /**
     * Collects until two readings in a row differ by less than {@link #STABLE_BYTES}, at most
     * {@link #MAX_GC_ROUNDS} times; one caller at a time, so concurrent calls do not stack pauses.
     */
    private synchronized Settled collect() {
        long previous = -1;
        for (int round = 1; round <= MAX_GC_ROUNDS; round++) {
            System.gc();
            try {
                Thread.sleep(SETTLE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PandoException(ErrorCode.UNAVAILABLE, "admin.memory: interrupted while collecting (node shutting down)");
            }
            long used = memory.getHeapMemoryUsage().getUsed();
            if (previous >= 0 && Math.abs(used - previous) < STABLE_BYTES) {
                return new Settled(used, round, true);
            }
            previous = used;
        }
        return new Settled(previous, MAX_GC_ROUNDS, false);
    }
}
