package dev.pando.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoWebSocket;
import dev.pando.client.SubscribeOptions;
import dev.pando.node.PandoNode;
import dev.pando.node.config.ConfigKey;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.DetachedSignature;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.WasmBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A real Pando node running in this JVM: real Netty server on a free loopback port, real RocksDB
 * (or the in-memory store) in a temporary data dir, and a plugins directory
 * ({@code <data dir>/plugins} unless set) that the kit installs plugins into.
 *
 * <p><b>Signing.</b> Every node has a throwaway Ed25519 {@linkplain #signingKey() signing key}
 * that it trusts: the builder keeps it in {@code <data dir>/testkit/signing.key}, writes its public
 * key to {@code <data dir>/testkit/trusted-keys} and points {@code plugins.trusted-keys} there,
 * unless the test set {@code plugins.trusted-keys} itself (then the key is made but not trusted).
 * {@link #installWasm} signs with it.
 *
 * <p><b>Restart.</b> {@link #restart()} stops the node gracefully and starts a new one on the same
 * data dir, plugins dir and configuration (a new port): installed plugins are loaded again at
 * start-up, the same key signs and is trusted, and with RocksDB the state survives. Clients and
 * {@linkplain #watch watches} made before are closed. A new {@code TestNode} built with
 * {@link Builder#dataDir} on the dir of an earlier one reuses its signing key too.
 *
 * <p>{@link #close()} stops it and deletes the data dir (unless the caller supplied it).
 */
public final class TestNode implements AutoCloseable {
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final Ed25519KeyPair signingKey;
    private final NodeConfig config;
    private final PluginAdmin plugins;
    private PandoNode node;
    private boolean closed;
    private final NodeClients clients = new NodeClients();

    private TestNode(NodeConfig config, Path dataDir, boolean ownsDataDir, Ed25519KeyPair signingKey) throws IOException {
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.signingKey = signingKey;
        this.config = config.with(NodeConfig.DATA_DIR, dataDir);
        this.plugins = new PluginAdmin(new PluginFiles(this.config.get(NodeConfig.PLUGINS_DIR)), this::call);
        this.node = PandoNode.start(this.config);
    }

    /** Starts a node with default settings (RocksDB) in a fresh temp dir. */
    public static TestNode start() {
        return builder().start();
    }

    /** Settings for a node; {@link Builder#start()} starts it. */
    public static Builder builder() {
        return new Builder();
    }

    /** The node itself (its plugin manager, store, config...). */
    public PandoNode node() {
        return node;
    }

    /** The node's base URL, {@code http://127.0.0.1:<port>}; changes on {@link #restart()}. */
    public URI url() {
        return node.url();
    }

    /** The port the node listens on; changes on {@link #restart()}. */
    public int port() {
        return node.port();
    }

    /** The data dir (store, node key, admin token, the kit's signing key). */
    public Path dataDir() {
        return dataDir;
    }

    /** The directory this node scans for plugins. */
    public Path pluginsDir() {
        return node.config().get(NodeConfig.PLUGINS_DIR);
    }

    /** The token {@code admin.*} ops need (kept in the data dir: the same after a restart). */
    public String adminToken() {
        return node.adminToken();
    }

    /** The throwaway key {@link #installWasm} signs with; trusted by this node unless the test set its own trusted keys. */
    public Ed25519KeyPair signingKey() {
        return signingKey;
    }

    /** An HTTP client for this node (anonymous); closed with the node and on restart. */
    public PandoClient client() {
        return clients.track(PandoClient.connect(url(), null));
    }

    /** An HTTP client authenticated with the admin token; closed with the node and on restart. */
    public PandoClient adminClient() {
        return clients.track(PandoClient.connect(url(), adminToken()));
    }

    /** A WebSocket client (anonymous); closed with the node and on restart. */
    public PandoWebSocket webSocket() {
        return clients.track(PandoWebSocket.connect(url(), null));
    }

    /**
     * Subscribes to changes and events matching {@code pattern} (e.g. {@code /sensors/**}) over
     * a WebSocket with the admin token, so every key and topic is visible; the node has confirmed
     * the subscription when this returns. Closed with the node and on restart.
     */
    public Watch watch(String pattern) {
        return watch(pattern, SubscribeOptions.defaults());
    }

    /** {@link #watch(String)} with options: changes only, events only, with a snapshot. */
    public Watch watch(String pattern, SubscribeOptions options) {
        return clients.track(Watch.open(url(), adminToken(), pattern, options));
    }

    /** Calls {@code op} as admin (the node's own ops, plugin ops, {@code admin.*}) and returns its result. */
    public JsonNode call(String op, JsonNode args) {
        return clients.admin(this::adminClient).call(op, args);
    }

    // ---- plugins ----------------------------------------------------------------------------

    /**
     * Packs {@code module} (a raw WASM module, as cargo or clang build it) with
     * {@code manifestJson} and signs it with {@link #signingKey()}: the bytes of a {@code .wasm}
     * plugin file, as {@code pando plugin pack --key} writes them.
     */
    public byte[] signWasm(byte[] module, String manifestJson) {
        return WasmBundle.pack(module, manifestJson.getBytes(StandardCharsets.UTF_8), signingKey);
    }

    /**
     * Signs a native plugin jar with {@link #signingKey()}: writes {@code <jar>.sig} beside it
     * (as {@code pando plugin sign} does), which {@link #install(Path)} copies along. Needed only
     * with {@code plugins.require-signed-native=true}.
     *
     * @return the {@code .sig} file
     */
    public Path signJar(Path jar) {
        try {
            return DetachedSignature.signFile(jar, signingKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a raw WASM module and its manifest from files and installs them; see
     * {@link #installWasm(byte[], String)}.
     */
    public PluginOutcome installWasm(Path module, Path manifestJson) {
        try {
            return installWasm(Files.readAllBytes(module), Files.readString(manifestJson, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Packs and signs {@code module} with {@code manifestJson} ({@link #signWasm}), writes it
     * atomically to {@code <plugins dir>/<id>.wasm} (replacing an earlier version), runs
     * {@code admin.reload} and returns the file's outcome (LOADED, REPLACED or UNCHANGED).
     *
     * @throws PluginInstallException   the node refused the plugin; the message carries its reason
     * @throws IllegalArgumentException the manifest has no {@code id} the kit can name a file after
     */
    public PluginOutcome installWasm(byte[] module, String manifestJson) {
        return install(PluginFiles.wasmFileName(manifestJson), signWasm(module, manifestJson));
    }

    /**
     * Copies a plugin file into the plugins directory and reloads: an already packed and signed
     * {@code .wasm} bundle, or a native {@code .jar} together with {@code <jar>.sig} if there is
     * one beside it (a stale {@code .sig} in the plugins directory is removed otherwise).
     *
     * @return the file's outcome (LOADED, REPLACED or UNCHANGED)
     * @throws PluginInstallException the node refused the plugin; the message carries its reason
     */
    public PluginOutcome install(Path file) {
        return plugins.install(file);
    }

    /**
     * Writes {@code bytes} atomically as {@code <plugins dir>/<fileName>} and reloads; for
     * files made by hand (unsigned, corrupt, signed by another key...).
     *
     * @return the file's outcome (LOADED, REPLACED or UNCHANGED)
     * @throws PluginInstallException the node refused the plugin; the message carries its reason
     */
    public PluginOutcome install(String fileName, byte[] bytes) {
        return plugins.install(fileName, bytes);
    }

    /**
     * Removes a plugin: deletes {@code <plugins dir>/<fileName>}, its {@code .sig} and its
     * plugin's {@code <id>.config.json}, reloads, and checks that the plugin was unloaded.
     *
     * @throws PluginInstallException   the reload did not unload the plugin that file served
     * @throws IllegalArgumentException there is no such file in the plugins directory
     */
    public void uninstall(String fileName) {
        plugins.uninstall(fileName);
    }

    /**
     * Writes the operator configuration of plugin {@code pluginId} ({@code <id>.config.json} in
     * the plugins directory; its fields override the manifest's {@code config}). Does not reload:
     * the next {@link #reload()} or install restarts the plugin with it.
     */
    public void configurePlugin(String pluginId, JsonNode config) {
        plugins.configure(pluginId, config);
    }

    /** Runs {@code admin.reload} over the whole plugins directory and returns the report as the node sent it. */
    public JsonNode reload() {
        return plugins.reload();
    }

    /** Runs {@code admin.reload} for one plugin id and returns the report. */
    public JsonNode reload(String pluginId) {
        return plugins.reload(pluginId);
    }

    /** Every {@code admin.plugins} entry (loaded and failed plugins). */
    public List<JsonNode> plugins() {
        return plugins.plugins();
    }

    /** The {@code admin.plugins} entry of plugin {@code id}, if there is one. */
    public Optional<JsonNode> plugin(String id) {
        return plugins.plugin(id);
    }

    /** The outcomes for {@code fileName} in a reload report (none, one, or two when the file changed its id). */
    public static List<PluginOutcome> outcomes(JsonNode report, String fileName) {
        return PluginAdmin.outcomes(report, fileName);
    }

    /**
     * Puts {@code bytes} at {@code target} by writing a hidden temp file beside it (which the
     * node ignores) and renaming it over the target, so neither a reload nor the directory
     * watcher ever sees half a file. For plugin files placed before a node starts, or by hand.
     *
     * @return {@code target}
     */
    public static Path writeAtomically(Path target, byte[] bytes) {
        return PluginFiles.writeAtomically(target, bytes);
    }

    /**
     * Writes a trusted-keys file (for {@code plugins.trusted-keys}) listing {@code keys}' public
     * keys as OpenSSH lines, replacing the file; for tests that manage trust themselves.
     *
     * @return {@code file}
     */
    public static Path writeTrustedKeys(Path file, Ed25519KeyPair... keys) {
        return PluginFiles.writeTrustedKeys(file, keys);
    }

    // ---- lifecycle --------------------------------------------------------------------------

    /**
     * Gracefully stops the node and starts a new one on the same data dir, plugins dir and
     * configuration (a new port; same admin token and trusted signing key). Installed plugins are
     * loaded again; clients and watches made before are closed.
     */
    public TestNode restart() {
        clients.closeAll();
        node.close();
        try {
            node = PandoNode.start(config.with(NodeConfig.PORT, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Stops the node and deletes its data dir unless the test supplied it. Closing twice does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        clients.closeAll();
        node.close();
        if (ownsDataDir) {
            KitDataDir.delete(dataDir);
        }
    }

    /**
     * Settings for a {@link TestNode}; every {@link NodeConfig} key can be set. A builder can
     * start any number of nodes, each in its own fresh data dir (unless {@link #dataDir} is set).
     */
    public static final class Builder {
        /** Where, inside the data dir, the kit keeps its signing key and trusted-keys file. */
        public static final String KIT_DIR = "testkit";

        private NodeConfig config = NodeConfig.defaults()
                .with(NodeConfig.PORT, 0)
                .with(NodeConfig.BIND, "127.0.0.1")
                // Tests hammer one node from one address; production's per-client limit would throttle them.
                .with(NodeConfig.RATE_PER_SECOND, 0L)
                // Builtins off unless a test asks (builtins(...)): a plugin's test sees only its own
                // plugin's ops and writes, not the journal's entries or the rules' reactions.
                .with(NodeConfig.BUILTINS, "");
        private Path dataDir;
        private Path pluginsDir;
        private Ed25519KeyPair signingKey;

        /** Serves these builtin plugins ({@code journal}, {@code rules}); none by default. */
        public Builder builtins(String... ids) {
            return with(NodeConfig.BUILTINS, String.join(",", ids));
        }

        /** Sets a config key. */
        public <T> Builder with(ConfigKey<T> key, T value) {
            config = config.with(key, value);
            return this;
        }

        /** Sets a config key by name from text, as {@code --set name=text} would (e.g. {@code "plugins.listener-queue", "16"}). */
        public Builder set(String name, String text) {
            config = config.withText(name, text);
            return this;
        }

        /** In-memory store: fast, nothing but the files (plugins, keys) survives {@link TestNode#restart()}. */
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

        /**
         * Sign with this key instead of a throwaway one (it is trusted in the same way). Without
         * it, a data dir that already has a kit signing key keeps it; otherwise one is generated.
         */
        public Builder signingKey(Ed25519KeyPair key) {
            this.signingKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** Starts the node; blocks until it serves (plugins already in the plugins dir are loaded). */
        public TestNode start() {
            try {
                boolean owns = dataDir == null;
                Path dir = owns ? Files.createTempDirectory("pando-test-") : dataDir;
                Path plugins = pluginsDir != null ? pluginsDir : dir.resolve("plugins");
                Files.createDirectories(plugins);
                Ed25519KeyPair key = KitDataDir.signingKey(dir, signingKey);
                NodeConfig c = config.with(NodeConfig.PLUGINS_DIR, plugins);
                if (c.get(NodeConfig.TRUSTED_KEYS).isBlank()) {
                    c = c.with(NodeConfig.TRUSTED_KEYS, KitDataDir.trust(dir, key).toString());
                }
                try {
                    return new TestNode(c, dir, owns, key);
                } catch (IOException | RuntimeException e) {
                    if (owns) {
                        KitDataDir.delete(dir);
                    }
                    throw e;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
