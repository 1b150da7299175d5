package dev.pando.it;

import static dev.pando.it.PluginSupport.failure;
import static dev.pando.it.PluginSupport.fingerprint;
import static dev.pando.it.PluginSupport.key;
import static dev.pando.it.PluginSupport.plugin;
import static dev.pando.it.PluginSupport.signed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.host.PluginFiles;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.testkit.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed WASM plugins on a real node, called over HTTP: they serve their ops, keep state under
 * their own prefix (checked through the client's kv ops), and admin.plugins describes them and
 * counts their calls.
 */
class WasmPluginIT {
    @TempDir
    static Path work;
    static Ed25519KeyPair key;
    static Path pluginsDir;
    static TestNode node;
    static PandoClient client;
    static PandoClient admin;

    @BeforeAll
    static void start() {
        key = Ed25519KeyPair.generate();
        pluginsDir = work.resolve("plugins");
        PluginSupport.drop(pluginsDir, "counter.wasm", signed("counter", key));
        PluginSupport.drop(pluginsDir, "echo.wasm", signed("echo", key));
        PluginSupport.drop(pluginsDir, "kvprobe.wasm", signed("kvprobe", key));
        PluginSupport.drop(pluginsDir, "events.wasm", signed("events", key));
        PluginSupport.drop(pluginsDir, "caps.wasm", signed("capabilities", key));
        node = TestNode.builder().inMemory()
                .with(NodeConfig.TRUSTED_KEYS, PluginSupport.trust(work.resolve("trusted-keys"), key).toString())
                .pluginsDir(pluginsDir)
                .start();
        client = node.client();
        admin = node.adminClient();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theSignedPluginsLoadAtStartupAndAReloadLeavesThemAlone() {
        assertThat(PluginSupport.plugins(admin)).extracting(p -> p.path("id").asText() + " " + p.path("state").asText())
                .containsExactlyInAnyOrder("ab LOADED", "counter LOADED", "echo LOADED", "listener LOADED", "caps LOADED");

        JsonNode report = PluginSupport.reload(admin);
        assertThat(report.path("unchanged").asInt()).as(report.toString()).isEqualTo(5);
        assertThat(report.path("loaded").asInt() + report.path("replaced").asInt() + report.path("failed").asInt()).isZero();
    }

    @Test
    void echoAnswersOverHttp() {
        JsonNode args = Json.parse("{\"text\":\"h\u00e9llo \u2603\",\"list\":[1,2.5,true,null],\"nested\":{\"a\":{\"b\":[]}}}");
        assertThat(client.call("echo.echo", args)).isEqualTo(args);
        assertThat(client.call("echo.echo", null)).isEqualTo(Json.obj());
    }

    @Test
    void counterKeepsItsTotalUnderItsOwnPrefix() {
        long before = client.find("/_plugins/counter/total").map(e -> e.path("value").asLong()).orElse(0L);

        JsonNode first = client.call("counter.add", Json.obj().put("by", 5));
        assertThat(first.path("total").asLong()).isEqualTo(before + 5);
        JsonNode stored = client.get("/_plugins/counter/total");
        assertThat(stored.path("value").asLong()).isEqualTo(before + 5);
        assertThat(stored.path("writer").asText()).isEqualTo("plugin:counter");

        // The plugin reads the store, not a private copy: a value written by a client is what it adds to.
        client.set("/_plugins/counter/total", Json.num(100));
        assertThat(client.call("counter.add", Json.obj().put("by", -3)).path("total").asLong()).isEqualTo(97);
        assertThat(client.get("/_plugins/counter/total").path("value").asLong()).isEqualTo(97);

        // A typed error from the guest reaches the HTTP client with its code and message.
        PandoException bad = failure(() -> client.call("counter.add", Json.obj().put("step", 1)));
        assertThat(bad.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(bad.getMessage()).contains("args need a number in by");
        assertThat(client.get("/_plugins/counter/total").path("value").asLong()).as("a refused call writes nothing").isEqualTo(97);
    }

    @Test
    void kvprobeReadsWritesScansAndDeletesItsOwnPrefix() {
        JsonNode set = client.call("ab.set", key("/_plugins/ab/x"));
        long revision = set.path("status").asLong();
        assertThat(revision).as("kv_set returns the new revision: %s", set).isPositive();
        JsonNode entry = client.get("/_plugins/ab/x");
        assertThat(entry.path("value").isIntegralNumber()).isTrue();
        assertThat(entry.path("value").asLong()).isEqualTo(1);
        assertThat(entry.path("revision").asLong()).isEqualTo(revision);
        assertThat(entry.path("writer").asText()).isEqualTo("plugin:ab");

        client.set("/_plugins/ab/from-client", Json.parse("{\"hi\":[1,2]}"));
        JsonNode got = client.call("ab.get", key("/_plugins/ab/from-client"));
        assertThat(got.path("status").asInt()).isPositive();
        assertThat(got.path("result").path("value")).isEqualTo(Json.parse("{\"hi\":[1,2]}"));
        assertThat(got.path("result").path("writer").asText()).isEqualTo("anonymous");

        JsonNode scan = client.call("ab.scan", key("/_plugins/ab"));
        List<String> keys = new ArrayList<>();
        scan.path("result").path("entries").forEach(e -> keys.add(e.path("key").asText()));
        assertThat(keys).containsExactly("/_plugins/ab/from-client", "/_plugins/ab/x");

        assertThat(client.call("ab.delete", key("/_plugins/ab/x")).path("status").asInt()).isEqualTo(1);
        assertThat(client.find("/_plugins/ab/x")).isEmpty();
        assertThat(client.call("ab.delete", key("/_plugins/ab/x")).path("status").asInt()).as("already gone").isZero();
        JsonNode missing = client.call("ab.get", key("/_plugins/ab/x"));
        assertThat(missing.path("status").asInt()).as("NOT_FOUND status").isEqualTo(-3);
        client.delete("/_plugins/ab/from-client");
    }

    @Test
    void adminPluginsDescribesAWasmPlugin() throws Exception {
        JsonNode p = plugin(admin, "counter");
        assertThat(p.path("state").asText()).isEqualTo("LOADED");
        assertThat(p.path("kind").asText()).isEqualTo("wasm");
        assertThat(p.path("file").asText()).isEqualTo("counter.wasm");
        assertThat(p.path("version").asText()).isEqualTo("1.0.0");
        assertThat(p.path("signer").asText()).isEqualTo(fingerprint(key)).hasSize(16);
        assertThat(p.path("hash").asText()).isEqualTo(PluginFiles.sha256Hex(Files.readAllBytes(pluginsDir.resolve("counter.wasm"))));
        assertThat(p.path("loadedAt").asLong()).isPositive();
        assertThat(p.path("ops")).isEqualTo(Json.parse("[{\"name\":\"counter.add\",\"scope\":\"write\"}]"));
        assertThat(p.path("kv")).isEqualTo(Json.parse("{\"read\":[\"/_plugins/counter\"],\"write\":[\"/_plugins/counter\"]}"));
        assertThat(p.path("listens")).isEqualTo(Json.parse("{\"changes\":[],\"events\":[]}"));
        assertThat(p.path("permissions")).isEqualTo(Json.parse("[]"));
        assertThat(p.path("limits")).isEqualTo(Json.parse("{\"memoryPages\":4,\"callTimeoutMs\":1000,\"instances\":2}"));
        assertThat(p.path("lastReload").path("action").asText()).isEqualTo("loaded");

        JsonNode ab = plugin(admin, "ab");
        assertThat(ab.path("ops")).extracting(o -> o.path("name").asText())
                .containsExactly("ab.get", "ab.set", "ab.create", "ab.delete", "ab.scan", "ab.apply", "ab.bad_ptr", "ab.bad_utf8",
                        "ab.set_overlong", "ab.set_inf", "ab.set_limit_plus_one", "ab.set_deep");
        assertThat(ab.path("ops")).allSatisfy(o -> assertThat(o.path("scope").asText()).as("default scope").isEqualTo("write"));
        assertThat(ab.path("kv").path("write")).isEqualTo(Json.parse("[\"/_plugins/ab\"]"));
        assertThat(plugin(admin, "echo").path("ops")).isEqualTo(Json.parse("[{\"name\":\"echo.echo\",\"scope\":\"read\"}]"));
    }

    @Test
    void callAndErrorCountersGrow() {
        JsonNode before = plugin(admin, "counter").path("stats");
        client.call("counter.add", Json.obj().put("by", 1));
        client.call("counter.add", Json.obj().put("by", 1));
        failure(() -> client.call("counter.add", Json.obj()));
        JsonNode after = plugin(admin, "counter").path("stats");

        assertThat(after.path("calls").asLong() - before.path("calls").asLong()).isEqualTo(3);
        assertThat(after.path("errors").asLong() - before.path("errors").asLong()).isEqualTo(1);
        assertThat(after.path("timeouts").asLong()).isEqualTo(before.path("timeouts").asLong());
        assertThat(after.path("failures").asLong()).as("a typed error is not a failure").isEqualTo(before.path("failures").asLong());
        assertThat(after.path("lastError").asText()).isEqualTo("BAD_REQUEST: args need a number in by");
    }

    @Test
    void adminOpsNeedTheAdminToken() {
        PandoException listing = failure(() -> client.call("admin.plugins", null));
        assertThat(listing.code()).isIn(ErrorCode.FORBIDDEN, ErrorCode.UNAUTHORIZED);
        PandoException reload = failure(() -> client.call("admin.reload", null));
        assertThat(reload.code()).isIn(ErrorCode.FORBIDDEN, ErrorCode.UNAUTHORIZED);
    }

    @Test
    void aWasmListenerHearsChangesAndEvents() {
        JsonNode ack = client.set("/sensors/t1", Json.parse("{\"c\":21.5}"));
        JsonNode change = PluginSupport.eventually("the listener stores the change", 10, () -> client.find("/_plugins/listener/last")
                .map(e -> e.path("value")).filter(v -> v.path("revision").asLong() == ack.path("revision").asLong()).orElse(null));
        assertThat(change.path("kind").asText()).isEqualTo("change");
        assertThat(change.path("key").asText()).isEqualTo("/sensors/t1");
        assertThat(change.path("value")).isEqualTo(Json.parse("{\"c\":21.5}"));
        assertThat(change.path("writer").asText()).isEqualTo("anonymous");

        client.publish("/alerts/fire", Json.parse("{\"level\":3}"));
        JsonNode event = PluginSupport.eventually("the listener stores the event", 10, () -> client.find("/_plugins/listener/last")
                .map(e -> e.path("value")).filter(v -> v.path("topic").asText().equals("/alerts/fire")).orElse(null));
        assertThat(event.path("topic").asText()).isEqualTo("/alerts/fire");
        assertThat(event.path("payload")).isEqualTo(Json.parse("{\"level\":3}"));
        assertThat(plugin(admin, "listener").path("stats").path("deliveries").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(plugin(admin, "listener").path("stats").path("deliveryErrors").asLong()).isZero();
    }

    @Test
    void permissionGatedHostFunctionsWorkWhenDeclared() {
        long before = System.currentTimeMillis();
        JsonNode stamp = client.call("caps.stamp", null);
        long after = System.currentTimeMillis();
        assertThat(stamp.path("clock").asLong()).as(stamp.toString()).isBetween(before, after);
        assertThat(stamp.path("publish").asInt()).isZero();
        assertThat(stamp.path("random").asInt()).isZero();
        assertThat(stamp.path("nonzero").asInt()).as("32 random bytes are not all zero").isPositive();
        assertThat(stamp.path("wildcard").asInt()).as("publishing to a pattern is a BAD_REQUEST status").isEqualTo(-1);
        assertThat(plugin(admin, "caps").path("permissions")).isEqualTo(Json.parse("[\"clock\",\"log\",\"publish\",\"random\"]"));

        // caps published {"n":1} to /alerts/caps; the listener plugin hears it as an event from plugin:caps.
        JsonNode heard = PluginSupport.eventually("the listener hears caps' event", 10, () -> client.find("/_plugins/listener/last")
                .map(e -> e.path("value")).filter(v -> v.path("topic").asText().equals("/alerts/caps")).orElse(null));
        assertThat(heard.path("payload")).isEqualTo(Json.parse("{\"n\":1}"));
        assertThat(heard.path("publisher").asText()).isEqualTo("plugin:caps");
    }
}
