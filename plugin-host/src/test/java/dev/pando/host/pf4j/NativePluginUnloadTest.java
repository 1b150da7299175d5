package dev.pando.host.pf4j;

import static dev.pando.host.pf4j.TestPlugins.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestCaps;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.host.HostContext;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.PluginJarBuilder;
import dev.pando.host.testing.TestHost;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class NativePluginUnloadTest {
    @TempDir
    Path dir;

    private final NativePluginLoader loader = new NativePluginLoader();
    private final MemoryHostServices host = TestHost.services();

    /** Maps its args into a record of its own through a default ObjectMapper, as plugins do. */
    private Path mappingPlugin() {
        return new PluginJarBuilder()
                .manifest(PluginJarBuilder.minimalManifest("mapper", "1.0.0"))
                .source("example.Mapper", """
                        package example;

                        import com.fasterxml.jackson.databind.JsonNode;
                        import com.fasterxml.jackson.databind.ObjectMapper;
                        import dev.pando.api.plugin.*;

                        @org.pf4j.Extension
                        public class Mapper implements PandoPlugin {
                            public record Point(int x, int y) {}
                            private final ObjectMapper json = new ObjectMapper();
                            private PluginContext ctx;

                            public void start(PluginContext context) { ctx = context; }

                            public JsonNode call(OpCall call) {
                                Point p;
                                try {
                                    p = json.treeToValue(call.args(), Point.class);
                                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                                    throw dev.pando.api.PandoException.badRequest("not a point: " + e.getOriginalMessage());
                                }
                                ctx.log().info("mapped {}", p);
                                return ctx.kv().set(ctx.manifest().defaultPrefix() + "/sum", json.valueToTree(p.x() + p.y())).value();
                            }
                        }
                        """)
                .writeTo(dir, "mapper.jar");
    }

    @Test
    void aClosedPluginsClassLoaderCanBeCollected() throws Exception {
        WeakReference<ClassLoader> pluginLoader = loadUseAndClose();

        awaitCollected(pluginLoader);
        assertThat(host.get("/_plugins/mapper/sum").orElseThrow().value().asInt()).as("the plugin did run").isEqualTo(5);
    }

    /** Separate method so that no local of the test method keeps a plugin object reachable. */
    private WeakReference<ClassLoader> loadUseAndClose() throws Exception {
        NativePlugin loaded = loader.load(mappingPlugin(), ManifestCaps.DEFAULT);
        PandoPlugin plugin = loaded.plugin();
        plugin.start(new HostContext(loaded.manifest(), host, null, Clock.systemUTC()));
        plugin.call(call("mapper.sum", "{\"x\": 2, \"y\": 3}"));
        plugin.stop();
        loaded.close();
        assertThat(plugin.getClass().getClassLoader()).isInstanceOf(NativePluginClassLoader.class);
        return new WeakReference<>(plugin.getClass().getClassLoader());
    }

    @Test
    void aPluginThatFailedToLoadLeavesNothingHoldingItsClassLoader() throws Exception {
        Path jar = new PluginJarBuilder()
                .manifest(PluginJarBuilder.minimalManifest("failing", "1.0.0"))
                .source("example.Failing", """
                        package example;
                        @org.pf4j.Extension
                        public class Failing implements dev.pando.api.plugin.PandoPlugin {
                            public Failing() {
                                dev.pando.host.pf4j.LoaderSpy.record(this);
                                throw new IllegalStateException("cannot start");
                            }
                            public com.fasterxml.jackson.databind.JsonNode call(dev.pando.api.plugin.OpCall c) { return null; }
                        }
                        """)
                .writeTo(dir, "failing.jar");

        int records = LoaderSpy.records();
        PandoException error = catchLoadError(jar);

        assertThat(error.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
        assertThat(error.getMessage()).contains("cannot start");
        assertThat(error.getCause()).as("kept by the node to report FAILED; must not pin plugin classes").isNull();
        assertThat(LoaderSpy.records()).as("the constructor ran and reported its loader").isEqualTo(records + 1);
        awaitCollected(LoaderSpy.last());
    }

    private PandoException catchLoadError(Path jar) {
        try {
            loader.load(jar, ManifestCaps.DEFAULT).close();
        } catch (PandoException e) {
            return e;
        }
        throw new AssertionError("loading " + jar + " should have failed");
    }

    @Test
    void aClosedPluginIsNoLongerHandedOut() {
        NativePlugin loaded = loader.load(TestPlugins.greeter(dir, "1.0.0", "Hi"), ManifestCaps.DEFAULT);
        loaded.close();
        loaded.close();

        assertThat(loaded.isClosed()).isTrue();
        assertThat(loaded.manifest().id()).as("the manifest stays for reporting").isEqualTo("greeter");
        assertThatThrownBy(loaded::plugin).isInstanceOf(IllegalStateException.class).hasMessageContaining("greeter@1.0.0");
    }

    private static void awaitCollected(WeakReference<ClassLoader> ref) throws InterruptedException {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(ref.get() == null).as("plugin class loader collected").isTrue();
    }
}
