package dev.pando.node.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's settings, resolved from defaults &lt; {@code pando.yaml} &lt; {@code PANDO_*}
 * environment &lt; command-line flags (see {@link ConfigLoader}). Every key is declared here with
 * its default; {@code docs/operations.md} lists them all.
 */
public final class NodeConfig {
    private static final Map<String, ConfigKey<?>> KEYS = new LinkedHashMap<>();

    public static final ConfigKey<Integer> PORT = intKey("port", 7330, "TCP port for HTTP and WebSocket (0 picks a free port).");
    public static final ConfigKey<String> BIND = stringKey("bind", "127.0.0.1", "Address to listen on. Beyond loopback the node runs in authenticated mode (see auth.mode).");
    public static final ConfigKey<Path> DATA_DIR = pathKey("data-dir", "./data", "RocksDB state, node key and admin token live here.");
    public static final ConfigKey<Path> PLUGINS_DIR = pathKey("plugins-dir", "./plugins", "Directory scanned for plugins.");
    public static final ConfigKey<String> STORE = stringKey("store", "rocksdb", "State store engine: rocksdb (on disk) or memory (tests; nothing survives a restart).");

    public static final ConfigKey<String> AUTH_MODE = stringKey("auth.mode", "auto",
            "open: callers without a token may read, write, publish and subscribe (loopback binds only); authenticated: every request needs a token; auto: open on loopback, authenticated otherwise.");
    public static final ConfigKey<String> AUTH_TRUSTED_ISSUERS = stringKey("auth.trusted-issuers", "",
            "File or directory of public keys (OpenSSH, PEM or hex; one per line) trusted as roots of capability tokens, besides the node's own key. Empty: the node's key only.");
    public static final ConfigKey<Integer> AUTH_MAX_DELEGATION_DEPTH = intKey("auth.max-delegation-depth", 5,
            "Most delegations a capability token may carry below its root.");
    public static final ConfigKey<Long> AUTH_VALIDATIONS_PER_SECOND = longKey("auth.validations-per-second", 200L,
            "Tokens not in the cache that one address may have checked per second (a burst of twice that); more are RATE_LIMITED before any signature is verified (0 = unlimited).");
    public static final ConfigKey<Integer> AUTH_CACHE_SIZE = intKey("auth.cache-size", 10_000,
            "Validated tokens remembered at once (emptied on revocation; a full cache starts over).");

    public static final ConfigKey<Boolean> STORE_SYNC = boolKey("store.sync", false, "fsync the WAL before acknowledging every write (per-request 'sync' does it for one write).");
    public static final ConfigKey<Integer> MAX_VALUE_BYTES = intKey("store.max-value-bytes", 64 * 1024, "Largest value accepted, in bytes of JSON.");
    public static final ConfigKey<Integer> COMMIT_QUEUE = intKey("store.commit-queue", 65_536, "Writes waiting to commit before new ones get UNAVAILABLE.");
    public static final ConfigKey<Long> RETAIN_COUNT = longKey("changes.retain-count", 1_000_000L, "Change-feed entries kept (0 = no count limit).");
    public static final ConfigKey<Long> RETAIN_AGE_MS = longKey("changes.retain-age-ms", 7L * 24 * 3600 * 1000, "Change-feed entries older than this are pruned (0 = no age limit).");

