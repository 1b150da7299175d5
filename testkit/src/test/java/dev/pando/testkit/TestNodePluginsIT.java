package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.host.testing.PluginJarBuilder;
import dev.pando.host.testing.Wat;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.plugins.PluginState;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.Ed25519Keys;
import dev.pando.signing.KeyFormat;
import dev.pando.signing.WasmBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kit's plugin helpers against real nodes: install, refuse, configure, uninstall, restart. */
@PandoTest
class TestNodePluginsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void aWasmPluginInstalledFromBytesServesAndSurvivesARestart(TestNode node) {
        PluginOutcome outcome = node.installWasm(Wat.module("counter"), Wat.manifestJson("counter"));
        assertThat(outcome.action()).isEqualTo(PluginState.LOADED);
        assertThat(outcome.file()).isEqualTo("counter.wasm");
        assertThat(outcome.id()).contains("counter");
        assertThat(outcome.version()).contains("1.0.0");
        assertThat(outcome.error()).isEmpty();
        assertThat(outcome.json().path("action").asText()).isEqualTo("loaded");
        assertThat(node.pluginsDir().resolve("counter.wasm")).exists();
        assertThat(node.pluginsDir()).isEqualTo(node.dataDir().resolve("plugins"));

        assertThat(node.client().call("counter.add", obj().put("by", 5)).path("total").asLong()).isEqualTo(5);
        JsonNode listed = node.plugin("counter").orElseThrow();
        assertThat(listed.path("state").asText()).isEqualTo("LOADED");
        assertThat(listed.path("signer").asText()).isEqualTo(Ed25519KeyPair.fingerprint(node.signingKey().publicKey()));

        // Installing the same bytes again changes nothing.
        assertThat(node.installWasm(Wat.module("counter"), Wat.manifestJson("counter")).action()).isEqualTo(PluginState.UNCHANGED);

        Ed25519KeyPair key = node.signingKey();
        String token = node.adminToken();
        node.restart();
        assertThat(node.signingKey()).isSameAs(key);
        assertThat(node.adminToken()).isEqualTo(token);
        assertThat(node.plugin("counter").orElseThrow().path("state").asText()).isEqualTo("LOADED");
        assertThat(node.client().call("counter.add", obj().put("by", 2)).path("total").asLong())
                .as("the plugin serves again and RocksDB kept its total").isEqualTo(7);

