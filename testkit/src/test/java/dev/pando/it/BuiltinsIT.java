package dev.pando.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.node.config.NodeConfig;
import dev.pando.testkit.Eventually;
import dev.pando.testkit.TestNode;
import dev.pando.testkit.Watch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal and rules builtins in a real node on RocksDB: served, configurable, durable, bounded by authority. */
class BuiltinsIT {
    private static final Duration BOUND = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static JsonNode json(String text) {
        return Json.parse(text);
    }

    @Test
    void builtinsAreListedAsBuiltinAndCanBeSwitchedOff() {
        try (TestNode node = TestNode.builder().builtins("journal", "rules").start()) {
            List<JsonNode> plugins = PluginSupport.plugins(node.adminClient());
            assertThat(plugins).extracting(p -> p.path("id").asText()).contains("journal", "rules");
            assertThat(PluginSupport.plugin(node.adminClient(), "journal").path("kind").asText()).isEqualTo("builtin");
            assertThat(PluginSupport.plugin(node.adminClient(), "rules").path("file").asText()).isEqualTo("builtin:rules");
        }
        try (TestNode node = TestNode.builder().with(NodeConfig.BUILTINS, "").start()) {
            PandoException e = PluginSupport.failure(() -> node.adminClient().call("journal.status", Json.obj()));
            assertThat(e.code().name()).isEqualTo("NOT_FOUND");
        }
    }

    @Test
    void aJournalReadSeesEveryWriteAcknowledgedBeforeItEvenWhileTheJournalLingers() throws Exception {
        Path plugins = dir.resolve("plugins");
        java.nio.file.Files.createDirectories(plugins);
        java.nio.file.Files.writeString(plugins.resolve("journal.config.json"), "{\"lingerMs\": 1000}");
        try (TestNode node = TestNode.builder().builtins("journal").pluginsDir(plugins).start()) {
            PandoClient admin = node.adminClient();
            for (int i = 1; i <= 5; i++) {
                admin.set("/ryw/k" + i, json(String.valueOf(i)));
                // Right after the answer: the journal is lingering for up to a second, yet the read waits for it.
                assertThat(admin.call("journal.query", json("{\"pattern\":\"/ryw/**\"}")).path("entries")).as("after write " + i)
                        .hasSize(i);
                assertThat(admin.call("journal.latest", json("{\"pattern\":\"/ryw/k" + i + "\",\"limit\":1}")).path("entries")).hasSize(1);
            }
            assertThat(admin.call("journal.status", Json.obj()).path("lag").asLong()).isZero();
        }
    }

    /** The journal's entries, index rows and head are unpublished: neither kv.changes nor a subscriber to everything sees them. */
    @Test
    void theJournalsBookkeepingReachesNeitherTheFeedNorASubscriber() {
        try (TestNode node = TestNode.builder().builtins("journal").dataDir(dir.resolve("q")).start()) {
            PandoClient admin = node.adminClient();
            try (Watch all = node.watch("/**")) {
                long last = 0;
                for (int i = 0; i < 20; i++) {
                    last = admin.set("/q/" + i, json(String.valueOf(i))).path("revision").asLong();
                }
                long through = last;
                Eventually.eventually("journal at " + last, BOUND,
                        () -> admin.call("journal.status", Json.obj()).path("lastSeq").asLong() == 20 ? true : null);
                assertThat(admin.call("journal.query", json("{\"pattern\":\"/q/**\"}")).path("entries")).hasSize(20);
                for (int i = 0; i < 20; i++) {
                    all.awaitChange("/q/" + i, BOUND);
                }
                all.assertQuiet(Duration.ofMillis(300));
                JsonNode feed = admin.call("kv.changes", json("{\"after\":0}"));
                assertThat(feed.path("changes")).hasSize(20).allMatch(c -> c.path("key").asText().startsWith("/q/"));
                assertThat(feed.path("lastRevision").asLong()).isEqualTo(through);
                assertThat(admin.get("/_plugins/journal/head").path("revision").asLong()).as("its head took a revision of its own")
                        .isGreaterThan(through);
            }
            node.restart();
            PandoClient again = node.adminClient();
            assertThat(again.call("journal.status", Json.obj()).path("lag").asLong()).isZero();
            assertThat(again.call("kv.changes", json("{\"after\":0}")).path("changes")).hasSize(20);
        }
    }

