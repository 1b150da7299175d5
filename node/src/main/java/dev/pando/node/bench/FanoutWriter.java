package dev.pando.node.bench;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fan-out writer: {@code kv.set} on an open-loop schedule (write n is due at its start plus
 * n / rate, whatever the answers do, so a slow node shows as latency, not as a lower rate), keys
 * {@code <prefix>/w<writer>/<n mod keyspace>}, values {@code {"sent": System.nanoTime()}} (plus
 * {@code "warmup": true} before the measured phase). All state is touched on its event loop.
 */
final class FanoutWriter extends SessionHandler {
    /** Writes unanswered at once; a write due while this many are out is skipped and counted as behind. */
    static final int MAX_IN_FLIGHT = 1 << 16;
    /** How often the schedule is checked; writes due in between go out together. */
    static final long TICK_MICROS = 500;

    private final ResponseScanner scanner = new ResponseScanner();
    private final String keyPrefix;
    private final int keyspace;
    private final double perSecond;
    private final LongAdder answers;
    private final long[] sentAt = new long[MAX_IN_FLIGHT];
    private final boolean[] warm = new boolean[MAX_IN_FLIGHT];
    private final boolean[] busy = new boolean[MAX_IN_FLIGHT];
    private final StringBuilder sb = new StringBuilder(128);
    /** Completes when the schedule is over and every write sent was answered (or the connection was lost). */
    final CompletableFuture<Void> finished = new CompletableFuture<>();
    final WriteStats stats = new WriteStats();
    private long start;
    private long warmupEnd;
    private long end;
    private long issued;
    private int inFlight;
    private boolean done;
    private ScheduledFuture<?> ticker;

    /**
     * @param keyPrefix {@code /bench/fanout/w0/}
     * @param answers   counts answers across writers, for the runner's stall check
     */
    FanoutWriter(String keyPrefix, int keyspace, double perSecond, LongAdder answers) {
        this.keyPrefix = keyPrefix;
        this.keyspace = keyspace;
        this.perSecond = perSecond;
        this.answers = answers;
    }

    /** Starts the schedule: writes from {@code start}, measured from {@code warmupEnd}, none from {@code end} (nanoTime). */
    void start(long start, long warmupEnd, long end) {
        ctx.executor().execute(() -> {
            this.start = start;
            this.warmupEnd = warmupEnd;
            this.end = end;
            ticker = ctx.executor().scheduleAtFixedRate(this::tick, 0, TICK_MICROS, TimeUnit.MICROSECONDS);
        });
    }

    private void tick() {
        long now = System.nanoTime();
        if (done || now - start < 0) {
            return;
        }
        boolean over = now - end >= 0;
        // Write n is due at start + n / rate; the last is the last one due before the end, even
        // when this tick came late.
        long due = over ? (long) Math.ceil((end - start) * perSecond / 1e9) : (long) ((now - start) * perSecond / 1e9) + 1;
        boolean wrote = false;
        while (issued < due) {
            wrote |= issue();
        }
        if (wrote) {
            ctx.flush();
        }
        if (over) {
            stopSchedule();
        }
    }

    private boolean issue() {
        long seq = issued++;
        int slot = (int) (seq % MAX_IN_FLIGHT);
        if (busy[slot]) {
            stats.behind++;
            return false;
        }
        long now = System.nanoTime();
        boolean warmup = now - warmupEnd < 0;
        sb.setLength(0);
        sb.append("{\"id\":").append(seq).append(",\"op\":\"kv.set\",\"args\":{\"key\":\"").append(keyPrefix)
                .append(seq % keyspace).append("\",\"value\":{\"sent\":").append(now);
        if (warmup) {
            sb.append(",\"warmup\":true");
        }
        sb.append("}}}");
        busy[slot] = true;
        warm[slot] = warmup;
        sentAt[slot] = now;
        inFlight++;
        stats.sent++;
        ctx.write(new TextWebSocketFrame(sb.toString()), ctx.voidPromise());
        return true;
    }

    @Override
    void frame(ByteBuf payload) {
        long now = System.nanoTime();
        if (!scanner.scan(payload) || scanner.push) {
            return; // not subscribed: nothing else is expected
        }
        int slot = scanner.id < 0 ? -1 : (int) (scanner.id % MAX_IN_FLIGHT);
        if (slot < 0 || !busy[slot]) {
            stats.error("UNMATCHED_ANSWER");
            return;
        }
        busy[slot] = false;
        inFlight--;
        answers.increment();
        if (!scanner.ok) {
            stats.error(scanner.code);
        } else if (warm[slot]) {
            stats.ackedWarmup++;
        } else {
            stats.acked++;
            stats.latency.record(now - sentAt[slot]);
        }
        if (done && inFlight == 0) {
            finished.complete(null);
        }
    }

    private void stopSchedule() {
        done = true;
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (inFlight == 0) {
            finished.complete(null);
        }
    }

    /** Gives up waiting for answers: what is still in flight counts as {@code UNANSWERED}. On the event loop. */
    void abandon() {
        if (inFlight > 0) {
            stats.error("UNANSWERED", inFlight);
            inFlight = 0;
            Arrays.fill(busy, false);
        }
        stopSchedule();
    }

    @Override
    void lost() {
        if (inFlight > 0) {
            stats.error("CONNECTION_LOST", inFlight);
            inFlight = 0;
        }
        stopSchedule();
    }
}
