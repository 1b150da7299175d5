package dev.pando.builtin.rules;

import java.util.PriorityQueue;

/** A {@link Scheduler} that runs nothing until the test advances time; it moves the clock as it goes. */
final class ManualScheduler implements Scheduler {
    private final ManualClock clock;
    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) ->
            a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long seq;
    private boolean closed;

    private static final class Entry implements Task {
        final Runnable task;
        final long period;
        long due;
        long seq;
        volatile boolean cancelled;

        Entry(Runnable task, long due, long period) {
            this.task = task;
            this.due = due;
            this.period = period;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Task once(Runnable task, long delayMs) {
        return add(new Entry(task, clock.millis() + delayMs, 0));
    }

    @Override
    public synchronized Task every(Runnable task, long periodMs) {
        return add(new Entry(task, clock.millis() + periodMs, periodMs));
    }

    private Entry add(Entry e) {
        if (closed) {
            e.cancelled = true;
            return e;
        }
        e.seq = seq++;
        queue.add(e);
        return e;
    }

    /** Moves time forward by {@code ms}, running every task that falls due, in order. */
    void advance(long ms) {
        long target = clock.millis() + ms;
        while (true) {
            Entry next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.due > target) {
                    break;
                }
                queue.poll();
            }
            if (next.cancelled) {
                continue;
            }
            clock.set(next.due);
            next.task.run();
            if (next.period > 0 && !next.cancelled) {
                synchronized (this) {
                    next.due += next.period;
                    add(next);
                }
            }
        }
        clock.set(target);
    }

    synchronized int pending() {
        return (int) queue.stream().filter(e -> !e.cancelled).count();
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
        queue.clear();
    }
}
