package dev.pando.node.bench;

import dev.pando.api.PandoException;
import dev.pando.client.PandoConnectionException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import java.net.ConnectException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Opens many WebSocket sessions at a bounded rate, with at most {@link #MAX_PENDING} under way at
 * once, reporting progress about once a second. Stops at the first session that cannot be
 * established, naming the node limits that usually cause it.
 */
final class SessionRamp {
    /** Sessions connecting or subscribing at once: keeps the node's accept queue and worker queue short. */
    static final int MAX_PENDING = 256;
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long PACE_SLEEP_MS = 2;

    private SessionRamp() {}

    /**
     * Opens {@code count} sessions made by {@code make} (given their index) into {@code into}, at
     * most {@code perSecond} a second, and waits until each is established.
     *
     * @param what     what the sessions are, for progress lines ({@code subscribers})
     * @param progress receives a line about once a second and a last one when done
     * @throws PandoConnectionException if a session could not be opened (the ones opened stay in {@code into})
     * @throws PandoException           if the node refused what a session asked while being established
     */
    static <T extends SessionHandler> void open(Connector connector, EventLoopGroup group, int count, double perSecond,
            IntFunction<T> make, List<T> into, String what, Consumer<String> progress) throws InterruptedException {
        Semaphore pending = new Semaphore(MAX_PENDING);
        AtomicInteger established = new AtomicInteger();
        AtomicReference<Failure> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long lastReport = start;
        for (int i = 0; i < count; i++) {
            long due = start + (long) (i / perSecond * 1e9);
            while (System.nanoTime() < due && failure.get() == null) {
                Thread.sleep(PACE_SLEEP_MS);
            }
            if (!pending.tryAcquire(Connector.CONNECT_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS)) {
                throw new PandoConnectionException(what + ": " + MAX_PENDING + " sessions not established after "
                        + (Connector.CONNECT_TIMEOUT_MS + 5_000) / 1000 + " s (" + established.get() + " of " + count + " are)");
            }
            failIfFailed(failure.get(), connector, count, what);
            T session = make.apply(i);
            int index = i;
            session.established.whenComplete((ok, error) -> {
                if (error == null) {
                    established.incrementAndGet();
                } else {
                    failure.compareAndSet(null, new Failure(index, error));
                }
                pending.release(); // last: a released permit means the outcome above is visible
            });
            ChannelFuture f = connector.open(group, true, session);
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    session.established.completeExceptionally(done.cause());
                }
            });
            into.add(session);
            long now = System.nanoTime();
            if (now - lastReport >= PROGRESS_NANOS) {
                lastReport = now;
                progress.accept(line(what, i + 1, established.get(), count, now - start));
            }
        }
        // Every permit back means every session answered, one way or the other.
        while (!pending.tryAcquire(MAX_PENDING, 200, TimeUnit.MILLISECONDS)) {
            failIfFailed(failure.get(), connector, count, what);
            long now = System.nanoTime();
            if (now - lastReport >= PROGRESS_NANOS) {
                lastReport = now;
                progress.accept(line(what, count, established.get(), count, now - start));
            }
            if (now - start > TimeUnit.MILLISECONDS.toNanos(Connector.CONNECT_TIMEOUT_MS + 5_000) + (long) (count / perSecond * 1e9)) {
                throw new PandoConnectionException(what + ": only " + established.get() + " of " + count + " sessions established after "
                        + TimeUnit.NANOSECONDS.toSeconds(now - start) + " s");
            }
        }
        failIfFailed(failure.get(), connector, count, what);
        progress.accept(line(what, count, established.get(), count, System.nanoTime() - start));
    }

    private record Failure(int index, Throwable cause) {}

    private static String line(String what, int opened, int established, int count, long elapsedNanos) {
        return String.format(Locale.ROOT, "%s: %d of %d opened, %d established (%.1f s)", what, opened, count, established,
                elapsedNanos / 1e9);
    }

    private static void failIfFailed(Failure f, Connector connector, int count, String what) {
        if (f == null) {
            return;
        }
        Throwable cause = f.cause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : f.cause();
        if (cause instanceof PandoException p && !(p instanceof PandoConnectionException)) {
            throw p;
        }
        if (f.index() == 0 && cause instanceof ConnectException) {
            throw PandoConnectionException.unreachable(connector.base(), cause);
        }
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() + " (the node closed the connection)" : cause.getMessage();
        throw new PandoConnectionException(what + ": session " + (f.index() + 1) + " of " + count + " could not be opened: " + why
                + ". A node accepts limits.max-connections connections (default 1024), at most limits.max-connections-per-address"
                + " (default 64) from one address: start it with --set limits.max-connections=" + Math.max(2048, count + 1024)
                + " --set limits.max-connections-per-address=0", cause);
    }
}
