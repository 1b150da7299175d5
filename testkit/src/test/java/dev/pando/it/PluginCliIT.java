package dev.pando.it;

import static dev.pando.it.PluginSupport.signed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.host.testing.Wat;
import dev.pando.node.cli.PandoCli;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.WasmBundle;
import dev.pando.testkit.TestNode;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pando reload} and {@code pando plugins}, run in-process against a real node, with the
 * token given by {@code --token} or found through {@code --data-dir}.
 */
class PluginCliIT {
    @TempDir
    static Path work;
    static Ed25519KeyPair key;
    static Path pluginsDir;
    static TestNode node;

    @BeforeAll
    static void start() {
        key = Ed25519KeyPair.generate();
        pluginsDir = work.resolve("plugins");
        PluginSupport.drop(pluginsDir, "echo.wasm", signed("echo", key));
        PluginSupport.drop(pluginsDir, "counter.wasm", signed("counter", key));
        node = TestNode.builder().inMemory()
                .with(NodeConfig.TRUSTED_KEYS, PluginSupport.trust(work.resolve("trusted-keys"), key).toString())
                .pluginsDir(pluginsDir)
                .start();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @AfterEach
    void restorePlugins() {
        PluginSupport.delete(pluginsDir.resolve("broken.wasm"));
        PluginSupport.drop(pluginsDir, "echo.wasm", signed("echo", key));
        PluginSupport.reload(node.adminClient());
    }

    @Test
    void reloadPrintsTheReportAndExitsZeroWhenNothingFailed() {
        Run r = pando("reload", "--token", node.adminToken());
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.lines()).as("one JSON line").hasSize(1);
        JsonNode report = Json.parse(r.out);
        assertThat(report.path("unchanged").asInt()).isEqualTo(2);
        assertThat(report.path("failed").asInt()).isZero();
        assertThat(report.path("generation").asLong()).isPositive();
        assertThat(report.path("outcomes")).extracting(o -> o.path("id").asText()).containsExactlyInAnyOrder("counter", "echo");
        assertThat(r.err).isEmpty();
    }

    @Test
    void reloadExitsOneWhenAPluginFailedAndStillPrintsTheReport() {
        PluginSupport.drop(pluginsDir, "broken.wasm",
                WasmBundle.packUnsigned(Wat.module("echo"), Wat.manifestJson("echo").replace("\"echo", "\"broken").getBytes(StandardCharsets.UTF_8)));
        Run r = pando("reload", "--data-dir", node.dataDir().toString());
        assertThat(r.exit).as(r.toString()).isEqualTo(1);
        JsonNode report = Json.parse(r.out);
        assertThat(report.path("failed").asInt()).isEqualTo(1);
        JsonNode failed = PluginSupport.outcome(report, "broken.wasm");
        assertThat(failed.path("action").asText()).isEqualTo("failed");
        assertThat(failed.path("error").asText()).contains("UNSIGNED");

        Run one = pando("reload", "echo", "--token", node.adminToken());
        assertThat(one.exit).as("reloading only echo does not touch the broken file: %s", one).isZero();
        assertThat(Json.parse(one.out).path("outcomes")).extracting(o -> o.path("id").asText()).containsExactly("echo");

        Run list = pando("plugins", "--token", node.adminToken());
        assertThat(list.exit).as(list.toString()).isZero();
        assertThat(list.lines()).filteredOn(l -> l.contains("broken.wasm") || l.contains("UNSIGNED")).hasSize(1)
                .allSatisfy(l -> assertThat(l).contains("FAILED").contains("UNSIGNED"));
    }