    public static final ConfigKey<Integer> MAX_BODY_BYTES = intKey("limits.max-body-bytes", 1024 * 1024, "Largest HTTP request body.");
    public static final ConfigKey<Integer> MAX_FRAME_BYTES = intKey("limits.max-frame-bytes", 1024 * 1024, "Largest WebSocket frame.");
    public static final ConfigKey<Integer> MAX_CONNECTIONS = intKey("limits.max-connections", 1024, "Open connections accepted at once; more are closed at once.");
    public static final ConfigKey<Integer> SUBSCRIPTIONS_PER_SESSION = intKey("limits.subscriptions-per-session", 256, "Subscriptions one WebSocket session may hold.");
    public static final ConfigKey<Integer> SUBSCRIBER_QUEUE = intKey("limits.subscriber-queue", 4096, "Pushed frames queued for one session before it is dropped as SLOW_CONSUMER.");
    public static final ConfigKey<Long> RATE_PER_SECOND = longKey("limits.rate-per-second", 20_000L, "Requests per second per client: an authenticated caller's principal, an anonymous caller's address (0 = unlimited).");
    public static final ConfigKey<Long> RATE_BURST = longKey("limits.rate-burst", 40_000L, "Requests a client may send at once before the rate applies.");
    public static final ConfigKey<Long> PUBLISH_RATE_PER_SECOND = longKey("limits.publish-rate-per-second", 5_000L, "Publishes per second per client (0 = unlimited), on top of the request rate.");
    public static final ConfigKey<Long> PUBLISH_BURST = longKey("limits.publish-burst", 10_000L, "Publishes a client may send at once before the publish rate applies.");
    public static final ConfigKey<Long> REQUEST_READ_TIMEOUT_MS = longKey("limits.request-read-timeout-ms", 10_000L, "A request must arrive completely within this time: a connection's first one counted from accept (silent connections are closed), later ones from their first byte (slow-loris guard).");
    public static final ConfigKey<Long> IDLE_TIMEOUT_MS = longKey("limits.idle-timeout-ms", 120_000L, "Connections with no traffic for this long are closed (WebSocket: pinged at a third of it).");
    public static final ConfigKey<Integer> IO_THREADS = intKey("transport.io-threads", 0, "Netty event-loop threads (0 = 2 × cores).");
    public static final ConfigKey<Boolean> NATIVE_TRANSPORT = boolKey("transport.native", true,
            "Use Netty's native epoll transport where it loads (Linux x86_64); false = Java NIO.");
    public static final ConfigKey<Integer> WORKER_THREADS = intKey("workers.threads", Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), "Threads running handlers that may block.");
    public static final ConfigKey<Integer> WORKER_QUEUE = intKey("workers.queue", 10_000, "Calls waiting for a worker before new ones get UNAVAILABLE.");
    public static final ConfigKey<Long> SHUTDOWN_DRAIN_MS = longKey("shutdown.drain-ms", 10_000L, "On shutdown, how long in-flight requests may take to finish.");

    public static final ConfigKey<String> TRUSTED_KEYS = stringKey("plugins.trusted-keys", "",
            "File or directory of public keys (OpenSSH, PEM or hex; one per line) whose signatures on plugins are trusted. Empty: none.");
    public static final ConfigKey<Boolean> DEV_ALLOW_UNSIGNED = boolKey("plugins.dev-allow-unsigned", false,
            "Development only: load unsigned WASM plugins (with a loud warning). Signed ones are still verified.");
    public static final ConfigKey<Boolean> REQUIRE_SIGNED_NATIVE = boolKey("plugins.require-signed-native", false,
            "Refuse native plugin jars without a trusted detached signature (<jar>.sig).");
    public static final ConfigKey<String> BUILTINS = listKey("plugins.builtins", "journal,rules,registry",
            "Builtin plugins to serve, comma-separated (empty: none). They appear as builtin:<id> in reload reports and pando plugins.");
    public static final ConfigKey<String> FEDERATION_MODE = stringKey("federation.mode", "off",
            "off, hub (accepts leaves) or leaf (connects to federation.hub). A hub with federation.hub set is also a leaf of that hub. See docs/federation.md.");
    public static final ConfigKey<String> FEDERATION_HUB = stringKey("federation.hub", "",
            "The hub a leaf connects to: ws://host:port (or http://).");
    public static final ConfigKey<String> FEDERATION_NAMESPACES = listKey("federation.namespaces", "",
            "Patterns this node owns and shares upward, comma-separated (/site-a/**); its registry entity on the hub must own them.");
    public static final ConfigKey<String> FEDERATION_INTERESTS = listKey("federation.interests", "/**",
            "Patterns this node wants from its hub, comma-separated.");
    public static final ConfigKey<String> FEDERATION_TRUSTED_PEERS = stringKey("federation.trusted-peers", "",
            "File or directory of node public keys (OpenSSH, PEM or hex) trusted as peers: a hub's leaves, a leaf's hub.");
    public static final ConfigKey<String> FEDERATION_TOKEN = stringKey("federation.token", "",
            "Bearer token a leaf sends to its hub's HTTP port, if the hub's network path requires one (the federation ops themselves need none).");
    public static final ConfigKey<Integer> FEDERATION_BATCH_SIZE = intKey("federation.batch-size", 500, "Changes per push or pull.");
    public static final ConfigKey<Integer> FEDERATION_MAX_PATTERNS = intKey("federation.max-patterns", 1_000,
            "Namespaces or interests one peer may declare; a join with more is refused.");
    public static final ConfigKey<Integer> FEDERATION_MAX_PEERS = intKey("federation.max-peers", 16, "Leaves one hub accepts at once.");
    public static final ConfigKey<Long> FEDERATION_SYNC_INTERVAL_MS = longKey("federation.sync-interval-ms", 30_000L,
            "How often a caught-up leaf compares revision vectors with its hub; origins it holds less of are fetched again.");
    public static final ConfigKey<Integer> FEDERATION_MAX_VECTOR_ENTRIES = intKey("federation.max-vector-entries", 10_000,
            "Origins one revision vector may hold; a bigger one is refused.");
    public static final ConfigKey<Long> FEDERATION_PULL_WAIT_MS = longKey("federation.pull-wait-ms", 250L,
            "How long a hub holds a leaf's pull open waiting for a change (long poll).");
    public static final ConfigKey<Long> FEDERATION_PEER_TIMEOUT_MS = longKey("federation.peer-timeout-ms", 10_000L,
            "How long a leaf waits for its hub's answer (handshake, push, or a pull beyond its wait) before it drops the session as stalled and reconnects, resuming from its cursors; more than federation.pull-wait-ms.");
    public static final ConfigKey<Long> FEDERATION_RECONNECT_INITIAL_MS = longKey("federation.reconnect-initial-ms", 200L,
            "First delay before a leaf reconnects; then doubled (with ±20% jitter) up to federation.reconnect-max-ms.");
    public static final ConfigKey<Long> FEDERATION_RECONNECT_MAX_MS = longKey("federation.reconnect-max-ms", 30_000L, "Longest delay between reconnection attempts.");
    public static final ConfigKey<Integer> FEDERATION_RECONNECT_MAX_ATTEMPTS = intKey("federation.reconnect-max-attempts", 0,
            "Failed attempts in a row before a leaf gives up (state failed); 0 = never.");
    public static final ConfigKey<Boolean> WATCH_PLUGINS = boolKey("plugins.watch", false,
            "Watch the plugins directory and reload when files change (debounced).");
    public static final ConfigKey<Long> WATCH_DEBOUNCE_MS = longKey("plugins.watch-debounce-ms", 500L,
            "Quiet time after the last file change before a watched reload runs.");
    public static final ConfigKey<Integer> MAX_MEMORY_PAGES = intKey("plugins.max-memory-pages", 1024,
            "Cap on a WASM plugin's linear memory, in 64 KiB pages; manifests asking for more are refused.");
    public static final ConfigKey<Integer> MAX_CALL_TIMEOUT_MS = intKey("plugins.max-call-timeout-ms", 30_000,
            "Cap on a plugin's per-call time limit; manifests asking for more are refused.");
    public static final ConfigKey<Integer> MAX_INSTANCES = intKey("plugins.max-instances", 16,
            "Cap on a plugin's concurrent calls (WASM instance pool size).");
    public static final ConfigKey<Integer> MAX_OUTPUT_BYTES = intKey("plugins.max-output-bytes", 1024 * 1024,
            "Largest result or buffer the host reads out of a WASM guest.");
    public static final ConfigKey<Integer> LISTENER_QUEUE = intKey("plugins.listener-queue", 4096,
            "Changes and events queued for one plugin listener before it is cut off.");
    public static final ConfigKey<Long> PLUGIN_DRAIN_MS = longKey("plugins.drain-ms", 30_000L,
            "On reload, how long calls still running on the old generation may take before the old plugin is closed anyway.");
    public static final ConfigKey<String> WASM_ENGINE = stringKey("plugins.wasm-engine", "compiler",
            "How WASM runs: compiler (Chicory AOT to JVM bytecode, once per module) or interpreter.");
    // storage failure modes (issue 12, items 10-12)
    public static final ConfigKey<Boolean> STORE_RECOVER_CORRUPT_WAL = boolKey("store.recover-corrupt-wal", false,
            "Start even if the WAL is corrupt before its end, dropping the writes from the corruption on (a reported rollback); false refuses to start.");

    // JSON rules (issue #12 item 3): one nesting limit for every value that enters the node.
    public static final ConfigKey<Integer> MAX_JSON_DEPTH = intKey("limits.max-json-depth", 64,
            "Deepest nesting of arrays/objects accepted in request JSON, guest results and stored values (1..256).");

    // transport (issue 12): per-address connection limit and the DNS-rebinding guard
    public static final ConfigKey<Integer> MAX_CONNECTIONS_PER_ADDRESS = intKey("limits.max-connections-per-address", 64,
            "Open connections accepted at once from one remote IP address (loopback included); more are closed at once. 0 = no per-address limit.");
    public static final ConfigKey<String> ALLOWED_HOSTS = listKey("transport.allowed-hosts", "",
            "Host header names accepted besides localhost, 127.0.0.1, [::1] and a non-wildcard bind address, comma-separated (any port); * accepts any. Checked in open mode always, with auth only when set.");

    // Plugin call admission (issue 12: a looping op must not starve anyone).
    public static final ConfigKey<Integer> PLUGIN_CALL_QUEUE = intKey("plugins.call-queue", 64,
            "Calls to one plugin that may wait for a free instance; more get UNAVAILABLE at once. A waiting call is answered by its time limit.");

    // WASM module load limits and guest memory (issue #12, items 5 and 8)
    public static final ConfigKey<Integer> MAX_MODULE_BYTES = intKey("plugins.max-module-bytes", 8 * 1024 * 1024,
            "Largest WASM module accepted, in bytes; checked before parsing.");
    public static final ConfigKey<Integer> MAX_FUNCTIONS = intKey("plugins.max-functions", 20_000,
            "Most functions a WASM module may define; checked before compiling.");
    public static final ConfigKey<Integer> MAX_BR_TABLE_TARGETS = intKey("plugins.max-br-table-targets", 16_384,
            "Most labels one br_table in a WASM module may list; checked before compiling.");
    public static final ConfigKey<Integer> MAX_COMPILE_MS = intKey("plugins.max-compile-ms", 20_000,
            "Time compiling one WASM module may take; a module that overruns is refused until its file changes.");
    public static final ConfigKey<Integer> MAX_TOTAL_MEMORY_MB = intKey("plugins.max-total-memory-mb", 1024,
            "Guest linear memory all WASM instances on the node may hold together, in MiB; a memory.grow past it returns -1.");

    // Plugin write budgets (issue 12: feedback loops). Builtins are exempt.
    public static final ConfigKey<Integer> PLUGIN_MAX_WRITES_PER_CALL = intKey("plugins.max-writes-per-call", 1000,
            "Writes one plugin call (op call, listener delivery or start) may make; more fail with TOO_LARGE. Builtins are exempt.");
    public static final ConfigKey<Integer> PLUGIN_MAX_WRITES_PER_SECOND = intKey("plugins.max-writes-per-second", 5000,
            "Writes one plugin may make per second, across its calls and threads; more fail with RATE_LIMITED. Builtins are exempt.");

    private final Map<ConfigKey<?>, Object> values;
    private final Map<String, String> sources;

    NodeConfig(Map<ConfigKey<?>, Object> values, Map<String, String> sources) {
        this.values = Map.copyOf(values);
        this.sources = Map.copyOf(sources);
    }

    /** All defaults. */
    public static NodeConfig defaults() {
        return new NodeConfig(Map.of(), Map.of());
    }

    public static List<ConfigKey<?>> keys() {
        return Collections.unmodifiableList(new ArrayList<>(KEYS.values()));
    }

    /** Other spellings accepted for a key (the camelCase one the design notes used). */
    private static final Map<String, String> ALIASES = Map.of("plugins.trustedKeys", "plugins.trusted-keys");

    static ConfigKey<?> key(String name) {
        return KEYS.get(ALIASES.getOrDefault(name, name));
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        Object v = values.get(key);
        return v == null ? key.defaultValue() : (T) v;
    }

    /** Where a key's value came from: default, file, env or flag. */
    public String source(ConfigKey<?> key) {
        return sources.getOrDefault(key.name(), "default");
    }

    /** A copy with {@code key} set (for tests and embedding). */
    public <T> NodeConfig with(ConfigKey<T> key, T value) {
        Map<ConfigKey<?>, Object> v = new LinkedHashMap<>(values);
        v.put(key, value);
        Map<String, String> s = new LinkedHashMap<>(sources);
        s.put(key.name(), "code");
        return new NodeConfig(v, s);
    }

    /** A copy with {@code key} parsed from text, as the loader would. */
    public NodeConfig withText(String name, String text) {
        ConfigKey<?> key = key(name);
        if (key == null) {
            throw new IllegalArgumentException("unknown config key '" + name + "'");
        }
        Map<ConfigKey<?>, Object> v = new LinkedHashMap<>(values);
        v.put(key, key.parse(text));
        Map<String, String> s = new LinkedHashMap<>(sources);
        s.put(key.name(), "code");
        return new NodeConfig(v, s);
    }

    private static <T> ConfigKey<T> register(ConfigKey<T> key) {
        KEYS.put(key.name(), key);
        return key;
    }

    private static ConfigKey<Integer> intKey(String name, int def, String doc) {
        return register(new ConfigKey<>(name, Integer.class, def, doc, s -> nonNegative(Integer.parseInt(s.replace("_", ""))), false));
    }

    private static ConfigKey<Long> longKey(String name, long def, String doc) {
        return register(new ConfigKey<>(name, Long.class, def, doc, s -> nonNegative(Long.parseLong(s.replace("_", ""))), false));
    }

    private static ConfigKey<Boolean> boolKey(String name, boolean def, String doc) {
        return register(new ConfigKey<>(name, Boolean.class, def, doc, s -> switch (s.toLowerCase()) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        }, false));
    }

    private static ConfigKey<String> stringKey(String name, String def, String doc) {
        return register(new ConfigKey<>(name, String.class, def, doc, s -> s, false));
    }

    /** A comma-separated list, kept as its text; a config file may give it as a YAML sequence. */
    private static ConfigKey<String> listKey(String name, String def, String doc) {
        return register(new ConfigKey<>(name, String.class, def, doc, s -> s, true));
    }

    private static ConfigKey<Path> pathKey(String name, String def, String doc) {
        return register(new ConfigKey<>(name, Path.class, Path.of(def), doc, Path::of, false));
    }

    private static <N extends Number> N nonNegative(N n) {
        if (n.longValue() < 0) {
            throw new IllegalArgumentException("must not be negative");
        }
        return n;
    }
}
