package dev.pando.node.bench;

import dev.pando.node.PandoNode;
import dev.pando.node.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Path;

/** Real in-process nodes for the bench tests: no builtins, port 0, and no per-address limit (every bench session comes from loopback). */
public final class BenchNodes {
    private BenchNodes() {}

    /** The config of a bench test node in {@code dir} ({@code data}, {@code plugins}). */
    public static NodeConfig config(Path dir) {
        return NodeConfig.defaults()
                .with(NodeConfig.DATA_DIR, dir.resolve("data"))
                .with(NodeConfig.PLUGINS_DIR, dir.resolve("plugins"))
                .with(NodeConfig.BUILTINS, "")
                .with(NodeConfig.MAX_CONNECTIONS_PER_ADDRESS, 0)
                .with(NodeConfig.PORT, 0);
    }

    /** A node with the memory store (what the test measures is the sessions, not the disk). */
    public static PandoNode start(Path dir) throws IOException {
        return PandoNode.start(config(dir).with(NodeConfig.STORE, "memory"));
    }
}
