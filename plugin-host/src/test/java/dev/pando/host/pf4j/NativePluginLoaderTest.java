package dev.pando.host.pf4j;

import static dev.pando.host.pf4j.TestPlugins.JSON;
import static dev.pando.host.pf4j.TestPlugins.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestCaps;
import dev.pando.api.manifest.OpDecl;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.host.HostContext;
import dev.pando.host.HostServices;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.PluginJarBuilder;
import dev.pando.host.testing.TestHost;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class NativePluginLoaderTest {
    @TempDir
    Path dir;

    private final NativePluginLoader loader = new NativePluginLoader();
    private final MemoryHostServices host = TestHost.services();

    private PandoPlugin started(NativePlugin loaded) throws Exception {
        PandoPlugin plugin = loaded.plugin();
        plugin.start(new HostContext(loaded.manifest(), host, null, Clock.systemUTC()));
        return plugin;
    }

    @Test
    void servesOpsDeclaredInTheJarsManifest() throws Exception {
        try (NativePlugin loaded = loader.load(TestPlugins.counter(dir), ManifestCaps.DEFAULT)) {
            assertThat(loaded.manifest().id()).isEqualTo("counter");
            assertThat(loaded.manifest().version()).isEqualTo("1.0.0");
            assertThat(loaded.manifest().ops()).extracting(OpDecl::name).contains("counter.add", "counter.incr");
            assertThat(loaded.plugin().getClass().getName()).isEqualTo("example.counter.Counter");
            assertThat(loaded.plugin().getClass().getClassLoader()).isInstanceOf(NativePluginClassLoader.class);

            PandoPlugin plugin = started(loaded);

            assertThat(plugin.call(call("counter.add", "{\"a\": 2, \"b\": 40}")).asLong()).isEqualTo(42);
            assertThat(plugin.call(call("counter.add", "{\"a\": -1, \"b\": 1}")).asLong()).isZero();
        }
    }

    @Test
    void readsAndWritesKvWithinItsPrefixes() throws Exception {
        try (NativePlugin loaded = loader.load(TestPlugins.counter(dir), ManifestCaps.DEFAULT)) {
            PandoPlugin plugin = started(loaded);

            plugin.call(call("counter.incr", "{\"name\": \"hits\"}"));
            assertThat(plugin.call(call("counter.incr", "{\"name\": \"hits\"}")).asLong()).isEqualTo(2);
            KvEntry hits = host.get("/_plugins/counter/hits").orElseThrow();
            assertThat(hits.value().asLong()).isEqualTo(2);
            assertThat(hits.writer()).isEqualTo("plugin:counter");

            host.set("/sensors/t1", IntNode.valueOf(21), HostServices.NO_CAS, "test");
            assertThat(plugin.call(call("counter.read", "{\"key\": \"/sensors/t1\"}"))).isEqualTo(IntNode.valueOf(21));
        }
    }

    @Test
    void isForbiddenOutsideItsPrefixes() throws Exception {
        try (NativePlugin loaded = loader.load(TestPlugins.counter(dir), ManifestCaps.DEFAULT)) {
            PandoPlugin plugin = started(loaded);

            for (String key : new String[] {"/elsewhere/x", "/sensors/t1", "/_plugins/counter2/x"}) {
                assertThatThrownBy(() -> plugin.call(call("counter.put", "{\"key\": \"" + key + "\", \"value\": 1}")))
                        .as("write to %s", key)
                        .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
                assertThat(host.get(key)).as("nothing written at %s", key).isEmpty();
            }
            assertThatThrownBy(() -> plugin.call(call("counter.read", "{\"key\": \"/secrets/a\"}")))
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        }
    }

    @Test
    void receivesTheChangesDeliveredToIt() throws Exception {
        try (NativePlugin loaded = loader.load(TestPlugins.counter(dir), ManifestCaps.DEFAULT)) {
            PandoPlugin plugin = started(loaded);

            plugin.onChange(new KvChange("/sensors/t1", IntNode.valueOf(5), 7, 1L, "local", "test"));
            plugin.onChange(new KvChange("/sensors/t1", null, 8, 2L, "local", "test"));

            assertThat(plugin.call(call("counter.changes", "{}")))
                    .isEqualTo(JSON.readTree("[\"/sensors/t1=5\", \"/sensors/t1 deleted\"]"));
        }
    }

    @Test
    void stopIsLeftToTheCaller() throws Exception {
        try (NativePlugin loaded = loader.load(TestPlugins.counter(dir), ManifestCaps.DEFAULT)) {
            started(loaded);
        }
        assertThat(host.get("/_plugins/counter/stopped")).as("close() does not call stop()").isEmpty();

        try (NativePlugin loaded = loader.load(TestPlugins.counter(dir), ManifestCaps.DEFAULT)) {
            started(loaded).stop();
        }
        assertThat(host.get("/_plugins/counter/stopped")).as("the plugin's own stop() ran").isPresent();
    }

    @Test
    void acceptsAPluginClassListedInTheServicesFile() throws Exception {
        Path jar = new PluginJarBuilder()
                .manifest(PluginJarBuilder.minimalManifest("svc", "2.0.0"))
                .source("example.Svc", TestPlugins.pluginSource("example.Svc", "", "\"from services\""))
                .resource("META-INF/services/" + PandoPlugin.class.getName(), "# the plugin\nexample.Svc\n")
                .writeTo(dir, "svc.jar");

        try (NativePlugin loaded = loader.load(jar, ManifestCaps.DEFAULT)) {
            assertThat(loaded.plugin().call(call("svc.any", "{}")).asText()).isEqualTo("from services");
            assertThat(loaded.manifest().version()).isEqualTo("2.0.0");
        }
    }

    @Test
    void aPluginBuiltWithoutPf4jLoadsFromTheServicesFile() throws Exception {
        Path jar = new PluginJarBuilder().withoutPf4j()
                .manifest(PluginJarBuilder.minimalManifest("plain", "1.0.0"))
                .source("example.Plain", TestPlugins.pluginSource("example.Plain", "", "\"no pf4j\""))
                .resource(NativePluginLoader.SERVICES_ENTRY, "example.Plain\n")
                .writeTo(dir, "plain.jar");

        try (NativePlugin loaded = loader.load(jar, ManifestCaps.DEFAULT)) {
            assertThat(loaded.plugin().call(call("plain.any", "{}")).asText()).isEqualTo("no pf4j");
        }
    }

    @Test
    void countsAClassBothIndexedAndListedOnce() throws Exception {
        Path jar = new PluginJarBuilder()
                .manifest(PluginJarBuilder.minimalManifest("both", "1.0.0"))
                .source("example.Both", TestPlugins.pluginSource("example.Both", "@org.pf4j.Extension", "\"once\""))
                .resource(NativePluginLoader.SERVICES_ENTRY, "example.Both\n")
                .writeTo(dir, "both.jar");

        try (NativePlugin loaded = loader.load(jar, ManifestCaps.DEFAULT)) {
            assertThat(loaded.plugin().call(call("both.any", "{}")).asText()).isEqualTo("once");
        }
    }
}
