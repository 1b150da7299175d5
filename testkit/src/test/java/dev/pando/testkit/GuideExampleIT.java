package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.host.testing.Wat;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.plugins.PluginState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example of docs/testing-plugins.md, verbatim (GuideSnippetTest keeps them identical). */
@PandoTest
class GuideExampleIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static Path module;   // the raw module your build wrote
    static Path manifest; // your plugin's manifest.json

    @BeforeAll
    static void build(@TempDir Path dir) throws IOException {
        // Stand-in for your build (e.g. target/wasm32-unknown-unknown/release/counter.wasm):
        // the counter fixture of plugin-host. It adds {"by": N} to /_plugins/counter/total.
        module = Files.write(dir.resolve("counter.wasm"), Wat.module("counter"));
        manifest = Files.writeString(dir.resolve("manifest.json"), Wat.manifestJson("counter"));
    }

    @Test
    void countsAndKeepsItsTotalAcrossARestart(TestNode node) {
        PluginOutcome installed = node.installWasm(module, manifest); // signed with node.signingKey()
        assertThat(installed.action()).isEqualTo(PluginState.LOADED);

        PandoClient client = node.client();
        for (int i = 0; i < TestScale.scaled(10); i++) {
            client.call("counter.add", JSON.createObjectNode().put("by", 1));
        }
        JsonNode total = client.get("/_plugins/counter/total");
        assertThat(total.path("value").asLong()).isEqualTo(TestScale.scaled(10));
        assertThat(total.path("writer").asText()).isEqualTo("plugin:counter");

        node.restart(); // same data dir: the plugin is loaded again, RocksDB kept the total
        JsonNode after = node.client().call("counter.add", JSON.createObjectNode().put("by", 5));
        assertThat(after.path("total").asLong()).isEqualTo(TestScale.scaled(10) + 5);
    }

    @Test
    void watchesWhatThePluginWritesAndWhatIsPublished(TestNode node) {
        node.installWasm(module, manifest);
        PandoClient client = node.client();
        try (Watch watch = node.watch("/**")) {
            client.call("counter.add", JSON.createObjectNode().put("by", 3));
            JsonNode change = watch.awaitChange("/_plugins/counter/total", Duration.ofSeconds(5));
            assertThat(change.path("value").asLong()).isEqualTo(3);
            assertThat(change.path("writer").asText()).isEqualTo("plugin:counter");

            client.publish("/alerts/door", JSON.createObjectNode().put("open", true));
            JsonNode event = watch.awaitEvent("/alerts/door", Duration.ofSeconds(5));
            assertThat(event.path("payload").path("open").asBoolean()).isTrue();
        }
    }

    @Test
    void errorsCarryACode(TestNode node) {
        node.installWasm(module, manifest);
        PandoException e = catchThrowableOfType(PandoException.class,
                () -> node.client().call("counter.add", JSON.createObjectNode().put("step", 1)));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.getMessage()).contains("args need a number in by");

        String badManifest = Wat.manifestJson("counter").replace("\"counter.add\"", "\"other.add\"");
        PluginInstallException refused = catchThrowableOfType(PluginInstallException.class,
                () -> node.installWasm(Wat.module("counter"), badManifest));
        assertThat(refused.getMessage()).contains("'other.add' is outside the plugin's namespace");
        assertThat(refused.outcome().orElseThrow().action()).isEqualTo(PluginState.FAILED);
    }

    @Test
    @PandoTest(inMemory = true, config = "plugins.max-call-timeout-ms=5000")
    void aNativePluginWithOperatorConfig(TestNode node, @TempDir Path dir) {
        assertThat(node.node().config().get(NodeConfig.STORE)).isEqualTo("memory");
        Path jar = TestNodePluginsIT.configJar(dir); // stand-in for your target/conf-plugin.jar
        node.install(jar);
        assertThat(node.client().call("conf.get", null).path("times").asInt()).isEqualTo(1);

        node.configurePlugin("conf", JSON.createObjectNode().put("times", 3));
        node.reload(); // the plugin restarts with its new configuration
        assertThat(node.client().call("conf.get", null).path("times").asInt()).isEqualTo(3);
    }
}