        // After the restart the same key still signs what the node trusts: a new version replaces the old.
        String v2 = Wat.manifestJson("counter").replace("\"1.0.0\"", "\"1.0.1\"");
        PluginOutcome replaced = node.installWasm(Wat.module("counter"), v2);
        assertThat(replaced.action()).isEqualTo(PluginState.REPLACED);
        assertThat(replaced.json().path("previousVersion").asText()).isEqualTo("1.0.0");
    }

    @Test
    void installWasmReadsTheModuleAndManifestFromFiles(TestNode node) throws Exception {
        Path module = Files.write(work.resolve("echo.raw.wasm"), Wat.module("echo"));
        Path manifest = Files.writeString(work.resolve("manifest.json"), Wat.manifestJson("echo"));
        assertThat(node.installWasm(module, manifest).action()).isEqualTo(PluginState.LOADED);
        assertThat(node.call("echo.echo", obj().put("a", 1))).isEqualTo(obj().put("a", 1));
    }

    @Test
    void aPluginTheNodeRefusesThrowsWithTheNodesReason(TestNode node) {
        String outside = Wat.manifestJson("counter").replace("\"counter.add\"", "\"other.add\"");
        PluginInstallException bad = catchThrowableOfType(PluginInstallException.class,
                () -> node.installWasm(Wat.module("counter"), outside));
        assertThat(bad).as("a manifest naming an op outside its namespace").isNotNull();
        assertThat(bad.getMessage()).contains("counter.wasm").contains("'other.add' is outside the plugin's namespace");
        assertThat(bad.outcome().orElseThrow().action()).isEqualTo(PluginState.FAILED);
        assertThat(bad.report().path("failed").asInt()).isEqualTo(1);

        byte[] unsigned = WasmBundle.packUnsigned(Wat.module("echo"), Wat.manifestJson("echo").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> node.install("echo.wasm", unsigned))
                .isInstanceOf(PluginInstallException.class).hasMessageContaining("UNSIGNED");

        Ed25519KeyPair stranger = Ed25519KeyPair.generate();
        byte[] foreign = WasmBundle.pack(Wat.module("echo"), Wat.manifestJson("echo").getBytes(StandardCharsets.UTF_8), stranger);
        assertThatThrownBy(() -> node.install("echo.wasm", foreign))
                .isInstanceOf(PluginInstallException.class).hasMessageContaining("UNTRUSTED_SIGNER")
                .hasMessageContaining(Ed25519KeyPair.fingerprint(stranger.publicKey()));
        assertThat(node.plugin("echo").map(p -> p.path("state").asText()).orElse("absent")).as("nothing serves echo").isNotEqualTo("LOADED");

        assertThatThrownBy(() -> node.installWasm(Wat.module("echo"), "{\"version\": \"1.0.0\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"id\"");
    }

    @Test
    void aRefusedNewVersionLeavesTheOldOneServing(TestNode node) {
        node.installWasm(Wat.module("counter"), Wat.manifestJson("counter"));
        String broken = Wat.manifestJson("counter").replace("\"apiVersion\": 1", "\"apiVersion\": 1, \"colour\": \"red\"");
        PluginInstallException e = catchThrowableOfType(PluginInstallException.class, () -> node.installWasm(Wat.module("counter"), broken));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("colour");
        assertThat(e.outcome().orElseThrow().id()).contains("counter");
        assertThat(node.client().call("counter.add", obj().put("by", 1)).path("total").asLong()).isEqualTo(1);
    }

    @Test
    void uninstallRemovesThePluginAndItsConfig(TestNode node) {
        node.installWasm(Wat.module("echo"), Wat.manifestJson("echo"));
        node.configurePlugin("echo", obj().put("x", 1));
        assertThat(node.pluginsDir().resolve("echo.config.json")).exists();

        node.uninstall("echo.wasm");
        assertThat(node.pluginsDir().resolve("echo.wasm")).doesNotExist();
        assertThat(node.pluginsDir().resolve("echo.config.json")).doesNotExist();
        assertThat(node.plugin("echo")).isEmpty();
        PandoException gone = catchThrowableOfType(PandoException.class, () -> node.client().call("echo.echo", null));
        assertThat(gone).isNotNull();
        assertThat(gone.code()).isEqualTo(ErrorCode.NOT_FOUND);

        assertThatThrownBy(() -> node.uninstall("echo.wasm")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("echo.wasm");
    }

    @Test
    void aNativeJarInstallsAndConfigurePluginTakesEffectOnTheNextReload(TestNode node) {
        Path jar = configJar(work);
        PluginOutcome loaded = node.install(jar);
        assertThat(loaded.action()).isEqualTo(PluginState.LOADED);
        assertThat(loaded.file()).isEqualTo("conf.jar");
        assertThat(node.plugin("conf").orElseThrow().path("kind").asText()).isEqualTo("native");
        assertThat(node.client().call("conf.get", null)).isEqualTo(obj().put("greeting", "hello").put("times", 1));

        node.configurePlugin("conf", obj().put("times", 3));
        assertThat(node.client().call("conf.get", null).path("times").asInt()).as("not before a reload").isEqualTo(1);
        JsonNode report = node.reload();
        assertThat(TestNode.outcomes(report, "conf.jar")).extracting(PluginOutcome::action).containsExactly(PluginState.REPLACED);
        assertThat(node.client().call("conf.get", null)).isEqualTo(obj().put("greeting", "hello").put("times", 3));

        assertThat(node.reload("conf").path("unchanged").asInt()).isEqualTo(1);
    }

    @Test
    void signedNativeJarsWhenTheNodeRequiresThem(@TempDir Path dir) {
        try (TestNode node = TestNode.builder().inMemory().with(NodeConfig.REQUIRE_SIGNED_NATIVE, true).start()) {
            Path jar = configJar(dir);
            assertThatThrownBy(() -> node.install(jar)).isInstanceOf(PluginInstallException.class).hasMessageContaining("UNSIGNED");

            Path sig = node.signJar(jar);
            assertThat(sig).isEqualTo(dir.resolve("conf.jar.sig"));
            assertThat(node.install(jar).action()).isEqualTo(PluginState.LOADED);
            assertThat(node.pluginsDir().resolve("conf.jar.sig")).exists();
            assertThat(node.plugin("conf").orElseThrow().path("signer").asText())
                    .isEqualTo(Ed25519KeyPair.fingerprint(node.signingKey().publicKey()));
        }
    }

    @Test
    void trustedKeysSetByTheTestAreLeftAlone(@TempDir Path dir) throws Exception {
        Ed25519KeyPair mine = Ed25519KeyPair.generate();
        Path trusted = dir.resolve("trusted");
        Ed25519Keys.writePublic(trusted, mine.publicKey(), KeyFormat.OPENSSH, "mine");
        try (TestNode node = TestNode.builder().inMemory().with(NodeConfig.TRUSTED_KEYS, trusted.toString()).start()) {
            assertThat(node.node().config().get(NodeConfig.TRUSTED_KEYS)).isEqualTo(trusted.toString());
            assertThatThrownBy(() -> node.installWasm(Wat.module("echo"), Wat.manifestJson("echo")))
                    .isInstanceOf(PluginInstallException.class).hasMessageContaining("UNTRUSTED_SIGNER");
        }
        try (TestNode node = TestNode.builder().inMemory().with(NodeConfig.TRUSTED_KEYS, trusted.toString()).signingKey(mine).start()) {
            assertThat(node.installWasm(Wat.module("echo"), Wat.manifestJson("echo")).action()).isEqualTo(PluginState.LOADED);
        }
    }

    @Test
    void aNewNodeOnTheSameDataDirKeepsTheKeyAndThePlugins(@TempDir Path dir) {
        String fingerprint;
        try (TestNode first = TestNode.builder().dataDir(dir).start()) {
            first.installWasm(Wat.module("echo"), Wat.manifestJson("echo"));
            fingerprint = Ed25519KeyPair.fingerprint(first.signingKey().publicKey());
        }
        assertThat(dir).as("a data dir the test supplied is kept").isDirectory();
        try (TestNode second = TestNode.builder().dataDir(dir).start()) {
            assertThat(Ed25519KeyPair.fingerprint(second.signingKey().publicKey())).isEqualTo(fingerprint);
            assertThat(second.plugin("echo").orElseThrow().path("state").asText()).isEqualTo("LOADED");
            assertThat(second.installWasm(Wat.module("echo"), Wat.manifestJson("echo")).action()).isEqualTo(PluginState.UNCHANGED);
        }
    }

    /** A native plugin "conf" whose op conf.get returns its merged configuration. */
    static Path configJar(Path dir) {
        return new PluginJarBuilder()
                .manifest("""
                        {"id": "conf", "version": "1.0.0", "apiVersion": 1,
                         "ops": [{"name": "conf.get", "scope": "read"}],
                         "config": {"greeting": "hello", "times": 1}}""")
                .source("example.conf.Conf", """
                        package example.conf;

                        import com.fasterxml.jackson.databind.JsonNode;
                        import dev.pando.api.plugin.*;

                        @org.pf4j.Extension
                        public class Conf implements PandoPlugin {
                            private volatile PluginContext ctx;

                            @Override
                            public void start(PluginContext context) {
                                ctx = context;
                            }

                            @Override
                            public JsonNode call(OpCall call) {
                                return ctx.config();
                            }
                        }
                        """)
                .writeTo(dir, "conf.jar");
    }

    private static ObjectNode obj() {
        return JSON.createObjectNode();
    }
}
