package dev.pando.host.pf4j;

import static dev.pando.host.pf4j.TestPlugins.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.manifest.ManifestCaps;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.host.testing.PluginJarBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class NativePluginClassLoadingTest {
    @TempDir
    Path dir;

    private final NativePluginLoader loader = new NativePluginLoader();

    @Test
    void aBundledCopyOfAHostLibraryClassWins() throws Exception {
        Path jar = new PluginJarBuilder()
                .manifest(PluginJarBuilder.minimalManifest("shadow", "1.0.0"))
                .source("dev.pando.host.pf4j.SharedName", """
                        package dev.pando.host.pf4j;
                        public final class SharedName {
                            public static String origin() { return "plugin"; }
                        }
                        """)
                .source("example.Shadow", TestPlugins.pluginSource("example.Shadow", "@org.pf4j.Extension",
                        "dev.pando.host.pf4j.SharedName.origin()"))
                .writeTo(dir, "shadow.jar");

        try (NativePlugin loaded = loader.load(jar, ManifestCaps.DEFAULT)) {
            assertThat(loaded.plugin().call(call("shadow.any", "{}")).asText()).isEqualTo("plugin");
            assertThat(SharedName.origin()).as("the host keeps its own").isEqualTo("host");
            assertThat(loaded.plugin().getClass().getClassLoader().loadClass(SharedName.class.getName())).isNotSameAs(SharedName.class);
        }
    }

    @Test
    void bundledCopiesOfThePluginApiAreIgnored() throws Exception {
        Path jar = new PluginJarBuilder()
                .manifest(PluginJarBuilder.minimalManifest("shaded", "1.0.0"))
                .source("example.Shaded", TestPlugins.pluginSource("example.Shaded", "@org.pf4j.Extension", "\"ok\""))
                .copyOfClass(PandoPlugin.class)
                .copyOfClass(JsonNode.class)
                .writeTo(dir, "shaded.jar");

        try (NativePlugin loaded = loader.load(jar, ManifestCaps.DEFAULT)) {
            ClassLoader pluginLoader = loaded.plugin().getClass().getClassLoader();
            assertThat(loaded.plugin()).isInstanceOf(PandoPlugin.class);
            assertThat(pluginLoader.loadClass(PandoPlugin.class.getName())).isSameAs(PandoPlugin.class);
            assertThat(pluginLoader.loadClass(JsonNode.class.getName())).isSameAs(JsonNode.class);
            assertThat(loaded.plugin().call(call("shaded.any", "{}"))).isInstanceOf(JsonNode.class);
        }
    }

    @Test
    void aClassOfAHostPackageTheHostLacksComesFromThePlugin() throws Exception {
        Path jar = new PluginJarBuilder()
                .manifest(PluginJarBuilder.minimalManifest("extra", "1.0.0"))
                .source("com.fasterxml.jackson.pandotest.Extra", """
                        package com.fasterxml.jackson.pandotest;
                        public final class Extra {
                            public static String hello() { return "bundled"; }
                        }
                        """)
                .source("example.UsesExtra", TestPlugins.pluginSource("example.UsesExtra", "@org.pf4j.Extension",
                        "com.fasterxml.jackson.pandotest.Extra.hello()"))
                .writeTo(dir, "extra.jar");

        try (NativePlugin loaded = loader.load(jar, ManifestCaps.DEFAULT)) {
            assertThat(loaded.plugin().call(call("extra.any", "{}")).asText()).isEqualTo("bundled");
        }
    }

    @Test
    void thePluginIsConstructedWithItsLoaderAsContextClassLoader() throws Exception {
        Path jar = new PluginJarBuilder()
                .manifest(PluginJarBuilder.minimalManifest("tccl", "1.0.0"))
                .source("example.Tccl", """
                        package example;
                        @org.pf4j.Extension
                        public class Tccl implements dev.pando.api.plugin.PandoPlugin {
                            private final boolean own = Thread.currentThread().getContextClassLoader() == getClass().getClassLoader();
                            public com.fasterxml.jackson.databind.JsonNode call(dev.pando.api.plugin.OpCall c) {
                                return com.fasterxml.jackson.databind.node.BooleanNode.valueOf(own);
                            }
                        }
                        """)
                .writeTo(dir, "tccl.jar");
        ClassLoader before = Thread.currentThread().getContextClassLoader();

        try (NativePlugin loaded = loader.load(jar, ManifestCaps.DEFAULT)) {
            assertThat(loaded.plugin().call(call("tccl.any", "{}")).asBoolean()).isTrue();
        }
        assertThat(Thread.currentThread().getContextClassLoader()).as("restored").isSameAs(before);
    }

    @ParameterizedTest
    @CsvSource({
        "dev.pando.api.plugin.PandoPlugin, true",
        "com.fasterxml.jackson.databind.JsonNode, true",
        "org.slf4j.Logger, true",
        "org.pf4j.Extension, true",
        "javax.crypto.Cipher, true",
        "java.lang.String, true",
        "dev.pando.apix.Thing, false",
        "dev.pando.host.HostContext, false",
        "com.fasterxml.jacksonx.Thing, false",
        "org.example.Lib, false",
    })
    void onlyThePluginContractIsHostFirst(String className, boolean hostFirst) {
        assertThat(NativePluginClassLoader.isHostFirst(className)).isEqualTo(hostFirst);
    }
}
