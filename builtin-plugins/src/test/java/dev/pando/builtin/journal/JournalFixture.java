package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.OpCall;
import dev.pando.host.HostContext;
import dev.pando.host.HostServices;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.TestHost;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A journal over the real host context and an in-memory node, with a clock tests can move. */
final class JournalFixture {
    static final PluginManifest MANIFEST = manifest();

    /** A settable clock shared by the node (change timestamps) and the plugin. */
    static final class MutableClock extends Clock {
        private volatile long millis = TestHost.CLOCK.millis();

        void advance(long ms) {
            millis += ms;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public long millis() {
            return millis;
        }
    }

    final MutableClock clock = new MutableClock();
    final MemoryHostServices services = new MemoryHostServices(clock);
    private final List<JournalPlugin> started = new ArrayList<>();

    private static PluginManifest manifest() {
        try (InputStream in = JournalPlugin.class.getClassLoader().getResourceAsStream("dev/pando/builtin/journal/manifest.json")) {
            return ManifestParser.parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HostContext context(String configJson) {
        return new HostContext(MANIFEST, services, configJson == null ? null : TestHost.json(configJson), clock);
    }

    /** A started journal without its background thread: the test drives catch-up. */
    JournalPlugin journal() {
        return journal(null, false);
    }

    JournalPlugin journal(String configJson, boolean background) {
        JournalPlugin p = new JournalPlugin(background);
        p.start(context(configJson));
        started.add(p);
        return p;
    }

    void stopAll() {
        started.forEach(JournalPlugin::stop);
    }

    long write(String key, String json) {
        return services.set(key, TestHost.json(json), HostServices.NO_CAS, "admin").revision();
    }

    void delete(String key) {
        services.delete(key, "admin");
    }

    static JsonNode call(JournalPlugin p, String op, String args) {
        return p.call(TestHost.call(op, args));
    }

    static JsonNode call(JournalPlugin p, String op, String args, Caller caller) {
        return p.call(new OpCall(op, TestHost.json(args), caller));
    }

    /** The seqs of a query, latest or since result's entries, in order. */
    static List<Long> seqs(JsonNode result) {
        List<Long> out = new ArrayList<>();
        result.get("entries").forEach(e -> out.add(e.get("seq").asLong()));
        return out;
    }

    /** The node's state outside the journal's own prefix: what a snapshot must reproduce. */
    Map<String, JsonNode> userState() {
        Map<String, JsonNode> out = new TreeMap<>();
        for (Map.Entry<String, KvEntry> e : services.entries().entrySet()) {
            if (!e.getKey().startsWith("/_plugins/journal/") && !e.getKey().startsWith("/replay/")) {
                out.put(e.getKey(), e.getValue().value());
            }
        }
        return out;
    }

    /** Stored journal entries, by seq, read straight from the node. */
    List<JsonNode> storedEntries() {
        List<JsonNode> out = new ArrayList<>();
        for (Map.Entry<String, KvEntry> e : services.entries().entrySet()) {
            if (e.getKey().startsWith(JournalStore.ENTRIES + "/")) {
                out.add(e.getValue().value());
            }
        }
        return out;
    }
}
