package dev.pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.pando.client.PandoClient;
import dev.pando.node.config.ConfigLoader;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StateStoreCrash;
import dev.pando.node.kv.StoreOptions;
import dev.pando.node.kv.WriteOptions;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rollback found at start is visible to operators: node.info and /metrics, not only RocksDB's LOG. */
class NodeStoreRecoveryTest {
    @TempDir
    Path tmp;

    @Test
    void aTornWalShowsInNodeInfoAndMetrics() throws Exception {
        Path data = tmp.resolve("data");
        Path state = data.resolve("state");
        StateStore s = StateStore.rocks(state, StoreOptions.defaults("n"));
        for (int i = 0; i < 2000; i++) {
            s.set("/k/" + i, IntNode.valueOf(i), WriteOptions.by("t")).join();
        }
        StateStoreCrash.crash(s);
        Path wal;
        try (Stream<Path> files = Files.list(state)) {
            wal = files.filter(p -> p.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }

        Path yaml = tmp.resolve("pando.yaml");
        Files.writeString(yaml, "port: 0\ndata-dir: " + data + "\nplugins-dir: " + tmp.resolve("plugins") + "\nplugins:\n  builtins: \"\"\n");
        NodeConfig config = ConfigLoader.load(yaml, Map.of(), Map.of());
        try (PandoNode node = PandoNode.start(config); PandoClient client = PandoClient.connect(node.url(), null)) {
            JsonNode recovery = client.info().get("storeRecovery");
            assertThat(recovery.get("kind").asText()).isEqualTo("TORN_WAL_TAIL");
            assertThat(recovery.get("rolledBack").asBoolean()).isTrue();
            assertThat(recovery.get("resumedRevision").asLong()).isGreaterThanOrEqualTo(2000);
            assertThat(node.metrics().render()).contains("pando_store_rollback 1");
        }
    }
}
