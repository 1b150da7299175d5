package dev.pando.node;

import dev.pando.host.CallLimits;
import dev.pando.host.PluginLoader;
import dev.pando.host.kv.WriteBudget;
import dev.pando.node.auth.AdminToken;
import dev.pando.node.auth.AuthMode;
import dev.pando.node.auth.Authenticator;
import dev.pando.node.auth.NodeAuth;
import dev.pando.node.auth.NodeIdentity;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.dispatch.Dispatcher;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.RateLimiter;
import dev.pando.node.events.EventBus;
import dev.pando.node.kv.RocksOptions;
import dev.pando.node.kv.RocksStorage;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StoreOptions;
import dev.pando.node.metrics.Metrics;
import dev.pando.node.ops.AuthOps;
import dev.pando.node.ops.CoreOps;
import dev.pando.node.ops.MemoryOps;
import dev.pando.node.ops.PluginOps;
import dev.pando.node.plugins.NodeHostServices;
import dev.pando.node.plugins.PluginLoaders;
import dev.pando.node.plugins.PluginManager;
import dev.pando.node.plugins.PluginState;
import dev.pando.node.plugins.PluginWatcher;
import dev.pando.node.plugins.ReloadReport;
import dev.pando.node.transport.PandoServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: state store, event bus, handler registry, dispatcher and server, started in
 * that order and closed in reverse. {@link #close()} is graceful: stop accepting, drain in-flight
 * requests, then flush and close the store.
 */
public final class PandoNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PandoNode.class);

    private final NodeConfig config;
    private final NodeIdentity identity;
    private final AdminToken adminToken;
    private final StateStore store;
    private final EventBus events;
    private final HandlerRegistry registry;
    private final Dispatcher dispatcher;
    private final Metrics metrics;
    private final ThreadPoolExecutor workers;
    private final PluginManager plugins;
    private final PluginWatcher watcher;
    private final PandoServer server;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closedLatch = new CountDownLatch(1);

    private PandoNode(NodeConfig config) throws IOException {
        this.config = config;
        AuthMode.resolve(config.get(NodeConfig.AUTH_MODE), config.get(NodeConfig.BIND)); // refuses open mode off loopback before touching the data dir
        Path dataDir = config.get(NodeConfig.DATA_DIR);
        Files.createDirectories(dataDir);
        this.identity = NodeIdentity.loadOrCreate(dataDir);
        this.adminToken = AdminToken.loadOrCreate(dataDir);

        StoreOptions storeOptions = new StoreOptions(identity.nodeId(), config.get(NodeConfig.MAX_VALUE_BYTES),
                config.get(NodeConfig.COMMIT_QUEUE), config.get(NodeConfig.STORE_SYNC),
                config.get(NodeConfig.RETAIN_COUNT), config.get(NodeConfig.RETAIN_AGE_MS))
                .withMaxJsonDepth(config.get(NodeConfig.MAX_JSON_DEPTH));
        try {
            this.store = switch (config.get(NodeConfig.STORE)) {
                case "rocksdb" -> StateStore.open(RocksStorage.open(dataDir.resolve("state"),
                        new RocksOptions(config.get(NodeConfig.STORE_RECOVER_CORRUPT_WAL))), storeOptions);
                case "memory" -> StateStore.memory(storeOptions);
                default -> throw new IllegalArgumentException("config key 'store' must be rocksdb or memory, got '" + config.get(NodeConfig.STORE) + "'");
            };
        } catch (RuntimeException e) {
            adminToken.discard();
            throw e;
        }
        try {
            this.metrics = new Metrics();
            this.events = new EventBus();
            store.addCommitListener(events);
            this.registry = new HandlerRegistry();
            this.workers = workerPool(config);
            this.dispatcher = new Dispatcher(registry, workers,
                    new RateLimiter(config.get(NodeConfig.RATE_PER_SECOND), config.get(NodeConfig.RATE_BURST)), metrics);
            CoreOps core = new CoreOps(identity.nodeId(), version(), store, events, registry, config, workers);
            registry.swap(b -> b.addAll(core.specs()));
            NodeAuth nodeAuth = NodeAuth.create(config, identity, adminToken, store, Clock.systemUTC());
            Authenticator auth = nodeAuth.authenticator();
            registry.swap(b -> b.addAll(new AuthOps(auth, nodeAuth.revocations(), identity).specs()));
            PluginLoader pluginLoader = PluginLoaders.fromConfig(config);
            PluginLoaders.registerGauges(pluginLoader, metrics);
            WriteBudget.Limits writeLimits = new WriteBudget.Limits(
                    config.get(NodeConfig.PLUGIN_MAX_WRITES_PER_CALL), config.get(NodeConfig.PLUGIN_MAX_WRITES_PER_SECOND));
            this.plugins = new PluginManager(config.get(NodeConfig.PLUGINS_DIR), PluginLoaders.builtins(config), pluginLoader,
                    new NodeHostServices(store, events, auth, writeLimits, identity, metrics), registry, events, config.get(NodeConfig.LISTENER_QUEUE),
                    config.get(NodeConfig.PLUGIN_DRAIN_MS), Clock.systemUTC(), metrics, new CallLimits(config.get(NodeConfig.PLUGIN_CALL_QUEUE)));
            registry.swap(b -> b.addAll(new PluginOps(plugins).specs()));
            ReloadReport loaded = plugins.reload();
            log.info("plugins: {} loaded, {} failed from {}", loaded.count(PluginState.LOADED),
                    loaded.count(PluginState.FAILED), config.get(NodeConfig.PLUGINS_DIR));
            this.watcher = config.get(NodeConfig.WATCH_PLUGINS) ? new PluginWatcher(plugins, config.get(NodeConfig.WATCH_DEBOUNCE_MS)) : null;
            registerGauges();
            this.server = new PandoServer(config, dispatcher, auth, events, metrics);
            registry.swap(b -> b.addAll(new MemoryOps(() -> metrics.gaugeValue("pando_ws_sessions"), server::openConnections,
                    events::subscriptionCount).specs()));
            server.start();
        } catch (RuntimeException | IOException e) {
            closePlugins();
            store.close();
            adminToken.discard(); // never shown: the first start that succeeds makes and prints one
            throw e;
        }
    }

    /** Starts a node; returns once it is listening. */
    public static PandoNode start(NodeConfig config) throws IOException {
        PandoNode node = new PandoNode(config);
        if (node.adminToken.created()) {
            // Printed once, on the first start of this data dir; afterwards it is only in the file.
            System.out.println("admin token (shown once; also in " + node.adminToken.file() + "): " + node.adminToken.value());
        }
        log.info("pando {} node {} listening on {} (store {}, data {})", version(), node.nodeId(), node.url(),
                config.get(NodeConfig.STORE), config.get(NodeConfig.DATA_DIR));
        return node;
    }

    private static ThreadPoolExecutor workerPool(NodeConfig config) {
        int threads = config.get(NodeConfig.WORKER_THREADS);
        AtomicInteger n = new AtomicInteger();
        // Bounded queue + AbortPolicy: an overloaded node answers UNAVAILABLE instead of queueing forever.
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(Math.max(1, config.get(NodeConfig.WORKER_QUEUE))), r -> {
                    Thread t = new Thread(r, "pando-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    private void registerGauges() {
        metrics.gauge("pando_store_revision", "Last committed revision", store::lastRevision);
        metrics.gauge("pando_store_size_bytes", "Approximate state store size on disk and in memtables", store::approximateSizeBytes);
        metrics.gauge("pando_store_keys", "Approximate number of keys", store::approximateKeyCount);
        metrics.gauge("pando_store_rollback", "1 if this start found acknowledged writes may be lost (see node.info storeRecovery)",
                () -> store.recovery().rolledBack() ? 1 : 0);
        metrics.gauge("pando_store_rollback_gap", "Revisions skipped after a rollback at this start",
                () -> store.recovery().resumedRevision() - store.recovery().recoveredRevision());
        metrics.gauge("pando_handler_generation", "Generation of the live handler table", () -> registry.current().generation());
        metrics.gauge("pando_worker_queue", "Calls waiting for a worker thread", () -> workers.getQueue().size());
    }

    /** The implementation version from the jar manifest, or {@code dev} when run from classes. */
    public static String version() {
        String v = PandoNode.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public String nodeId() {
        return identity.nodeId();
    }

    public int port() {
        return server.port();
    }

    public URI url() {
        String host = config.get(NodeConfig.BIND);
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port());
    }

    public String adminToken() {
        return adminToken.value();
    }

    public NodeConfig config() {
        return config;
    }

    public StateStore store() {
        return store;
    }

    public EventBus events() {
        return events;
    }

    public HandlerRegistry registry() {
        return registry;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public PluginManager plugins() {
        return plugins;
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Graceful stop: stop accepting, drain in-flight requests, close the store. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("node {} shutting down", nodeId());
        try {
            server.close();
            workers.shutdown();
            if (!workers.awaitTermination(config.get(NodeConfig.SHUTDOWN_DRAIN_MS), TimeUnit.MILLISECONDS)) {
                log.warn("workers still busy after drain; interrupting");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closePlugins();
            store.close();
            closedLatch.countDown();
            log.info("node {} stopped", nodeId());
        }
    }

    private void closePlugins() {
        if (watcher != null) {
            watcher.close();
        }
        if (plugins != null) {
            plugins.close();
        }
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClose() throws InterruptedException {
        closedLatch.await();
    }
}
