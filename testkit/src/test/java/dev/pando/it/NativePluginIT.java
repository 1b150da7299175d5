package dev.pando.it;

import static dev.pando.it.PluginSupport.eventually;
import static dev.pando.it.PluginSupport.failure;
import static dev.pando.it.PluginSupport.plugin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.host.testing.PluginJarBuilder;
import dev.pando.node.config.NodeConfig;
import dev.pando.testkit.TestNode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native (PF4J) plugins on a real node: ops over HTTP, the scoped KV view with its errors reaching
 * the HTTP client, change listeners, and listeners that throw or stall never holding up writers.
 */
class NativePluginIT {
    private static final int WRITES = 200;
    /** Deliveries a listener may have queued: more than {@link #WRITES}, fewer than {@link #FLOOD}. */
    private static final int QUEUE = 300;
    private static final int FLOOD = 400;

    @TempDir
    static Path work;
    static TestNode node;
    static PandoClient client;
    static PandoClient admin;

    @BeforeAll
    static void start() {
        Path plugins = work.resolve("plugins");
        new PluginJarBuilder()
                .manifest("""
                        {"id": "nat", "version": "1.0.0", "apiVersion": 1,
                         "ops": [{"name": "nat.hello", "scope": "read"}, {"name": "nat.put"}, {"name": "nat.get", "scope": "read"},
                                 {"name": "nat.boom", "scope": "read"}, {"name": "nat.nap", "scope": "read"}],
                         "limits": {"callTimeoutMs": 1000},
                         "kv": {"read": ["/sensors"]},
                         "listens": {"changes": ["/sensors/**"]}}""")
                .source("example.nat.Nat", """
                        package example.nat;

                        import com.fasterxml.jackson.databind.JsonNode;
                        import com.fasterxml.jackson.databind.node.JsonNodeFactory;
                        import dev.pando.api.plugin.*;

                        @org.pf4j.Extension
                        public class Nat implements PandoPlugin {
                            private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
                            private volatile PluginContext ctx;

                            @Override
                            public void start(PluginContext context) {
                                ctx = context;
                            }

                            @Override
                            public JsonNode call(OpCall call) {
                                JsonNode args = call.args();
                                switch (call.verb()) {
                                    case "hello":
                                        return NODES.objectNode().put("hello", args.path("name").asText()).put("caller", call.caller().name());
                                    case "put": {
                                        KvEntry e = ctx.kv().set(args.get("key").asText(), args.get("value"));
                                        return NODES.objectNode().put("revision", e.revision()).put("writer", e.writer());
                                    }
                                    case "get":
                                        return ctx.kv().get(args.get("key").asText()).map(KvEntry::value).orElse(null);
                                    case "boom":
                                        throw new IllegalStateException("kaboom");
                                    case "nap":
                                        try {
                                            Thread.sleep(60_000);
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt(); // as Java code should
                                        }
                                        return NODES.textNode("woke up");
                                    default:
                                        throw new IllegalArgumentException(call.op());
                                }
                            }

                            @Override
                            public void onChange(KvChange change) {
                                String name = change.key().substring(change.key().lastIndexOf('/') + 1);
                                String seen = ctx.manifest().defaultPrefix() + "/seen/" + name;
                                if (change.isDelete()) {
                                    ctx.kv().delete(seen);
                                } else {
                                    ctx.kv().set(seen, NODES.objectNode().put("key", change.key()).put("revision", change.revision())
                                            .put("writer", change.writer()).set("value", change.value()));
                                }
                            }
                        }
                        """)
                .writeTo(plugins, "nat.jar");
        // Listens to /slow/**. A change at /slow/block/<name> makes the listener mark
        // /_plugins/slow/blocked/<name> and wait (up to its 30 s call limit) until
        // /_plugins/slow/release/<name> exists; /slow/throw makes it throw; every other change
        // is recorded at /_plugins/slow/last.
        new PluginJarBuilder()
                .manifest("""
                        {"id": "slow", "version": "1.0.0", "apiVersion": 1,
                         "kv": {"read": ["/slow"]},
                         "listens": {"changes": ["/slow/**"]},
                         "limits": {"callTimeoutMs": 30000}}""")
                .source("example.slow.Slow", """
                        package example.slow;

                        import com.fasterxml.jackson.databind.JsonNode;
                        import com.fasterxml.jackson.databind.node.JsonNodeFactory;
                        import dev.pando.api.plugin.*;

                        @org.pf4j.Extension
                        public class Slow implements PandoPlugin {
                            private volatile PluginContext ctx;

                            @Override
                            public void start(PluginContext context) {
                                ctx = context;
                            }

                            @Override
                            public JsonNode call(OpCall call) {
                                return null;
                            }

                            @Override
                            public void onChange(KvChange change) {
                                if (change.key().equals("/slow/throw")) {
                                    throw new IllegalStateException("listener refuses " + change.key());
                                }
                                if (change.key().startsWith("/slow/block/")) {
                                    String name = change.key().substring("/slow/block/".length());
                                    ctx.kv().set("/_plugins/slow/blocked/" + name, JsonNodeFactory.instance.booleanNode(true));
                                    while (ctx.kv().get("/_plugins/slow/release/" + name).isEmpty()) {
                                        try {
                                            Thread.sleep(5);
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                            throw new IllegalStateException("interrupted while blocked", e);
                                        }
                                    }
                                    return;
                                }
                                ctx.kv().set("/_plugins/slow/last", JsonNodeFactory.instance.textNode(change.key()));
                            }
                        }
                        """)
                .writeTo(plugins, "slow.jar");
        node = TestNode.builder().inMemory().with(NodeConfig.LISTENER_QUEUE, QUEUE).pluginsDir(plugins).start();
        client = node.client();
        admin = node.adminClient();
        assertThat(plugin(admin, "nat").path("kind").asText()).isEqualTo("native");
        assertThat(plugin(admin, "slow").path("state").asText()).isEqualTo("LOADED");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aNativeOpAnswersOverHttpAndSeesItsCaller() {
        JsonNode anon = client.call("nat.hello", Json.obj().put("name", "ada"));
        assertThat(anon).isEqualTo(Json.parse("{\"hello\":\"ada\",\"caller\":\"anonymous\"}"));
        assertThat(admin.call("nat.hello", Json.obj().put("name", "bob")).path("caller").asText()).isEqualTo("admin");
    }

    @Test
    void ctxKvWorksInsideThePrefixes() {
        JsonNode put = client.call("nat.put", Json.obj().put("key", "/_plugins/nat/data/a").set("value", Json.parse("{\"n\":1}")));
        JsonNode entry = client.get("/_plugins/nat/data/a");
        assertThat(entry.path("value")).isEqualTo(Json.parse("{\"n\":1}"));
        assertThat(entry.path("revision").asLong()).isEqualTo(put.path("revision").asLong());
        assertThat(entry.path("writer").asText()).isEqualTo("plugin:nat").isEqualTo(put.path("writer").asText());

        // kv.read covers /sensors: readable, though not writable.
        client.set("/sensors/readable", Json.num(42));
        assertThat(client.call("nat.get", Json.obj().put("key", "/sensors/readable")).asLong()).isEqualTo(42);
    }

    @Test
    void keysOutsideThePrefixesAreForbiddenAndTheCodeReachesTheClient() {
        String[] writes = {"/elsewhere/x", "/sensors/not-for-nat", "/_plugins/natx/y", "/_plugins/slow/not-for-nat", "/_sys/x"};
        for (String key : writes) {
            PandoException e = failure(() -> client.call("nat.put", Json.obj().put("key", key).put("value", 1)));
            assertThat(e.code()).as(key).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(e.getMessage()).contains("plugin 'nat' may not write '" + key + "'");
        }
        for (String key : new String[] {"/elsewhere/x", "/_plugins/slow/last", "/sensorsx/a"}) {
            PandoException e = failure(() -> client.call("nat.get", Json.obj().put("key", key)));
            assertThat(e.code()).as(key).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(e.getMessage()).contains("plugin 'nat' may not read '" + key + "'");
        }
        PandoException dots = failure(() -> client.call("nat.put", Json.obj().put("key", "/_plugins/nat/../slow/x").put("value", 1)));
        assertThat(dots.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        for (String key : new String[] {"/elsewhere/x", "/sensors/not-for-nat", "/_plugins/natx/y", "/_plugins/slow/not-for-nat", "/_plugins/slow/x"}) {
            assertThat(admin.find(key)).as("nothing written at %s", key).isEmpty();
        }
    }

    @Test
    void anExceptionEscapingANativeOpIsPluginFailed() {
        JsonNode before = plugin(admin, "nat").path("stats");
        PandoException e = failure(() -> client.call("nat.boom", null));
        assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
        assertThat(e.getMessage()).contains("IllegalStateException: kaboom");
        JsonNode after = plugin(admin, "nat").path("stats");
        assertThat(after.path("failures").asLong()).isEqualTo(before.path("failures").asLong() + 1);
        assertThat(client.call("nat.hello", Json.obj().put("name", "x")).path("hello").asText()).isEqualTo("x");
    }

    @Test
    void aNativeCallPastItsTimeLimitIsInterruptedAndAnsweredTimeout() {
        JsonNode before = plugin(admin, "nat").path("stats");
        PandoException e = failure(() -> client.call("nat.nap", null));
        assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(e.getMessage()).contains("did not answer nat.nap within 1000 ms");
        assertThat(plugin(admin, "nat").path("stats").path("timeouts").asLong()).isEqualTo(before.path("timeouts").asLong() + 1);
        // The interrupt the plugin re-asserted does not leak into later work on the node's workers.
        for (int i = 0; i < 8; i++) {
            JsonNode put = client.call("nat.put", Json.obj().put("key", "/_plugins/nat/after-nap").put("value", i));
            assertThat(client.get("/_plugins/nat/after-nap").path("revision").asLong()).isEqualTo(put.path("revision").asLong());
        }
    }

    @Test
    void changesAreDeliveredToTheListener() {
        JsonNode ack = client.set("/sensors/t1", Json.parse("{\"c\":21.5}"));
        JsonNode seen = eventually("the listener records /sensors/t1", 10, () -> {
            JsonNode e = client.find("/_plugins/nat/seen/t1").orElse(null);
            return e != null && e.path("value").path("revision").asLong() == ack.path("revision").asLong() ? e : null;
        });
        assertThat(seen.path("value").path("key").asText()).isEqualTo("/sensors/t1");
        assertThat(seen.path("value").path("value")).isEqualTo(Json.parse("{\"c\":21.5}"));
        assertThat(seen.path("writer").asText()).isEqualTo("plugin:nat");

        // Deeper keys match /sensors/**; keys outside it are not delivered.
        client.set("/sensors/room/t2", Json.num(3));
        client.set("/other/t3", Json.num(4));
        eventually("the listener records /sensors/room/t2", 10, () -> client.find("/_plugins/nat/seen/t2").orElse(null));
        client.delete("/sensors/t1");
        eventually("the listener sees the delete", 10, () -> client.find("/_plugins/nat/seen/t1").isEmpty() ? true : null);
        assertThat(client.find("/_plugins/nat/seen/t3")).as("/other is not listened to").isEmpty();
        assertThat(plugin(admin, "nat").path("stats").path("deliveries").asLong()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aStalledOrThrowingListenerNeverBlocksWriters() {
        JsonNode before = plugin(admin, "slow").path("stats");
        client.set("/slow/throw", Json.num(0));
        client.set("/slow/block/a", Json.num(0));
        eventually("the listener is stalled in /slow/block/a", 10, () -> client.find("/_plugins/slow/blocked/a").orElse(null));

        Set<Long> revisions = new HashSet<>();
        for (int i = 0; i < WRITES; i++) {
            revisions.add(client.set("/slow/n/" + i, Json.num(i)).path("revision").asLong());
        }
        assertThat(revisions).as("every write was acknowledged with its own revision").hasSize(WRITES);
        assertThat(client.scan("/slow/n")).hasSize(WRITES);

        JsonNode stalled = plugin(admin, "slow").path("stats");
        assertThat(stalled.path("deliveries").asLong() - before.path("deliveries").asLong())
                .as("the writes completed while the listener was still stuck on its second change").isEqualTo(2);
        assertThat(stalled.path("deliveryErrors").asLong() - before.path("deliveryErrors").asLong()).isEqualTo(1);
        assertThat(stalled.path("lastError").asText()).contains("listener refuses /slow/throw");
        assertThat(client.find("/_plugins/slow/last").map(e -> e.path("value").asText()).orElse(""))
                .as("nothing after the stall was delivered yet").doesNotStartWith("/slow/n/");

        client.set("/_plugins/slow/release/a", Json.num(1));
        eventually("the listener catches up, in order", 20,
                () -> client.find("/_plugins/slow/last").filter(e -> e.path("value").asText().equals("/slow/n/" + (WRITES - 1))).orElse(null));
        JsonNode after = plugin(admin, "slow").path("stats");
        assertThat(after.path("deliveries").asLong() - before.path("deliveries").asLong()).isEqualTo(WRITES + 2);
        assertThat(after.path("deliveryErrors").asLong() - before.path("deliveryErrors").asLong()).isEqualTo(1);
        assertThat(plugin(admin, "slow").has("listener")).as("not cut off").isFalse();
    }

    @Test
    void aListenerThatFallsAWholeQueueBehindIsCutOffUntilItIsReloaded() {
        JsonNode before = plugin(admin, "slow").path("stats");
        client.set("/slow/block/b", Json.num(0));
        eventually("the listener is stalled in /slow/block/b", 10, () -> client.find("/_plugins/slow/blocked/b").orElse(null));
        for (int i = 0; i < FLOOD; i++) {
            client.set("/slow/m/" + i, Json.num(i));
        }
        assertThat(client.scan("/slow/m")).as("every write committed").hasSize(FLOOD);
        assertThat(plugin(admin, "slow").path("listener").asText()).as("admin.plugins shows the cut-off").contains("cut off");

        client.set("/_plugins/slow/release/b", Json.num(1));
        // The queue held QUEUE changes when the next one was refused: those are still delivered, in order.
        eventually("the listener drains its queue", 20, () -> client.find("/_plugins/slow/last")
                .filter(e -> e.path("value").asText().equals("/slow/m/" + (QUEUE - 1))).orElse(null));
        assertThat(plugin(admin, "slow").path("stats").path("deliveries").asLong() - before.path("deliveries").asLong())
                .isEqualTo(QUEUE + 1);

        // Reloading the plugin subscribes it again, as admin.plugins says.
        JsonNode report = PluginSupport.reload(admin, "slow");
        assertThat(plugin(admin, "slow").has("listener")).as("after %s: %s", report, plugin(admin, "slow")).isFalse();
        client.set("/slow/after", Json.num(1));
        eventually("a change after the reload is delivered", 10, () -> client.find("/_plugins/slow/last")
                .filter(e -> e.path("value").asText().equals("/slow/after")).orElse(null));
    }
}
