package dev.pando.host.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginJarBuilderTest {
    @TempDir
    Path dir;

    @Test
    void compilesSourcesIndexesExtensionsAndAddsResources() throws Exception {
        Path jar = new PluginJarBuilder()
                .manifest(PluginJarBuilder.minimalManifest("demo", "1.0.0"))
                .source("example.Demo", """
                        package example;
                        @org.pf4j.Extension
                        public class Demo implements dev.pando.api.plugin.PandoPlugin {
                            public com.fasterxml.jackson.databind.JsonNode call(dev.pando.api.plugin.OpCall c) { return null; }
                        }
                        """)
                .resource("data/hello.txt", "hi")
                .writeTo(dir, "demo.jar");

        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getEntry("example/Demo.class")).isNotNull();
            assertThat(text(file, "META-INF/extensions.idx"))
                    .as("written by PF4J's annotation processor, though PandoPlugin is no PF4J extension point").contains("example.Demo");
            assertThat(text(file, "pando-plugin.json")).contains("\"id\": \"demo\"");
            assertThat(text(file, "data/hello.txt")).isEqualTo("hi");
            assertThat(file.getManifest().getMainAttributes()).as("no PF4J entries needed").noneSatisfy((k, v) ->
                    assertThat(k.toString()).startsWith("Plugin-"));
        }
    }

    @Test
    void withoutPf4jNeitherTheAnnotationNorTheProcessorIsThere() throws Exception {
        String annotated = "package example; @org.pf4j.Extension public class Ext implements dev.pando.api.plugin.PandoPlugin {"
                + " public com.fasterxml.jackson.databind.JsonNode call(dev.pando.api.plugin.OpCall c) { return null; } }";
        assertThatThrownBy(() -> new PluginJarBuilder().withoutPf4j().source("example.Ext", annotated).writeTo(dir, "ext.jar"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("org.pf4j");

        Path jar = new PluginJarBuilder().withoutPf4j()
                .source("example.Plain", annotated.replace("@org.pf4j.Extension ", "").replace("Ext", "Plain"))
                .writeTo(dir, "plain.jar");
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getEntry("example/Plain.class")).isNotNull();
            assertThat(file.getEntry("META-INF/extensions.idx")).isNull();
        }
    }

    @Test
    void reportsCompilationErrors() {
        assertThatThrownBy(() -> new PluginJarBuilder().source("example.Broken", "package example; class Broken { int x = ; }")
                .writeTo(dir, "broken.jar"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Broken");
    }

    private static String text(JarFile file, String entry) throws Exception {
        return new String(file.getInputStream(file.getEntry(entry)).readAllBytes(), StandardCharsets.UTF_8);
    }
}
