package dev.pando.node.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.Access;
import dev.pando.api.Scope;
import dev.pando.api.manifest.ManifestCaps;
import dev.pando.api.plugin.Caller;
import dev.pando.host.CallWatchdog;
import dev.pando.host.HostContext;
import dev.pando.host.HostServices;
import dev.pando.host.HostedPlugin;
import dev.pando.host.LoadedPlugin;
import dev.pando.host.PluginLoader;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.PluginJarBuilder;
import dev.pando.host.testing.Wat;
import dev.pando.host.wasm.WasmOptions;
import dev.pando.node.events.EventBus;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StoreOptions;
import dev.pando.node.plugins.NodeHostServices;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.WasmBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Fixtures shared by the plugin benchmarks (see docs/benchmarks.md, "Plugins"): the benchmark
 * handler as a native jar and as a signed WASM bundle, loaded through the node's real
 * {@link PluginLoader}, and started with {@link HostedPlugin#start} over {@link NodeHostServices}
 * on a real {@link StateStore}, exactly as {@code PluginManager} does.
 *
 * <p>The handler, in both kinds: args {@code {"key": "<k>", "n": N}}; read the number at
 * {@code /_plugins/<id>/<k>} (0 when absent), write the sum with N there, return
 * {@code {"key": "<k>", "total": sum}}. The WASM side is {@code src/test/resources/wat/bench_handler.wat}.
 */
public final class BenchPlugins {
    /** The WASM handler module ({@code wat/bench_handler.wat} and its manifest). */
    public static final String HANDLER_MODULE = "bench_handler";
    /** The host-call loops ({@code wat/bench_hostcall.wat}). */
    public static final String HOSTCALL_MODULE = "bench_hostcall";
    /** The handler's op, in both kinds (plugin id {@code bench}). */
    public static final String HANDLE_OP = "bench.handle";

    /** The native handler: the same work as bench_handler.wat, through the same scoped KV view. */
    public static final String NATIVE_CLASS = "bench.BenchHandler";
    public static final String NATIVE_SOURCE = """
            package bench;

            import com.fasterxml.jackson.databind.JsonNode;
            import com.fasterxml.jackson.databind.node.JsonNodeFactory;
            import com.fasterxml.jackson.databind.node.LongNode;
            import dev.pando.api.PandoException;
            import dev.pando.api.plugin.KvEntry;
            import dev.pando.api.plugin.OpCall;
            import dev.pando.api.plugin.PandoPlugin;
            import dev.pando.api.plugin.PluginContext;
            import dev.pando.api.plugin.PluginKv;
            import java.util.Optional;

            @org.pf4j.Extension
            public class BenchHandler implements PandoPlugin {
                private PluginKv kv;
                private String prefix;

                @Override
                public void start(PluginContext context) {
                    kv = context.kv();
                    prefix = "/_plugins/" + context.pluginId() + "/";
                }

                @Override
                public JsonNode call(OpCall call) {
                    JsonNode args = call.args();
                    JsonNode key = args == null ? null : args.get("key");
                    JsonNode n = args == null ? null : args.get("n");
                    if (key == null || !key.isTextual() || key.asText().isEmpty() || n == null || !n.isNumber()) {
                        throw PandoException.badRequest("args need a string key and a number n");
                    }
                    String full = prefix + key.asText();
                    Optional<KvEntry> current = kv.get(full);
                    long total = (current.isPresent() ? current.get().value().asLong() : 0L) + n.asLong();
                    kv.set(full, LongNode.valueOf(total));
                    return JsonNodeFactory.instance.objectNode().put("key", key.asText()).put("total", total);
                }
            }
            """;

    /** The caller every benchmark call runs as: authenticated, allowed everything (plugins see it, the host does not check it). */
    public static final Caller CALLER = new Caller() {
        @Override
        public String name() {
            return "bench";
        }

        @Override
        public boolean isAuthenticated() {
            return true;
        }

        @Override
        public boolean may(Access access, String key) {
            return true;
        }

        @Override
        public boolean holds(Scope scope) {
            return true;
        }
    };

    private BenchPlugins() {}

    /** The manifest of the native handler with plugin id {@code id}, same limits as the WASM one. */
    public static String nativeManifest(String id, String version) {
        return "{\"id\": \"" + id + "\", \"version\": \"" + version + "\", \"apiVersion\": 1,"
                + " \"ops\": [{\"name\": \"" + id + ".handle\", \"scope\": \"write\"}],"
                + " \"limits\": {\"memoryPages\": 4, \"callTimeoutMs\": 1000, \"instances\": 4}}";
    }

    /** Compiles the native handler into {@code dir/fileName} (a PF4J plugin jar, unsigned). */
    public static Path nativeJar(Path dir, String fileName, String id, String version) {
        return new PluginJarBuilder().manifest(nativeManifest(id, version)).source(NATIVE_CLASS, NATIVE_SOURCE).writeTo(dir, fileName);
    }

    /** A bundled module's manifest with its version replaced (so a rewritten file hashes differently). */
    public static String manifest(String module, String version) {
        return Wat.manifestJson(module).replace("\"version\": \"1.0.0\"", "\"version\": \"" + version + "\"");
    }

    /** Writes the bundled module {@code module} as a {@code .wasm} bundle signed by {@code key}. */
    public static Path wasmBundle(Path dir, String fileName, String module, String version, Ed25519KeyPair key) {
        byte[] bundle = WasmBundle.pack(Wat.module(module), manifest(module, version).getBytes(StandardCharsets.UTF_8), key);
        try {
            Files.createDirectories(dir);
            return Files.write(dir.resolve(fileName), bundle);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code key}'s public key as a trusted-keys file in {@code dir}. */
    public static Path trustedKeys(Path dir, Ed25519KeyPair key) {
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve("trusted-keys"), HexFormat.of().formatHex(key.publicKey()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The node's loader: signatures checked against {@code trustedKeys}, WASM compiled or interpreted. */
    public static PluginLoader loader(Path trustedKeys, boolean compiled) {
        return new PluginLoader(new PluginLoader.Settings(ManifestCaps.DEFAULT, java.util.Optional.of(trustedKeys), false, false,
                WasmOptions.DEFAULT.withCompiled(compiled)));
    }

    /** {@code {"key": key, "n": n}}. */
    public static JsonNode args(String key, int n) {
        return JsonNodeFactory.instance.objectNode().put("key", key).put("n", n);
    }

    /** How a benchmark's handler is implemented. */
    public enum Kind {
        NATIVE, WASM_COMPILED, WASM_INTERPRETED;

        /** {@code native}, {@code wasm-compiled}, {@code wasm-interpreted}: the benchmarks' {@code kind} parameter. */
        public static Kind of(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
    }

    /**
     * The benchmark handler of {@code kind}, loaded from a real file in {@code dir} (a jar or a
     * signed bundle) by the node's loader.
     */
    public static LoadedPlugin loadHandler(Kind kind, Path dir) {
        Ed25519KeyPair key = Ed25519KeyPair.generate();
        Path trusted = trustedKeys(dir, key);
        return switch (kind) {
            case NATIVE -> loader(trusted, true).load(nativeJar(dir, "bench.jar", "bench", "1.0.0"));
            case WASM_COMPILED -> loader(trusted, true).load(wasmBundle(dir, "bench.wasm", HANDLER_MODULE, "1.0.0", key));
            case WASM_INTERPRETED -> loader(trusted, false).load(wasmBundle(dir, "bench.wasm", HANDLER_MODULE, "1.0.0", key));
        };
    }

    /** The WASM host-call module, compiled or interpreted. */
    public static LoadedPlugin loadHostCalls(boolean compiled, Path dir) {
        Ed25519KeyPair key = Ed25519KeyPair.generate();
        return loader(trustedKeys(dir, key), compiled).load(wasmBundle(dir, "hostcall.wasm", HOSTCALL_MODULE, "1.0.0", key));
    }

    /**
     * What the node lends its plugins: a real {@link StateStore} (in memory, or RocksDB in a
     * directory), its event bus, {@link NodeHostServices} over both, and a call watchdog. For
     * diagnosis only, {@code host-memory} replaces the store and {@code NodeHostServices} with
     * plugin-host's {@link MemoryHostServices} (a synchronized map, no commit thread), which
     * leaves the plugin-side cost of a call without the store's thread handoffs.
     */
    public static final class Host implements AutoCloseable {
        /** The node's default change-feed retention ({@code changes.retain-count}). */
        private static final long RETAIN = 1_000_000L;

        /** Null for {@code host-memory}. */
        public final StateStore store;
        public final EventBus events = new EventBus();
        public final HostServices services;
        public final CallWatchdog watchdog = new CallWatchdog();
        public final Clock clock = Clock.systemUTC();

        private Host(StateStore store) {
            this.store = store;
            store.addCommitListener(events);
            this.services = new NodeHostServices(store, events);
        }

        private Host(HostServices services) {
            this.store = null;
            this.services = services;
        }

        /** {@code memory} or {@code rocksdb} (in {@code dataDir}); {@code host-memory} for diagnosis (no StateStore). */
        public static Host open(String store, Path dataDir) {
            StoreOptions options = StoreOptions.defaults("bench").withRetainCount(RETAIN);
            return switch (store) {
                case "memory" -> new Host(StateStore.memory(options));
                case "rocksdb" -> new Host(StateStore.rocks(dataDir, options));
                case "host-memory" -> new Host(new MemoryHostServices(Clock.systemUTC()));
                default -> throw new IllegalArgumentException("store must be memory, rocksdb or host-memory, got '" + store + "'");
            };
        }

        /** Starts {@code loaded} the way {@code PluginManager} does. */
        public HostedPlugin start(LoadedPlugin loaded) {
            return HostedPlugin.start(loaded, new HostContext(loaded.manifest(), services, null, clock), watchdog);
        }

        @Override
        public void close() {
            watchdog.close();
            if (store != null) {
                store.close();
            }
        }
    }

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
