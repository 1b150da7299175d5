package dev.pando.node.plugins;

import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.host.HostedPlugin;
import dev.pando.node.events.Event;
import dev.pando.node.events.EventBus;
import dev.pando.node.events.QueuedSubscriber;
import dev.pando.node.events.Subscription;
import dev.pando.node.kv.Change;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Feeds a plugin the changes and events its manifest listens to, through a bounded queue and a
 * thread of its own: a slow or failing plugin never blocks a writer. If it falls a whole queue
 * behind it is cut off and marked {@link #overflowed()} until the next reload.
 */
final class PluginListener implements AutoCloseable {
    private final QueuedSubscriber queue;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    // Overlapping patterns subscribe twice; the listener thread drops the second copy.
    private long lastRevision;
    private Event lastEvent;

    private PluginListener(HostedPlugin plugin, int capacity) {
        this.queue = new QueuedSubscriber("plugin-" + plugin.id(), capacity, d -> {
            if (d.isChange()) {
                Change c = d.change();
                // A root ('/') reader's patterns also match /_sys and other plugins' keys, which it may not see.
                if (c.revision() > lastRevision && plugin.manifest().mayRead(c.key())) {
                    lastRevision = c.revision();
                    plugin.deliver(new KvChange(c.key(), c.value(), c.revision(), c.timestamp(), c.origin(), c.writer()));
                }
            } else if (d.event() != lastEvent) {
                Event e = d.event();
                lastEvent = e;
                plugin.deliver(new TopicEvent(e.topic(), e.payload(), e.publisher(), e.timestamp()));
            }
        }, () -> overflowed.set(true));
    }

    /** Subscribes {@code plugin} to its manifest's patterns; null if it listens to nothing. */
    static PluginListener start(HostedPlugin plugin, EventBus bus, int capacity) {
        var m = plugin.manifest();
        if (m.listenChanges().isEmpty() && m.listenEvents().isEmpty()) {
            return null;
        }
        PluginListener l = new PluginListener(plugin, capacity);
        for (String p : m.listenChanges()) {
            l.subscriptions.add(bus.subscribe(PathPattern.compile(p), true, false, l.queue));
        }
        for (String p : m.listenEvents()) {
            l.subscriptions.add(bus.subscribe(PathPattern.compile(p), false, true, l.queue));
        }
        return l;
    }

    boolean overflowed() {
        return overflowed.get();
    }

    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
        queue.close();
    }
}
