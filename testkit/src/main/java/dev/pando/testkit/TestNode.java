package dev.pando.testkit;

import dev.pando.node.PandoNode;
import dev.pando.node.client.PandoClient;
import dev.pando.node.client.PandoWebSocket;
import dev.pando.node.config.ConfigKey;
import dev.pando.node.config.NodeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Pando node running in this JVM: real Netty server on a free loopback port, real RocksDB
 * (or the in-memory store) in a temporary data dir. {@link #restart()} stops it gracefully and
 * starts a new node on the same data dir; {@link #close()} stops it and deletes the dir (unless
 * the caller supplied it).
 */
public final class TestNode implements AutoCloseable {
    private final Path dataDir;
    private final boolean ownsDataDir;
    private NodeConfig config;
    private PandoNode node;
    private final List<AutoCloseable> clients = new ArrayList<>();

    private TestNode(NodeConfig config, Path dataDir, boolean ownsDataDir) throws IOException {
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.config = config.with(NodeConfig.DATA_DIR, dataDir);
        this.node = PandoNode.start(this.config);
    }

    /** Starts a node with default settings (RocksDB) in a fresh temp dir. */
    public static TestNode start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public PandoNode node() {
        return node;
    }

    public URI url() {
        return node.url();
    }

    public int port() {
        return node.port();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The directory this node scans for plugins. */
    public Path pluginsDir() {
        return node.config().get(NodeConfig.PLUGINS_DIR);
    }

    public String adminToken() {
        return node.adminToken();
    }

    /** An HTTP client for this node (anonymous); closed with the node. */
    public PandoClient client() {
        return track(PandoClient.connect(url(), null));
    }

    /** An HTTP client authenticated with the admin token. */
    public PandoClient adminClient() {
        return track(PandoClient.connect(url(), adminToken()));
    }

    /** A WebSocket client (anonymous); closed with the node. */
    public PandoWebSocket webSocket() {
        return track(PandoWebSocket.connect(url(), null));
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    /** Gracefully stops the node and starts a new one on the same data dir (a new port). */
    public TestNode restart() {
        closeClients();
        node.close();
        try {
            node = PandoNode.start(config.with(NodeConfig.PORT, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private void closeClients() {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // a client of a node being stopped may already be broken
            }
        }
        clients.clear();
    }

    @Override
    public void close() {
        closeClients();
        node.close();
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings for a {@link TestNode}; every {@link NodeConfig} key can be set. */
    public static final class Builder {
        private NodeConfig config = NodeConfig.defaults()
                .with(NodeConfig.PORT, 0)
                .with(NodeConfig.BIND, "127.0.0.1")
                // Tests hammer one node from one address; production's per-client limit would throttle them.
                .with(NodeConfig.RATE_PER_SECOND, 0L);
        private Path dataDir;
        private Path pluginsDir;

        public <T> Builder with(ConfigKey<T> key, T value) {
            config = config.with(key, value);
            return this;
        }

        /** In-memory store: fast, nothing survives {@link TestNode#restart()}. */
        public Builder inMemory() {
            return with(NodeConfig.STORE, "memory");
        }

        /** Use (and keep) this data dir instead of a fresh temp dir. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Scan this plugins directory instead of {@code <data dir>/plugins}. */
        public Builder pluginsDir(Path dir) {
            this.pluginsDir = dir;
            return this;
        }

        public TestNode start() {
            try {
                boolean owns = dataDir == null;
                Path dir = owns ? Files.createTempDirectory("pando-test-") : dataDir;
                Path plugins = pluginsDir != null ? pluginsDir : dir.resolve("plugins");
                Files.createDirectories(plugins);
                return new TestNode(config.with(NodeConfig.PLUGINS_DIR, plugins), dir, owns);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