    @Test
    void journalQueriesSnapshotsAndReplaysAcrossARestart() {
        try (TestNode node = TestNode.builder().builtins("journal").dataDir(dir.resolve("j")).start()) {
            PandoClient admin = node.adminClient();
            long r1 = admin.set("/lights/1", json("{\"on\":true}")).path("revision").asLong();
            admin.set("/lights/2", json("{\"on\":false}"));
            admin.set("/lights/1", json("{\"on\":false}"));
            admin.delete("/lights/2");
            long last = admin.set("/doors/1", json("\"open\"")).path("revision").asLong();
            Eventually.eventually("journal at " + last, BOUND,
                    () -> admin.call("journal.status", Json.obj()).path("lastRevision").asLong() >= last ? true : null);

            node.restart();
            PandoClient again = node.adminClient();
            JsonNode lights = again.call("journal.query", json("{\"pattern\":\"/lights/**\"}"));
            assertThat(lights.path("entries")).extracting(e -> e.path("key").asText() + "=" + e.path("value"))
                    .containsExactly("/lights/1={\"on\":true}", "/lights/2={\"on\":false}", "/lights/1={\"on\":false}", "/lights/2=null");
            // The state as it was right after the first write: one light, on.
            JsonNode then = again.call("journal.snapshot", json("{\"revision\":" + r1 + "}"));
            assertThat(then.toString()).contains("/lights/1").doesNotContain("/lights/2").doesNotContain("/doors/1");
            again.call("journal.replay", json("{\"target\":\"/replay/now\"}"));
            assertThat(again.get("/replay/now/lights/1").path("value")).isEqualTo(json("{\"on\":false}"));
            assertThat(again.get("/replay/now/doors/1").path("value")).isEqualTo(json("\"open\""));
            assertThat(again.find("/replay/now/lights/2")).as("deleted before the replayed revision").isEmpty();
        }
    }

    @Test
    void aThresholdRuleFiresOncePerCrossingAndSurvivesARestart() {
        try (TestNode node = TestNode.builder().builtins("rules").dataDir(dir.resolve("r")).start()) {
            PandoClient admin = node.adminClient();
            admin.call("rules.put", json("""
                    {"rule": {"id": "fan", "trigger": {"type": "on_threshold", "pattern": "/sensors/*/temp", "field": "c", "value": 30},
                              "actions": [{"type": "set_from_trigger", "key": "/devices/fan", "field": "c",
                                           "transform": {"clamp": {"min": 0, "max": 35}}}]}}"""));
            try (Watch fan = node.watch("/devices/fan")) {
                admin.set("/sensors/kitchen/temp", json("{\"c\":25}"));
                admin.set("/sensors/kitchen/temp", json("{\"c\":40}")); // crosses: fires, clamped to 35
                assertThat(fan.awaitChange("/devices/fan", BOUND).path("value").asInt()).isEqualTo(35);
                admin.set("/sensors/kitchen/temp", json("{\"c\":41}")); // still above: quiet
                admin.set("/sensors/kitchen/temp", json("{\"c\":20}")); // back below: re-armed, quiet
                admin.set("/sensors/kitchen/temp", json("{\"c\":31}")); // crosses again
                JsonNode second = fan.awaitChange("/devices/fan", BOUND);
                assertThat(second.path("value").asInt()).as("the next write is the second crossing, not 41").isEqualTo(31);
                assertThat(second.path("writer").asText()).isEqualTo("plugin:rules/rule:fan");
            }
            assertThat(admin.call("rules.get", json("{\"id\":\"fan\"}")).path("stats").path("fired").asLong()).isEqualTo(2);

            node.restart();
            PandoClient again = node.adminClient();
            try (Watch fan = node.watch("/devices/fan")) {
                again.set("/sensors/hall/temp", json("{\"c\":33}"));
                assertThat(fan.awaitChange("/devices/fan", BOUND).path("value").asInt()).as("the rule came back with the node").isEqualTo(33);
            }
        }
    }

