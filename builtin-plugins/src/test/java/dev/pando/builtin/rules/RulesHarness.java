package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.builtin.Builtin;
import dev.pando.host.HostContext;
import dev.pando.host.HostServices;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.TestHost;
import java.util.List;
import java.util.Optional;

/**
 * The rules plugin in the real {@link HostContext} over {@link MemoryHostServices}, with a
 * hand-driven clock and scheduler. {@link #pump()} plays the node's part: it hands the plugin
 * every committed change and published event its manifest listens to, including the rules' own
 * output, until nothing new is left.
 */
final class RulesHarness {
    static final String MANIFEST_RESOURCE = "dev/pando/builtin/rules/manifest.json";
    static final PluginManifest MANIFEST = ManifestParser.parse(
            new Builtin("rules", MANIFEST_RESOURCE, RulesPlugin::new).manifestBytes());
    static final long START = 1_767_322_800_000L;
    /** Bounds pump(): a rule loop the engine failed to stop shows up as a failure, not a hang. */
    static final int MAX_DELIVERIES = 10_000;

    final MemoryHostServices services;
    final ManualClock clock;
    final JsonNode config;
    ManualScheduler scheduler;
    RulesPlugin plugin;
    private long deliveredRevision;
    private int deliveredEvents;
    int deliveries;

    RulesHarness() {
        this(null);
    }

    RulesHarness(JsonNode config) {
        this(new ManualClock(START), config);
    }

    private RulesHarness(ManualClock clock, JsonNode config) {
        this(new MemoryHostServices(clock), clock, config);
    }

    private RulesHarness(MemoryHostServices services, ManualClock clock, JsonNode config) {
        this.services = services;
        this.clock = clock;
        this.config = config;
        services.principal(TestHost.ADMIN);
        start();
    }

    private void start() {
        scheduler = new ManualScheduler(clock);
        ManualScheduler s = scheduler;
        plugin = new RulesPlugin(() -> s);
        try {
            plugin.start(new HostContext(MANIFEST, services, config, clock));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        // A new instance hears only what happens from now on, like a freshly subscribed listener.
        deliveredRevision = services.feed("harness").lastRevision();
        deliveredEvents = services.published().size();
    }

    /** Stops this instance and starts a new one over the same store, as a node restart would. */
    RulesHarness restart() {
        plugin.stop();
        return new RulesHarness(services, clock, config);
    }

    JsonNode call(String verb, String argsJson, Caller caller) {
        try {
            return plugin.call(new OpCall("rules." + verb, TestHost.json(argsJson), caller));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    JsonNode put(String ruleJson) {
        return put(ruleJson, TestHost.ADMIN);
    }

    JsonNode put(String ruleJson, Caller author) {
        return call("put", "{\"rule\":" + ruleJson + "}", author);
    }

    JsonNode stats(String id) {
        return call("get", "{\"id\":\"" + id + "\"}", TestHost.ADMIN).get("stats");
    }

    /** A write by {@code writer} (not a rule), then delivery of everything that follows. */
    void write(String key, String valueJson, String writer) {
        services.set(key, TestHost.json(valueJson), HostServices.NO_CAS, writer);
        pump();
    }

    void write(String key, String valueJson) {
        write(key, valueJson, "user");
    }

    void delete(String key) {
        services.delete(key, "user");
        pump();
    }

    /** An event published by someone else, delivered as the node would. */
    void event(String topic, String payloadJson) {
        deliverEvent(new TopicEvent(topic, TestHost.json(payloadJson), clock.millis(), "user"));
        pump();
    }

    void advance(long ms) {
        scheduler.advance(ms);
        pump();
    }

    void pump() {
        boolean more = true;
        while (more) {
            more = false;
            for (KvChange c : services.feed("harness").read(deliveredRevision, 1000)) {
                deliveredRevision = c.revision();
                more = true;
                if (MANIFEST.listenChanges().stream().anyMatch(p -> PathPattern.compile(p).matches(c.key()))) {
                    count();
                    plugin.onChange(c);
                }
            }
            List<MemoryHostServices.Published> published = services.published();
            while (deliveredEvents < published.size()) {
                MemoryHostServices.Published p = published.get(deliveredEvents++);
                more = true;
                deliverEvent(new TopicEvent(p.topic(), p.payload(), clock.millis(), p.publisher()));
            }
        }
    }

    private void deliverEvent(TopicEvent e) {
        if (MANIFEST.listenEvents().stream().anyMatch(p -> PathPattern.compile(p).matches(e.topic()))) {
            count();
            plugin.onEvent(e);
        }
    }

    private void count() {
        if (++deliveries > MAX_DELIVERIES) {
            throw new AssertionError("more than " + MAX_DELIVERIES + " deliveries: a rule loop was not stopped");
        }
    }

    Optional<KvEntry> entry(String key) {
        return services.get(key);
    }

    JsonNode value(String key) {
        return services.get(key).map(KvEntry::value).orElse(null);
    }

    /** Committed writes to {@code key} so far (the feed). */
    List<KvChange> writesTo(String key) {
        return services.feed("count").read(0, 100_000).stream().filter(c -> c.key().equals(key)).toList();
    }

    List<MemoryHostServices.Published> published() {
        return services.published();
    }
}