    @Test
    void aFailedReplacementShowsUpInBothCommands() {
        PluginSupport.drop(pluginsDir, "echo.wasm", signed("echo", Ed25519KeyPair.generate()));
        Run reload = pando("reload", "--token", node.adminToken());
        assertThat(reload.exit).as(reload.toString()).isEqualTo(1);
        JsonNode failed = PluginSupport.outcome(Json.parse(reload.out), "echo.wasm");
        assertThat(failed.path("error").asText()).contains("UNTRUSTED_SIGNER").contains("(version 1.0.0 keeps serving)");

        Run list = pando("plugins", "--token", node.adminToken());
        assertThat(list.exit).as(list.toString()).isZero();
        String echo = list.lines().stream().filter(l -> l.startsWith("echo ")).findFirst().orElseThrow();
        assertThat(echo).contains("LOADED").contains("echo.echo  [last reload failed: refused echo.wasm: UNTRUSTED_SIGNER");

        Run json = pando("plugins", "--json", "--token", node.adminToken());
        JsonNode entry = json.lines().stream().map(Json::parse).filter(o -> o.path("id").asText().equals("echo")).findFirst().orElseThrow();
        assertThat(entry.path("lastReload").path("action").asText()).isEqualTo("failed");
        assertThat(entry.path("lastReload").path("error").asText()).isEqualTo(failed.path("error").asText());

        // Putting the serving version back resolves it: the next reload finds echo unchanged and says so.
        PluginSupport.drop(pluginsDir, "echo.wasm", signed("echo", key));
        Run fixed = pando("reload", "--token", node.adminToken());
        assertThat(fixed.exit).as(fixed.toString()).isZero();
        assertThat(PluginSupport.outcome(Json.parse(fixed.out), "echo.wasm").path("action").asText()).isEqualTo("unchanged");
        Run after = pando("plugins", "--token", node.adminToken());
        String row = after.lines().stream().filter(l -> l.startsWith("echo ")).findFirst().orElseThrow();
        assertThat(row).as("no stale failure").doesNotContain("last reload failed").endsWith("echo.echo");
        assertThat(PluginSupport.plugin(node.adminClient(), "echo").path("lastReload").has("error")).isFalse();
    }

    @Test
    void pluginsPrintsOneLinePerPlugin() {
        // A few calls so the counters are not all zero.
        node.client().call("echo.echo", Json.obj());
        node.client().call("echo.echo", Json.obj());
        Run r = pando("plugins", "--data-dir", node.dataDir().toString());
        assertThat(r.exit).as(r.toString()).isZero();
        List<String> lines = r.lines();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("ID").contains("VERSION").contains("KIND").contains("SIGNER");
        List<String> rows = lines.subList(1, 3);
        assertThat(rows).anySatisfy(l -> assertThat(l.split("\\s+")).startsWith("counter", "1.0.0", "wasm", "LOADED", PluginSupport.fingerprint(key)));
        String echo = rows.stream().filter(l -> l.startsWith("echo ")).findFirst().orElseThrow();
        String[] cols = echo.split("\\s+");
        assertThat(cols[5]).as("calls column of %s", echo).isEqualTo(Long.toString(
                PluginSupport.plugin(node.adminClient(), "echo").path("stats").path("calls").asLong()));
        assertThat(Long.parseLong(cols[5])).isGreaterThanOrEqualTo(2);
        assertThat(echo).endsWith("echo.echo");
    }

    @Test
    void pluginsJsonPrintsOneObjectPerPlugin() {
        Run r = pando("plugins", "--json", "--token", node.adminToken());
        assertThat(r.exit).as(r.toString()).isZero();
        List<JsonNode> objects = new ArrayList<>();
        r.lines().forEach(l -> objects.add(Json.parse(l)));
        assertThat(objects).extracting(o -> o.path("id").asText()).containsExactlyInAnyOrder("counter", "echo");
        JsonNode counter = objects.stream().filter(o -> o.path("id").asText().equals("counter")).findFirst().orElseThrow();
        assertThat(counter).isEqualTo(PluginSupport.plugin(node.adminClient(), "counter"));
        assertThat(counter.path("kind").asText()).isEqualTo("wasm");
        assertThat(counter.path("signer").asText()).isEqualTo(PluginSupport.fingerprint(key));
    }

    @Test
    void withoutAnAdminTokenBothCommandsAreRefused() throws Exception {
        Path empty = Files.createDirectories(work.resolve("no-token-here"));
        for (String cmd : new String[] {"reload", "plugins"}) {
            Run r = pando(cmd, "--data-dir", empty.toString());
            assertThat(r.exit).as(r.toString()).isEqualTo(1);
            assertThat(r.out).isEmpty();
            assertThat(r.err).startsWith("error: ").containsAnyOf("FORBIDDEN", "UNAUTHORIZED");
        }
        Run wrong = pando("plugins", "--token", "adm_not-the-token");
        assertThat(wrong.exit).as(wrong.toString()).isEqualTo(1);
        assertThat(wrong.err).startsWith("error: ");
    }

    private record Run(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    /** Runs {@code pando args... --url <node>} in-process with an empty environment. */
    private static Run pando(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = node.url().toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = PandoCli.run(new PandoCli(new ByteArrayInputStream(new byte[0]), Map.of()), new PrintWriter(out), new PrintWriter(err), all);
        return new Run(exit, out.toString(), err.toString());
    }
}
