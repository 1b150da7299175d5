package dev.pando.node.plugins;

import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.host.HostedPlugin;
import dev.pando.node.events.EventBus;
import dev.pando.node.events.QueuedSubscriber;
import dev.pando.node.events.Subscription;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Feeds a plugin the changes and events its manifest listens to, through a bounded queue and a
 * thread of its own: a slow or failing plugin never blocks a writer. If it falls a whole queue
 * behind it is cut off and marked {@link #overflowed()} until the next reload. If it runs into
 * its call time limit {@link #MAX_CONSECUTIVE_TIMEOUTS} times in a row it is stopped for good
 * ({@link #stopped()}, until the plugin is replaced) and its backlog dropped: a looping listener
 * would otherwise burn a core draining the queue at one full timeout per delivery.
 *
 * <p>Changes the plugin wrote and events it published itself are not delivered back to it
 * unless its manifest says {@code listens.includeOwn}, so a listener that writes where it
 * listens does not feed itself.
 */
final class PluginListener implements AutoCloseable {
    /** Deliveries in a row that may hit the call time limit before the listener is stopped. */
    static final int MAX_CONSECUTIVE_TIMEOUTS = 3;

    private final QueuedSubscriber queue;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private volatile String stopped;
    private int timeoutsInARow;
    // Overlapping patterns subscribe twice; the listener thread drops the second copy.
    private long lastRevision;
    private TopicEvent lastEvent;

    private PluginListener(HostedPlugin plugin, int capacity) {
        var m = plugin.manifest();
        this.queue = new QueuedSubscriber("plugin-" + plugin.id(), capacity, d -> {
            if (d.isChange()) {
                KvChange c = d.change();
                // A root ('/') reader's patterns also match /_sys and other plugins' keys, which it may not see.
                if (c.revision() > lastRevision && m.mayRead(c.key()) && (m.listenOwn() || !m.isOwnWriter(c.writer()))) {
                    lastRevision = c.revision();
                    count(plugin.deliver(c));
                }
            } else if (d.event() != lastEvent) {
                TopicEvent e = d.event();
                lastEvent = e;
                if (m.listenOwn() || !m.isOwnWriter(e.publisher())) {
                    count(plugin.deliver(e));
                }
            }
        }, () -> overflowed.set(true));
    }

    /** Runs on the listener thread. */
    private void count(HostedPlugin.Delivered outcome) {
        if (outcome != HostedPlugin.Delivered.TIMED_OUT) {
            timeoutsInARow = 0;
            return;
        }
        if (++timeoutsInARow >= MAX_CONSECUTIVE_TIMEOUTS && stopped == null) {
            stopped = "timed out " + timeoutsInARow + " times in a row; replace the plugin to restart its listener";
            subscriptions.forEach(Subscription::close);
            queue.abandon();
        }
    }

    /** Subscribes {@code plugin} to its manifest's patterns; empty if it listens to nothing. */
    static Optional<PluginListener> start(HostedPlugin plugin, EventBus bus, int capacity) {
        var m = plugin.manifest();
        if (m.listenChanges().isEmpty() && m.listenEvents().isEmpty()) {
            return Optional.empty();
        }
        PluginListener l = new PluginListener(plugin, capacity);
        for (String p : m.listenChanges()) {
            l.subscriptions.add(bus.subscribe(PathPattern.compile(p), true, false, l.queue));
        }
        for (String p : m.listenEvents()) {
            l.subscriptions.add(bus.subscribe(PathPattern.compile(p), false, true, l.queue));
        }
        return Optional.of(l);
    }

    boolean overflowed() {
        return overflowed.get();
    }

    /** Why the listener was stopped for good, if it was. */
    Optional<String> stopped() {
        return Optional.ofNullable(stopped);
    }

    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
        queue.close();
    }
}
