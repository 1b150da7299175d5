package dev.pando.host.pf4j;

import static dev.pando.host.pf4j.TestPlugins.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.api.manifest.ManifestCaps;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.PluginClassLoader;

/** The hot-reload sequence: a new version loads while the old one serves, then the old one closes. */
@Timeout(60)
class NativePluginSideBySideTest {
    @TempDir
    Path dir;

    private final NativePluginLoader loader = new NativePluginLoader();

    @Test
    void twoVersionsOfOneIdServeSideBySide() throws Exception {
        try (NativePlugin old = loader.load(TestPlugins.greeter(dir, "1.0.0", "Hello"), ManifestCaps.DEFAULT);
             NativePlugin next = loader.load(TestPlugins.greeter(dir, "1.0.1", "Howdy"), ManifestCaps.DEFAULT)) {
            assertThat(old.manifest().id()).isEqualTo(next.manifest().id());
            assertThat(old.plugin().getClass().getName()).isEqualTo(next.plugin().getClass().getName());
            assertThat(old.plugin().getClass()).as("same name, separate class loaders").isNotSameAs(next.plugin().getClass());

            assertThat(old.plugin().call(call("greeter.hello", "{\"name\": \"Ada\"}")).asText()).isEqualTo("Hello, Ada");
            assertThat(next.plugin().call(call("greeter.hello", "{\"name\": \"Ada\"}")).asText()).isEqualTo("Howdy, Ada");
        }
    }

    @Test
    void closingTheOldVersionLeavesTheNewOneServing() throws Exception {
        NativePlugin old = loader.load(TestPlugins.greeter(dir, "1.0.0", "Hello"), ManifestCaps.DEFAULT);
        try (NativePlugin next = loader.load(TestPlugins.greeter(dir, "1.0.1", "Howdy"), ManifestCaps.DEFAULT)) {
            PluginClassLoader oldLoader = (PluginClassLoader) old.plugin().getClass().getClassLoader();
            PluginClassLoader nextLoader = (PluginClassLoader) next.plugin().getClass().getClassLoader();

            old.close();

            assertThat(oldLoader.isClosed()).isTrue();
            assertThat(nextLoader.isClosed()).isFalse();
            assertThat(old.isClosed()).isTrue();
            assertThat(next.plugin().call(call("greeter.hello", "{\"name\": \"Bob\"}")).asText()).isEqualTo("Howdy, Bob");
        }
    }
}