    @Test
    void aRuleStopsActingWhenItsAuthorLosesTheRight() {
        Path data = dir.resolve("a");
        try (TestNode open = TestNode.builder().builtins("rules").dataDir(data).start()) {
            // Open mode: the anonymous caller may write, so its rule is accepted and acts.
            open.client().call("rules.put", json("""
                    {"rule": {"id": "copy", "trigger": {"type": "on_change", "pattern": "/in/*"},
                              "actions": [{"type": "set_from_trigger", "key": "/out/copy"}]}}"""));
            try (Watch out = open.watch("/out/copy")) {
                open.adminClient().set("/in/a", json("1"));
                assertThat(out.awaitChange("/out/copy", BOUND).path("value").asInt()).isEqualTo(1);
            }
        }
        try (TestNode closed = TestNode.builder().builtins("rules").dataDir(data).with(NodeConfig.AUTH_MODE, "authenticated").start()) {
            PandoClient admin = closed.adminClient();
            assertThat(admin.call("rules.get", json("{\"id\":\"copy\"}")).path("author").asText()).isEqualTo("anonymous");
            admin.set("/in/a", json("2"));
            Eventually.eventually("the rule notices its author lost the right", BOUND,
                    () -> admin.call("rules.get", json("{\"id\":\"copy\"}")).path("stats").path("forbidden").asLong() > 0 ? true : null);
            assertThat(admin.get("/out/copy").path("value").asInt()).as("not copied by a rule whose author may no longer write").isEqualTo(1);
        }
    }

    /**
     * The journal wraps each value with its change's metadata (entry) and compaction wraps it again
     * (base): a value a client could store at every store limit, under the longest key there is,
     * must still be journaled, read back whole and compacted, and the journal must go on after it.
     */
    @Test
    void valuesAtTheStoreLimitsAreJournaledAndCompactedAndTheJournalGoesOn() {
        try (TestNode node = TestNode.builder().builtins("journal").dataDir(dir.resolve("limits")).start()) {
            PandoClient admin = node.adminClient();
            // The longest key, of the characters JSON must escape: its entry carries it twice as long.
            String key = "/limits/" + "\"\\".repeat((dev.pando.api.path.Keys.MAX_KEY_BYTES - "/limits/".length()) / 2);
            JsonNode biggest = com.fasterxml.jackson.databind.node.TextNode.valueOf("x".repeat(65_536 - 2)); // store.max-value-bytes
            JsonNode deepest = json("[".repeat(64) + "1" + "]".repeat(64)); // limits.max-json-depth
            admin.set(key, biggest);
            admin.set("/limits/deep", deepest);
            admin.set("/limits/after", json("1"));

            Eventually.eventually("the journal past the limit values", BOUND,
                    () -> admin.call("journal.status", Json.obj()).path("lastSeq").asLong() == 3 ? true : null);
            assertThat(admin.call("journal.latest", Json.obj().put("pattern", key).put("limit", 1)).path("entries").get(0).path("value"))
                    .isEqualTo(biggest);
            assertThat(admin.call("journal.latest", json("{\"pattern\":\"/limits/deep\",\"limit\":1}")).path("entries").get(0).path("value"))
                    .isEqualTo(deepest);

            long last = admin.set("/limits/later", json("2")).path("revision").asLong();
            admin.call("journal.compact", json("{\"keepLast\":1}"));
            JsonNode state = admin.call("journal.snapshot", Json.obj().put("revision", last).put("pattern", "/limits/**"));
            assertThat(state.path("entries")).extracting(e -> e.path("key").asText())
                    .containsExactlyInAnyOrder(key, "/limits/after", "/limits/deep", "/limits/later");
            for (JsonNode e : state.path("entries")) {
                if (e.path("key").asText().equals(key)) {
                    assertThat(e.path("value")).isEqualTo(biggest);
                } else if (e.path("key").asText().equals("/limits/deep")) {
                    assertThat(e.path("value")).isEqualTo(deepest);
                }
            }
            assertThat(admin.call("journal.status", Json.obj()).path("lag").asLong()).isZero();
        }
    }
}
