package dev.pando.node.events;

import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process subscriber (a plugin's listener, the journal, the rules engine): the bus offers
 * into a bounded queue and a thread of its own hands deliveries to {@code consumer} in order.
 * A consumer that is slow fills the queue and is cut off ({@code onOverflow} runs once); one
 * that throws is logged and counted and keeps receiving. Neither ever blocks a writer.
 */
public final class QueuedSubscriber implements Subscriber, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueuedSubscriber.class);

    /** What the consumer receives: a change or an event, with the subscription it matched. */
    public record Delivery(Subscription subscription, KvChange change, TopicEvent event) {
        public boolean isChange() {
            return change != null;
        }
    }

    private static final Delivery STOP = new Delivery(null, null, null);

    private final String name;
    private final BlockingQueue<Delivery> queue;
    private final Consumer<Delivery> consumer;
    private final Runnable onOverflow;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param name       for the thread name and logs
     * @param capacity   deliveries queued before the subscriber counts as fallen behind
     * @param consumer   runs on this subscriber's thread, one delivery at a time
     * @param onOverflow runs once (on the offering thread) when the bus cuts this subscriber off
     */
    public QueuedSubscriber(String name, int capacity, Consumer<Delivery> consumer, Runnable onOverflow) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.name = name;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.consumer = consumer;
        this.onOverflow = onOverflow;
        this.thread = new Thread(this::run, "pando-listener-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public boolean offerChange(Subscription subscription, Fanout<KvChange> change) {
        return closed.get() || queue.offer(new Delivery(subscription, change.item(), null));
    }

    @Override
    public boolean offerEvent(Subscription subscription, Fanout<TopicEvent> event) {
        return closed.get() || queue.offer(new Delivery(subscription, null, event.item()));
    }

    @Override
    public void overflowed() {
        log.warn("listener {} fell behind ({} queued) and was unsubscribed", name, queue.size());
        onOverflow.run();
    }

    public long delivered() {
        return delivered.get();
    }

    /** Deliveries whose consumer threw. */
    public long failures() {
        return failures.get();
    }

    private void run() {
        while (true) {
            Delivery d;
            try {
                d = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (d == STOP) {
                return;
            }
            try {
                consumer.accept(d);
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                log.error("listener {} failed on {}", name, d.isChange() ? d.change().key() : d.event().topic(), e);
            }
            delivered.incrementAndGet();
        }
    }

    /**
     * Stops taking deliveries and drops the queued ones without waiting: for the consumer itself
     * to call (from its own thread) when it gives up, so a backlog is discarded, not drained.
     */
    public void abandon() {
        if (closed.compareAndSet(false, true)) {
            int dropped = queue.size();
            queue.clear();
            queue.offer(STOP);
            log.warn("listener {} stopped; {} queued deliveries dropped", name, dropped);
        }
    }

    /** Stops the thread after the delivery in progress; queued deliveries are dropped. Waits up to {@code timeoutMs}. */
    public boolean close(long timeoutMs) throws InterruptedException {
        if (closed.compareAndSet(false, true)) {
            queue.clear();
            queue.offer(STOP);
        }
        thread.join(TimeUnit.MILLISECONDS.toMillis(timeoutMs));
        return !thread.isAlive();
    }

    @Override
    public void close() {
        try {
            if (!close(5_000)) {
                thread.interrupt(); // a consumer stuck for this long is not coming back by itself
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
