package dev.pando.it;

import static dev.pando.it.Json.num;
import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.client.PandoClient;
import dev.pando.testkit.TestNode;
import org.junit.jupiter.api.Test;

/** A real node on RocksDB, stopped and started again on the same data dir. */
class RestartIT {

    @Test
    void valuesMetadataAndRevisionsSurviveRestart() {
        try (TestNode node = TestNode.start()) {
            PandoClient c = node.client();
            for (int i = 1; i <= 50; i++) {
                c.set("/site-a/lights/" + i, obj().put("level", i));
            }
            c.delete("/site-a/lights/7");
            JsonNode before = c.get("/site-a/lights/3");
            long lastBefore = c.info().get("revision").asLong();
            String nodeId = c.info().get("nodeId").asText();
            assertThat(lastBefore).isEqualTo(51);

            node.restart();
            PandoClient after = node.client();
            assertThat(after.info().get("nodeId").asText()).as("node identity is stable").isEqualTo(nodeId);
            assertThat(after.get("/site-a/lights/3")).isEqualTo(before);
            assertThat(after.find("/site-a/lights/7")).isEmpty();
            assertThat(after.scan("/site-a/lights")).hasSize(49);
            assertThat(after.info().get("revision").asLong()).isEqualTo(lastBefore);

            long next = after.set("/site-a/lights/1", num(0)).get("revision").asLong();
            assertThat(next).as("revisions continue from where they were").isEqualTo(lastBefore + 1);

            JsonNode feed = after.call("kv.changes", obj().put("after", 49));
            assertThat(feed.get("changes")).hasSize(3);
            assertThat(feed.get("changes").get(1).get("key").asText()).isEqualTo("/site-a/lights/7");
            assertThat(feed.get("changes").get(1).get("value").isNull()).as("a delete is a change with null value").isTrue();
        }
    }

    @Test
    void adminTokenIsCreatedOnceAndKept() {
        try (TestNode node = TestNode.start()) {
            String token = node.adminToken();
            assertThat(token).startsWith("adm_");
            node.restart();
            assertThat(node.adminToken()).isEqualTo(token);
            assertThat(node.adminClient().call("admin.ops", obj()).get("ops").size()).isGreaterThan(5);
        }
    }
}
