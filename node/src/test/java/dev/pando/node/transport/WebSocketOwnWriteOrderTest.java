package dev.pando.node.transport;

import static dev.pando.node.transport.TestNode.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.node.PandoNode;
import dev.pando.node.config.NodeConfig;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guarantee of docs/architecture.md, over a real node (RocksDB store, commit and ack
 * threads, event bus): a client subscribed to the keys it writes receives the response to each
 * {@code kv.set} before the push carrying that change.
 */
class WebSocketOwnWriteOrderTest {

    private static NodeConfig config(Path dir) {
        return NodeConfig.defaults()
                .with(NodeConfig.DATA_DIR, dir.resolve("data"))
                .with(NodeConfig.PLUGINS_DIR, dir.resolve("plugins"))
                .with(NodeConfig.BUILTINS, "")
                .with(NodeConfig.PORT, 0);
    }

    @Test
    void aWritersResponseComesBeforeThePushOfItsOwnChange(@TempDir Path dir) throws Exception {
        try (PandoNode node = PandoNode.start(config(dir));
                RawWebSocket ws = RawWebSocket.open(node.port(), "/v1/ws")) {
            ws.sendText("{\"id\":\"s\",\"op\":\"pubsub.subscribe\",\"args\":{\"pattern\":\"/own/**\",\"events\":false}}");
            JsonNode subscribed = json(ws.readText());
            assertThat(subscribed.get("ok").asBoolean()).as(subscribed.toString()).isTrue();

            // One at a time: the response, then the push.
            for (int i = 0; i < 20; i++) {
                ws.sendText("{\"id\":" + i + ",\"op\":\"kv.set\",\"args\":{\"key\":\"/own/one\",\"value\":" + i + "}}");
                JsonNode first = json(ws.readText());
                assertThat(first.has("type")).as("the response comes first, got " + first).isFalse();
                JsonNode push = json(ws.readText());
                assertThat(push.at("/change/revision").asLong()).isEqualTo(first.at("/result/revision").asLong());
            }

            // Pipelined: writes from one read are committed in group batches and acknowledged
            // together, so responses and pushes interleave; a push never overtakes its response.
            int n = 500;
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                all.write(RawWebSocket.textFrame("{\"id\":" + i + ",\"op\":\"kv.set\",\"args\":{\"key\":\"/own/k" + (i % 7)
                        + "\",\"value\":" + i + "}}"));
            }
            ws.write(all.toByteArray());
            Set<Long> answered = new HashSet<>();
            int pushes = 0;
            while (answered.size() < n || pushes < n) {
                JsonNode f = json(ws.readText());
                if (f.has("type")) {
                    assertThat(f.get("type").asText()).isEqualTo("change");
                    long revision = f.at("/change/revision").asLong();
                    assertThat(answered).as("the response to revision %d was written before its push", revision).contains(revision);
                    pushes++;
                } else {
                    assertThat(f.get("ok").asBoolean()).as(f.toString()).isTrue();
                    answered.add(f.at("/result/revision").asLong());
                }
            }
            assertThat(answered).hasSize(n);
        }
    }
}
