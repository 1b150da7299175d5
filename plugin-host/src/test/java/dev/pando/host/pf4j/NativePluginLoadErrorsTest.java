package dev.pando.host.pf4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestCaps;
import dev.pando.host.testing.PluginJarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class NativePluginLoadErrorsTest {
    @TempDir
    Path dir;

    private final NativePluginLoader loader = new NativePluginLoader();

    private AbstractThrowableAssert<?, ? extends Throwable> assertLoadFails(Path jar, ErrorCode code) {
        return assertLoadFails(jar, code, ManifestCaps.DEFAULT);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertLoadFails(Path jar, ErrorCode code, ManifestCaps caps) {
        return assertThatThrownBy(() -> loader.load(jar, caps))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContaining(jar.getFileName().toString());
    }

    private PluginJarBuilder plugin(String id) {
        return new PluginJarBuilder().manifest(PluginJarBuilder.minimalManifest(id, "1.0.0"));
    }

    private static String extension(String className) {
        return TestPlugins.pluginSource(className, "@org.pf4j.Extension", "\"hi\"");
    }

    @Test
    void aMissingFile() {
        assertLoadFails(dir.resolve("absent.jar"), ErrorCode.BAD_REQUEST).hasMessageContaining("does not exist");
    }

    @Test
    void aDirectory() throws Exception {
        assertLoadFails(Files.createDirectory(dir.resolve("dir.jar")), ErrorCode.BAD_REQUEST).hasMessageContaining("is not a file");
    }

    @Test
    void aFileThatIsNotAJar() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.jar"), "just some text, no zip here");
        assertLoadFails(text, ErrorCode.BAD_REQUEST).hasMessageContaining("is not a jar");
    }

    @Test
    void aJarWithoutManifest() {
        Path jar = new PluginJarBuilder().source("example.A", extension("example.A")).writeTo(dir, "bare.jar");
        assertLoadFails(jar, ErrorCode.BAD_REQUEST).hasMessageContaining("has no pando-plugin.json at its root");
    }

    @Test
    void aManifestThatIsNotJson() {
        Path jar = new PluginJarBuilder().manifest("{id: nope").source("example.A", extension("example.A")).writeTo(dir, "garbled.jar");
        assertLoadFails(jar, ErrorCode.BAD_REQUEST).hasMessageContaining("invalid pando-plugin.json").hasMessageContaining("not valid JSON");
    }

    @Test
    void aManifestWithAnInvalidField() {
        Path jar = new PluginJarBuilder().manifest(PluginJarBuilder.minimalManifest("Bad Id", "1.0.0"))
                .source("example.A", extension("example.A")).writeTo(dir, "badid.jar");
        assertLoadFails(jar, ErrorCode.BAD_REQUEST).hasMessageContaining("manifest id: 'Bad Id'");
    }

    @Test
    void aManifestAskingMoreThanTheCaps() {
        Path jar = new PluginJarBuilder()
                .manifest("{\"id\": \"greedy\", \"version\": \"1.0.0\", \"apiVersion\": 1, \"limits\": {\"instances\": 8}}")
                .source("example.A", extension("example.A")).writeTo(dir, "greedy.jar");
        assertLoadFails(jar, ErrorCode.BAD_REQUEST, new ManifestCaps(1024, 30_000, 4))
                .hasMessageContaining("limits.instances").hasMessageContaining("cap of 4");
    }

    @Test
    void noPluginClass() {
        Path jar = plugin("none").source("example.Plain", TestPlugins.pluginSource("example.Plain", "", "\"unannotated\""))
                .writeTo(dir, "none.jar");
        assertLoadFails(jar, ErrorCode.BAD_REQUEST).hasMessageContaining("has no class implementing dev.pando.api.plugin.PandoPlugin");
    }

    @Test
    void anExtensionOfAnotherExtensionPointOnly() {
        Path jar = plugin("other")
                .source("example.Other", "package example; public interface Other extends org.pf4j.ExtensionPoint {}")
                .source("example.OtherImpl", "package example; @org.pf4j.Extension public class OtherImpl implements Other {}")
                .writeTo(dir, "other.jar");
        assertLoadFails(jar, ErrorCode.BAD_REQUEST).hasMessageContaining("has no class implementing")
                .hasMessageContaining("declares only [example.OtherImpl]");
    }

    @Test
    void twoPluginClasses() {
        Path jar = plugin("twins").source("example.One", extension("example.One")).source("example.Two", extension("example.Two"))
                .writeTo(dir, "twins.jar");
        assertLoadFails(jar, ErrorCode.BAD_REQUEST)
                .hasMessageContaining("declares 2 PandoPlugin classes [example.One, example.Two]; exactly one is allowed");
    }

    @Test
    void aDeclaredClassMissingFromTheJar() {
        Path jar = plugin("ghost").resource(NativePluginLoader.SERVICES_ENTRY, "example.Ghost\n").writeTo(dir, "ghost.jar");
        assertLoadFails(jar, ErrorCode.BAD_REQUEST).hasMessageContaining("declares extension example.Ghost, which is not in the jar");
    }

    @Test
    void aConstructorThatThrows() {
        Path jar = plugin("boom").source("example.Boom", """
                package example;
                @org.pf4j.Extension
                public class Boom implements dev.pando.api.plugin.PandoPlugin {
                    public Boom() { throw new IllegalStateException("boom in constructor"); }
                    public com.fasterxml.jackson.databind.JsonNode call(dev.pando.api.plugin.OpCall c) { return null; }
                }
                """).writeTo(dir, "boom.jar");
        assertLoadFails(jar, ErrorCode.PLUGIN_FAILED)
                .hasMessageContaining("could not construct example.Boom: java.lang.IllegalStateException: boom in constructor")
                .hasNoCause();
    }

    @Test
    void aStaticInitialiserThatThrows() {
        Path jar = plugin("static").source("example.Static", """
                package example;
                @org.pf4j.Extension
                public class Static implements dev.pando.api.plugin.PandoPlugin {
                    static final int VALUE = Integer.parseInt("not a number");
                    public com.fasterxml.jackson.databind.JsonNode call(dev.pando.api.plugin.OpCall c) { return null; }
                }
                """).writeTo(dir, "static.jar");
        assertLoadFails(jar, ErrorCode.PLUGIN_FAILED).hasMessageContaining("ExceptionInInitializerError");
    }

    @Test
    void aPluginClassWithoutAPublicNoArgumentConstructor() {
        Path jar = plugin("args").source("example.Args", """
                package example;
                @org.pf4j.Extension
                public class Args implements dev.pando.api.plugin.PandoPlugin {
                    public Args(String config) {}
                    public com.fasterxml.jackson.databind.JsonNode call(dev.pando.api.plugin.OpCall c) { return null; }
                }
                """).writeTo(dir, "args.jar");
        assertLoadFails(jar, ErrorCode.BAD_REQUEST).hasMessageContaining("example.Args has no public no-argument constructor");
    }

    @Test
    void aPluginClassThatIsNotPublic() {
        Path jar = plugin("hidden").source("example.Hidden", """
                package example;
                @org.pf4j.Extension
                class Hidden implements dev.pando.api.plugin.PandoPlugin {
                    public com.fasterxml.jackson.databind.JsonNode call(dev.pando.api.plugin.OpCall c) { return null; }
                }
                """).writeTo(dir, "hidden.jar");
        assertLoadFails(jar, ErrorCode.BAD_REQUEST).hasMessageContaining("example.Hidden must be public and not abstract");
    }

    @Test
    void theServicesEntryNamesThePluginInterface() {
        assertThat(NativePluginLoader.SERVICES_ENTRY).isEqualTo("META-INF/services/" + dev.pando.api.plugin.PandoPlugin.class.getName());
    }
}
