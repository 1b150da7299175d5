package dev.pando.node.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * One bench connection: keeps {@code depth} requests outstanding, sending the next as each
 * answer arrives, and times each from write to answer. All state is touched on the channel's
 * event loop only. Subclasses speak a transport.
 */
abstract class LoadConnection extends ChannelInboundHandlerAdapter {
    final RequestEncoder encoder;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    ChannelHandlerContext ctx;

    private final OpMix mix;
    private final int keyspace;
    private final int depth;
    private final long[] sentAt;
    private final boolean[] busy;
    private final boolean[] isGet;
    private final SplittableRandom random = new SplittableRandom();
    private Phase phase;
    private PhaseStats stats;
    private int inFlight;
    private boolean dead;
    private boolean unflushed;

    LoadConnection(BenchConfig config) {
        this.mix = config.mix();
        this.keyspace = config.keyspace();
        this.depth = config.effectivePipeline();
        this.encoder = new RequestEncoder(config.keyspace(), config.valueSize());
        this.sentAt = new long[depth];
        this.busy = new boolean[depth];
        this.isGet = new boolean[depth];
    }

    /** Writes one request; {@code slot} must come back as the answer's id (WS) or is implied (HTTP). */
    abstract void write(int slot, boolean set, int key);

    /** Handles one inbound message (released by the caller). */
    abstract void handle(Object msg);

    /** Starts sending for {@code phase}, recording into {@code stats}. */
    void begin(Phase phase, PhaseStats stats) {
        ctx.executor().execute(() -> {
            this.phase = phase;
            this.stats = stats;
            if (dead) {
                phase.connectionDrained();
                return;
            }
            for (int slot = 0; slot < depth && issue(slot); slot++) {
                // fill the pipeline, flush once below
            }
            ctx.flush();
            if (inFlight == 0) {
                phase.connectionDrained();
            }
        });
    }

    /** Drops the connection (stall watchdog); in-flight requests count as lost. */
    void abort() {
        if (ctx != null) {
            ctx.close();
        }
    }

    /** An answer for {@code slot} arrived. */
    final void answered(int slot, boolean ok, String code) {
        if (slot < 0 || slot >= depth || !busy[slot] || stats == null) {
            if (stats != null) {
                stats.error("UNMATCHED_ANSWER", 1);
            }
            return;
        }
        long latency = System.nanoTime() - sentAt[slot];
        busy[slot] = false;
        inFlight--;
        stats.answered++;
        if (phase.record) {
            stats.latency.record(latency);
        }
        if (!ok) {
            if (isGet[slot] && "NOT_FOUND".equals(code)) {
                stats.misses++;
            } else {
                stats.error(code, 1);
            }
        }
        phase.answered.increment();
        // Answers come in batches per socket read: write the follow-ups now, flush once at
        // channelReadComplete, so pipelining costs one syscall per batch, not per request.
        if (issue(slot)) {
            unflushed = true;
        } else if (inFlight == 0) {
            phase.connectionDrained();
        }
    }

    private boolean issue(int slot) {
        if (!phase.tryAcquire()) {
            return false;
        }
        boolean set = mix.isSet(random.nextInt(100));
        int key = random.nextInt(keyspace);
        isGet[slot] = !set;
        busy[slot] = true;
        inFlight++;
        sentAt[slot] = System.nanoTime();
        write(slot, set, key);
        return true;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            handle(msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ready.completeExceptionally(new ClosedChannelException());
        if (!dead) {
            dead = true;
            if (phase != null && inFlight > 0) {
                stats.error("CONNECTION_LOST", inFlight);
                inFlight = 0;
                phase.connectionDrained();
            }
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ready.completeExceptionally(cause);
        ctx.close();
    }
}
