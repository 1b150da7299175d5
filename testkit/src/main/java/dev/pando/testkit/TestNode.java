package dev.pando.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.node.PandoNode;
import dev.pando.node.client.PandoClient;
import dev.pando.node.client.PandoWebSocket;
import dev.pando.node.client.SubscribeOptions;
import dev.pando.node.config.ConfigKey;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.plugins.PluginState;
import dev.pando.signing.DetachedSignature;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.Ed25519Keys;
import dev.pando.signing.KeyFormat;
import dev.pando.signing.WasmBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
    /** Plugin ids the kit is willing to turn into a file name ({@code <id>.wasm}); the node checks the real rule. */
    private static final Pattern FILE_SAFE_ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final Ed25519KeyPair signingKey;
    private final NodeConfig config;
    private PandoNode node;
    private PandoClient admin;
    private boolean closed;
    private final List<AutoCloseable> clients = new ArrayList<>();

    private TestNode(NodeConfig config, Path dataDir, boolean ownsDataDir, Ed25519KeyPair signingKey) throws IOException {
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.signingKey = signingKey;
        this.config = config.with(NodeConfig.DATA_DIR, dataDir);
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
        return track(PandoClient.connect(url(), null));
    }

    /** An HTTP client authenticated with the admin token; closed with the node and on restart. */
    public PandoClient adminClient() {
        return track(PandoClient.connect(url(), adminToken()));
    }

    /** A WebSocket client (anonymous); closed with the node and on restart. */
    public PandoWebSocket webSocket() {
        return track(PandoWebSocket.connect(url(), null));
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
        return track(Watch.open(url(), adminToken(), pattern, options));
    }

    /** Calls {@code op} as admin (the node's own ops, plugin ops, {@code admin.*}) and returns its result. */
    public JsonNode call(String op, JsonNode args) {
        return admin().call(op, args);
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
        return install(manifestId(manifestJson) + ".wasm", signWasm(module, manifestJson));
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
        String name = file.getFileName().toString();
        if (!name.endsWith(".wasm") && !name.endsWith(".jar")) {
            throw new IllegalArgumentException("a plugin file ends with .wasm or .jar: " + file);
        }
        try {
            if (name.endsWith(".jar")) {
                Path sig = DetachedSignature.sigFile(file);
                Path installedSig = pluginsDir().resolve(sig.getFileName().toString());
                if (Files.exists(sig)) {
                    writeAtomically(installedSig, Files.readAllBytes(sig));
                } else {
                    Files.deleteIfExists(installedSig);
                }
            }
            return install(name, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code bytes} atomically as {@code <plugins dir>/<fileName>} and reloads; for
     * files made by hand (unsigned, corrupt, signed by another key...).
     *
     * @return the file's outcome (LOADED, REPLACED or UNCHANGED)
     * @throws PluginInstallException the node refused the plugin; the message carries its reason
     */
    public PluginOutcome install(String fileName, byte[] bytes) {
        writeAtomically(pluginFile(fileName), bytes);
        JsonNode report = reload();
        List<PluginOutcome> outcomes = outcomes(report, fileName);
        for (PluginOutcome o : outcomes) {
            if (o.action() == PluginState.FAILED) {
                throw new PluginInstallException("the node refused plugin file " + fileName
                        + (o.id() == null ? "" : " (id '" + o.id() + "')") + ": " + o.error(), o, report);
            }
        }
        return outcomes.stream().filter(PluginOutcome::serving).findFirst().orElseThrow(() -> new PluginInstallException(
                "the reload reported nothing serving from plugin file " + fileName + ": " + report, null, report));
    }

    /**
     * Removes a plugin: deletes {@code <plugins dir>/<fileName>}, its {@code .sig} and its
     * plugin's {@code <id>.config.json}, reloads, and checks that the plugin was unloaded.
     *
     * @throws PluginInstallException   the reload did not unload the plugin that file served
     * @throws IllegalArgumentException there is no such file in the plugins directory
     */
    public void uninstall(String fileName) {
        Path file = pluginFile(fileName);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no plugin file " + fileName + " in " + pluginsDir());
        }
        Optional<JsonNode> listed = plugins().stream().filter(p -> fileName.equals(p.path("file").asText(null))).findFirst();
        boolean serving = listed.map(p -> !p.path("state").asText().equals("FAILED")).orElse(false);
        try {
            Files.delete(file);
            Files.deleteIfExists(DetachedSignature.sigFile(file));
            String id = listed.map(p -> p.path("id").asText(null)).orElse(null);
            if (id != null) {
                Files.deleteIfExists(pluginsDir().resolve(id + ".config.json"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode report = reload();
        List<PluginOutcome> outcomes = outcomes(report, fileName);
        boolean unloaded = outcomes.stream().anyMatch(o -> o.action() == PluginState.UNLOADED);
        if (outcomes.stream().anyMatch(o -> o.action() != PluginState.UNLOADED) || (serving && !unloaded)) {
            throw new PluginInstallException("removing plugin file " + fileName + " did not unload it: " + report,
                    outcomes.isEmpty() ? null : outcomes.get(0), report);
        }
    }

    /**
     * Writes the operator configuration of plugin {@code pluginId} ({@code <id>.config.json} in
     * the plugins directory; its fields override the manifest's {@code config}). Does not reload:
     * the next {@link #reload()} or install restarts the plugin with it.
     */
    public void configurePlugin(String pluginId, JsonNode config) {
        if (!FILE_SAFE_ID.matcher(pluginId).matches()) {
            throw new IllegalArgumentException("not a plugin id: '" + pluginId + "'");
        }
        try {
            writeAtomically(pluginsDir().resolve(pluginId + ".config.json"), JSON.writeValueAsBytes(config));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code admin.reload} over the whole plugins directory and returns the report as the node sent it. */
    public JsonNode reload() {
        return call("admin.reload", null);
    }

    /** Runs {@code admin.reload} for one plugin id and returns the report. */
    public JsonNode reload(String pluginId) {
        return call("admin.reload", JSON.createObjectNode().put("plugin", pluginId));
    }

    /** Every {@code admin.plugins} entry (loaded and failed plugins). */
    public List<JsonNode> plugins() {
        List<JsonNode> out = new ArrayList<>();
        call("admin.plugins", null).path("plugins").forEach(out::add);
        return out;
    }

    /** The {@code admin.plugins} entry of plugin {@code id}, if there is one. */
    public Optional<JsonNode> plugin(String id) {
        return plugins().stream().filter(p -> id.equals(p.path("id").asText(null))).findFirst();
    }

    /** The outcomes for {@code fileName} in a reload report (none, one, or two when the file changed its id). */
    public static List<PluginOutcome> outcomes(JsonNode report, String fileName) {
        List<PluginOutcome> found = new ArrayList<>();
        report.path("outcomes").forEach(o -> {
            if (fileName.equals(o.path("file").asText(null))) {
                found.add(PluginOutcome.of(o));
            }
        });
        return found;
    }

    private Path pluginFile(String fileName) {
        Path file = pluginsDir().resolve(fileName);
        if (fileName.startsWith(".") || !file.getParent().equals(pluginsDir())) {
            throw new IllegalArgumentException("not a plugin file name: '" + fileName + "'");
        }
        return file;
    }

    private static String manifestId(String manifestJson) {
        JsonNode id;
        try {
            id = JSON.readTree(manifestJson).path("id");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the manifest is not JSON: " + e.getOriginalMessage(), e);
        }
        if (!id.isTextual() || !FILE_SAFE_ID.matcher(id.asText()).matches()) {
            throw new IllegalArgumentException("the manifest needs an \"id\" to name the plugin file after, got " + id);
        }
        return id.asText();
    }

    /**
     * Puts {@code bytes} at {@code target} by writing a hidden temp file beside it (which the
     * node ignores) and renaming it over the target, so neither a reload nor the directory
     * watcher ever sees half a file. For plugin files placed before a node starts, or by hand.
     *
     * @return {@code target}
     */
    public static Path writeAtomically(Path target, byte[] bytes) {
        try {
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a trusted-keys file (for {@code plugins.trusted-keys}) listing {@code keys}' public
     * keys as OpenSSH lines, replacing the file; for tests that manage trust themselves.
     *
     * @return {@code file}
     */
    public static Path writeTrustedKeys(Path file, Ed25519KeyPair... keys) {
        StringBuilder text = new StringBuilder("# throwaway test keys\n");
        for (Ed25519KeyPair k : keys) {
            text.append(Ed25519Keys.encodePublic(k.publicKey(), KeyFormat.OPENSSH, "pando-testkit"));
        }
        return writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    // ---- lifecycle --------------------------------------------------------------------------

    private PandoClient admin() {
        if (admin == null) {
            admin = adminClient();
        }
        return admin;
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    /**
     * Gracefully stops the node and starts a new one on the same data dir, plugins dir and
     * configuration (a new port; same admin token and trusted signing key). Installed plugins are
     * loaded again; clients and watches made before are closed.
     */
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
        admin = null;
    }

    /** Stops the node and deletes its data dir unless the test supplied it. Closing twice does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
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
                Path kit = dir.resolve(KIT_DIR);
                Path keyFile = kit.resolve("signing.key");
                Ed25519KeyPair key = signingKey;
                if (key == null && Files.exists(keyFile)) {
                    key = Ed25519Keys.readPrivate(keyFile);
                }
                if (key == null) {
                    key = Ed25519KeyPair.generate();
                }
                Ed25519Keys.writePrivate(keyFile, key, KeyFormat.HEX, null);
                NodeConfig c = config.with(NodeConfig.PLUGINS_DIR, plugins);
                if (c.get(NodeConfig.TRUSTED_KEYS).isBlank()) {
                    Path trusted = writeTrustedKeys(kit.resolve("trusted-keys"), key);
                    c = c.with(NodeConfig.TRUSTED_KEYS, trusted.toString());
                }
                try {
                    return new TestNode(c, dir, owns, key);
                } catch (IOException | RuntimeException e) {
                    if (owns) {
                        deleteRecursively(dir);
                    }
                    throw e;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
