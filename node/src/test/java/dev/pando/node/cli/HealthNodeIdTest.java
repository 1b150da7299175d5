package dev.pando.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.node.PandoNode;
import dev.pando.node.auth.NodeIdentity;
import dev.pando.node.config.NodeConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** health names the node that answered, and can insist on one node: another process on the port is not "ok". */
class HealthNodeIdTest {

    @Test
    void healthTellsWhichNodeAnswered(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Path other = dir.resolve("other");
        String otherId = NodeIdentity.loadOrCreate(java.nio.file.Files.createDirectories(other)).nodeId();
        NodeConfig config = NodeConfig.defaults().with(NodeConfig.DATA_DIR, data).with(NodeConfig.PORT, 0)
                .with(NodeConfig.PLUGINS_DIR, dir.resolve("plugins"));
        try (PandoNode node = PandoNode.start(config)) {
            String url = "http://127.0.0.1:" + node.port();

            CliRun plain = CliRun.run("health", "--url", url);
            assertThat(plain.exit()).as(plain.toString()).isZero();
            assertThat(new ObjectMapper().readTree(plain.out()).path("nodeId").asText()).isEqualTo(node.nodeId());

            CliRun mine = CliRun.run("health", "--wait", "5", "--data-dir", data.toString(), "--url", url);
            assertThat(mine.exit()).as(mine.toString()).isZero();
            assertThat(CliRun.run("health", "--node-id", node.nodeId(), "--url", url).exit()).isZero();

            // A node started with data dir 'other' died; this one answers on the port instead.
            CliRun wrong = CliRun.run("health", "--wait", "1", "--data-dir", other.toString(), "--url", url);
            assertThat(wrong.exit()).as(wrong.toString()).isEqualTo(ExitCodes.REQUEST);
            assertThat(wrong.out()).isEmpty();
            assertThat(wrong.err()).contains("node " + node.nodeId() + " answered").contains("not node " + otherId)
                    .contains("--port");

            CliRun never = CliRun.run("health", "--data-dir", dir.resolve("never-started").toString(), "--url", url);
            assertThat(never.exit()).isEqualTo(ExitCodes.REQUEST);
            assertThat(never.err()).contains("has it started?");
        }
    }
}
