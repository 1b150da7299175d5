package dev.pando.node.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.OpDecl;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.builtin.Builtin;
import dev.pando.host.CallLimits;
import dev.pando.host.CallWatchdog;
import dev.pando.host.HostContext;
import dev.pando.host.kv.WriteBudget;
import dev.pando.host.HostServices;
import dev.pando.host.HostedPlugin;
import dev.pando.host.LoadedPlugin;
import dev.pando.host.PluginFiles;
import dev.pando.host.PluginKind;
import dev.pando.host.PluginLoader;
import dev.pando.host.PluginStats;
import dev.pando.host.wasm.WasmPlugin;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.HandlerTable;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.events.EventBus;
import dev.pando.node.metrics.Metrics;
import dev.pando.node.plugins.ReloadReport.Action;
import dev.pando.node.plugins.ReloadReport.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.function.ToLongFunction;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the plugins directory and the handler table in step. A reload scans the directory,
 * loads and starts every new or changed file (by content hash) off to the side, then publishes
 * one new handler table with a single swap; calls already running finish on the old generation,
 * which a background thread drains (bounded) before stopping and releasing the plugins only it
 * referenced. Retiring happens after {@link #reload} returns because the reload request itself
 * is a call on the old generation. A
 * plugin whose new version fails keeps its old version serving and is reported with the reason.
 * Files are read, verified and compiled before the reload lock is taken ({@link Preloads}), so a
 * slow compile holds up no other reload; only starting and publishing are serialized.
 */
public final class PluginManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginManager.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** How builtins appear where a plugin file name would: {@code builtin:journal}. */
    public static final String BUILTIN_PREFIX = "builtin:";

    private final Path dir;
    private final Map<Path, Builtin> builtins;
    /** Fixed for the process: a builtin changes only with the node. */
    private final Map<Path, String> builtinHashes;
    private final PluginLoader loader;
    private final HostServices host;
    private final HandlerRegistry registry;
    private final EventBus events;
    private final int listenerQueue;
    private final long drainMs;
    private final Clock clock;
    private final Metrics metrics;
    private final CallLimits callLimits;
    private final CallWatchdog watchdog = new CallWatchdog();
    /** Per-id call counts, shared by every version of an id so they survive replacement. */
    private final Map<String, PluginStats> totals = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object reloadLock = new Object();
    private final ExecutorService retirer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pando-plugin-retire");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<Void> retiring = CompletableFuture.completedFuture(null);
    /** Read without the lock by listings; replaced whole under it. */
    private volatile Map<String, PluginSlot> slots = Map.of();
    private volatile Map<Path, FileFailure> failures = Map.of();
    private boolean closed;

    public PluginManager(Path dir, PluginLoader loader, HostServices host, HandlerRegistry registry, EventBus events,
                         int listenerQueue, long drainMs, Clock clock, Metrics metrics) {
        this(dir, List.of(), loader, host, registry, events, listenerQueue, drainMs, clock, metrics);
    }

    /**
     * @param builtins plugins compiled into the node, served beside the directory's as if each
     *                 were a file named {@code builtin:<id>}
     */
    public PluginManager(Path dir, List<Builtin> builtins, PluginLoader loader, HostServices host, HandlerRegistry registry,
                         EventBus events, int listenerQueue, long drainMs, Clock clock, Metrics metrics) {
        this(dir, builtins, loader, host, registry, events, listenerQueue, drainMs, clock, metrics, CallLimits.DEFAULT);
    }

    /** @param callLimits how each plugin's calls queue ({@code plugins.call-queue}) */
    public PluginManager(Path dir, List<Builtin> builtins, PluginLoader loader, HostServices host, HandlerRegistry registry,
                         EventBus events, int listenerQueue, long drainMs, Clock clock, Metrics metrics, CallLimits callLimits) {
        this.callLimits = callLimits;
        Map<Path, Builtin> byPath = new LinkedHashMap<>();
        Map<Path, String> hashes = new LinkedHashMap<>();
        for (Builtin b : builtins) {
            Path source = Path.of(BUILTIN_PREFIX + b.id());
            byPath.put(source, b);
            hashes.put(source, BUILTIN_PREFIX + PluginFiles.sha256Hex(b.manifestBytes()));
        }
        this.builtins = Map.copyOf(byPath);
        this.builtinHashes = Map.copyOf(hashes);
        this.dir = dir;
        this.loader = loader;
        this.host = host;
        this.registry = registry;
        this.events = events;
        this.listenerQueue = listenerQueue;
        this.drainMs = drainMs;
        this.clock = clock;
        this.metrics = metrics;
    }

    public Path directory() {
        return dir;
    }

    /** Rescans everything. */
    public ReloadReport reload() {
        return reload(null);
    }

    /**
     * Rescans the directory; with {@code onlyId}, only the plugin with that id is loaded,
     * replaced or unloaded and every other plugin is left as it is.
     */
    public ReloadReport reload(String onlyId) {
        long t0 = System.nanoTime();
        // Reading, verifying and compiling happen before the lock, so a slow compile holds up
        // no other reload; under the lock the plan is made again from what is serving by then.
        try (Preloads preloads = preload(onlyId)) {
            synchronized (reloadLock) {
                if (closed) {
                    throw new PandoException(ErrorCode.UNAVAILABLE, "the node is shutting down");
                }
                return doReload(onlyId, preloads, t0);
            }
        }
    }

    /** Loads, outside the reload lock, every directory file this reload would load as things stand. */
    private Preloads preload(String onlyId) {
        Preloads preloads = new Preloads(loading);
        if (closed) {
            return preloads;
        }
        try {
            Map<String, PluginSlot> serving = slots;
            for (Map.Entry<Path, String> f : scan().entrySet()) {
                Path file = f.getKey();
                PluginSlot owner = slotForFile(serving, file);
                boolean unchanged = owner != null && owner.hash().equals(f.getValue())
                        && Objects.equals(owner.configHash(), configHash(owner.id()));
                if (builtins.containsKey(file) || unchanged || (owner != null && !matches(onlyId, owner.id()))) {
                    continue;
                }
                preloads.load(file, f.getValue(), () -> loader.load(file));
            }
            return preloads;
        } catch (RuntimeException | Error e) {
            preloads.close();
            throw e;
        }
    }

    private ReloadReport doReload(String onlyId, Preloads preloads, long t0) {
        Plan plan = new Plan(onlyId, clock.millis(), slots, failures, scan());
        plan.preloads = preloads;
        plan.files.forEach((file, hash) -> consider(plan, file, hash));
        if (onlyId != null && plan.outcomes.isEmpty() && plan.incoming.isEmpty() && plan.removed.isEmpty()) {
            // Asked for one plugin and found nothing of it: say so rather than report nothing and succeed.
            plan.outcomes.add(new Outcome(onlyId, null, Action.FAILED, null, null,
                    "no plugin with id '" + onlyId + "' is serving or in " + dir));
        }
        long loadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (plan.incoming.isEmpty() && plan.removed.isEmpty()) {
            // Nothing to publish: keep the live generation rather than retiring an identical table.
            settle(plan.current, Set.of(), plan.resubscribe, plan.outcomes, plan.now);
            failures = Map.copyOf(plan.failed);
            return new ReloadReport(registry.current().generation(), plan.outcomes, loadMillis, 0);
        }
        return publish(plan, loadMillis);
    }

    /** Decides what one plugin file means for this reload, loading and starting it if it changed. */
    private void consider(Plan plan, Path file, String hash) {
        PluginSlot owner = slotForFile(plan.current, file);
        if (owner != null && owner.hash().equals(hash) && Objects.equals(owner.configHash(), configHash(owner.id()))) {
            if (matches(plan.onlyId, owner.id())) {
                plan.outcomes.add(new Outcome(owner.id(), name(file), Action.UNCHANGED, owner.plugin().manifest().version(), null, null));
                if (owner.listener() != null && owner.listener().overflowed()) {
                    plan.resubscribe.add(owner);
                }
            }
            return;
        }
        if (owner != null && !matches(plan.onlyId, owner.id())) {
            return;
        }
        if (plan.preloads.busy(file, hash)) {
            // Another reload is still compiling this very file; it reports the result.
            String why = "still loading in another reload";
            if (owner != null) {
                plan.outcomes.add(fail(owner.id(), file, owner, why, null));
            } else if (plan.onlyId == null) {
                plan.outcomes.add(new Outcome(null, name(file), Action.FAILED, null, null, why));
            }
            return;
        }
        LoadedPlugin loaded;
        try {
            Builtin builtin = builtins.get(file);
            loaded = builtin != null ? loader.loadBuiltin(file, builtin.id(), builtin.manifestBytes(), builtin.factory())
                    : plan.preloads.take(file, hash).orElseGet(() -> loader.load(file));
        } catch (RuntimeException e) {
            String why = reason(e);
            // Name the plugin the file claims to be, so the report is not "id: null" for a manifest that parsed.
            Optional<PluginManifest> claimed = loader.readManifest(file);
            String claimedVersion = claimed.map(PluginManifest::version).orElse(null);
            if (owner != null) {
                plan.outcomes.add(fail(owner.id(), file, owner, why, claimedVersion));
            } else if (claimed.isEmpty() || matches(plan.onlyId, claimed.get().id())) {
                // Unreadable: it may be the very plugin asked for, so a targeted reload reports it too.
                plan.failed(file, hash, claimed.map(PluginManifest::id).orElse(null), claimedVersion, why);
            }
            return;
        }
        String id = loaded.id();
        // The file that served 'owner' now declares another id: the owner's id is no longer in
        // the directory, so it goes once the file's new plugin serves (or, reloading only the
        // owner's id, at once), like a plugin whose file was deleted.
        boolean renamed = owner != null && !owner.id().equals(id);
        if (!matches(plan.onlyId, id)) {
            closeQuietly(loaded);
            if (renamed) {
                plan.removed.add(owner);
            }
            return;
        }
        PluginSlot existing = plan.current.get(id);
        String clash = null;
        if (plan.incoming.containsKey(id)) {
            clash = "plugin id '" + id + "' is also in " + name(plan.incoming.get(id).file);
        } else if (existing != null && !existing.file().equals(file) && plan.files.containsKey(existing.file())) {
            clash = "plugin id '" + id + "' is already served by " + name(existing.file());
        }
        if (clash != null) {
            closeQuietly(loaded);
            plan.failed(file, hash, id, loaded.manifest().version(), clash);
            return;
        }
        try {
            // Builtins have no write budget: the journal's volume follows the node's own writes
            // and the rules bound theirs (cascade depth, intervals, action counts).
            HostContext context = new HostContext(loaded.manifest(), host, operatorConfig(id), clock,
                    loaded.kind() == PluginKind.BUILTIN ? WriteBudget.Limits.UNLIMITED : host.writeLimits());
            HostedPlugin hosted = HostedPlugin.start(loaded, context, watchdog,
                    callLimits, totals.computeIfAbsent(id, k -> new PluginStats()));
            plan.incoming.put(id, new Candidate(hosted, file, hash, configHash(id)));
            plan.failed.remove(file);
            if (renamed) {
                plan.removed.add(owner);
            }
        } catch (RuntimeException e) {
            String why = reason(e);
            PluginSlot previous = owner != null ? owner : existing;
            if (previous != null) {
                plan.outcomes.add(fail(id, file, previous, why, loaded.manifest().version()));
            } else {
                plan.failed(file, hash, id, loaded.manifest().version(), why);
            }
        }
    }

    /** Swaps in one table with the plan's changes, then retires what only the old one used. */
    private ReloadReport publish(Plan plan, long loadMillis) {
        long s0 = System.nanoTime();
        HandlerTable retired;
        try {
            retired = registry.swap(b -> {
                plan.removed.forEach(s -> b.removeOwner(s.id()));
                for (Candidate c : plan.incoming.values()) {
                    b.removeOwner(c.plugin.id());
                    b.addAll(specs(c.plugin));
                }
                return b;
            });
        } catch (IllegalArgumentException e) {
            // An op clash (only possible with core ops) leaves the live table exactly as it was.
            plan.incoming.values().forEach(c -> c.plugin.close());
            plan.outcomes.add(new Outcome(null, null, Action.FAILED, null, null, "new handler table refused: " + e.getMessage()));
            failures = Map.copyOf(plan.failed);
            return new ReloadReport(registry.current().generation(), plan.outcomes, loadMillis, 0);
        }
        long swapMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - s0);

        Map<String, PluginSlot> next = new TreeMap<>(plan.current);
        List<PluginSlot> retiringSlots = new ArrayList<>(plan.removed);
        for (PluginSlot s : plan.removed) {
            next.remove(s.id());
            plan.outcomes.add(new Outcome(s.id(), name(s.file()), Action.UNLOADED, null, s.plugin().manifest().version(), null));
            if (s.listener() != null) {
                s.listener().close();
            }
        }
        for (Candidate c : plan.incoming.values()) {
            PluginSlot old = next.get(c.plugin.id());
            String version = c.plugin.manifest().version();
            Outcome o = old == null
                    ? new Outcome(c.plugin.id(), name(c.file), Action.LOADED, version, null, null)
                    : new Outcome(c.plugin.id(), name(c.file), Action.REPLACED, version, old.plugin().manifest().version(), null);
            if (old != null) {
                retiringSlots.add(old);
                if (old.listener() != null) {
                    old.listener().close();
                }
            }
            PluginListener listener = PluginListener.start(c.plugin, events, listenerQueue);
            registerGauges(c.plugin.id());
            next.put(c.plugin.id(), new PluginSlot(c.plugin, c.file, c.hash, c.configHash, listener, plan.now, o, plan.now));
            plan.outcomes.add(o);
        }
        settle(next, plan.incoming.keySet(), plan.resubscribe, plan.outcomes, plan.now);
        failures = Map.copyOf(plan.failed);
        if (!retiringSlots.isEmpty()) {
            retire(retired, retiringSlots);
        }
        ReloadReport report = new ReloadReport(registry.current().generation(), plan.outcomes, loadMillis, swapMicros);
        logReport(report);
        return report;
    }

    /**
     * Per-plugin series read at scrape time from the id's totals, which run on across
     * replacements and unloads (so they never reset while the node runs).
     */
    private void registerGauges(String id) {
        gauge("pando_plugin_calls", "Calls to the plugin's ops", id, PluginStats::calls);
        gauge("pando_plugin_errors", "Plugin calls that ended in an error", id, PluginStats::errors);
        gauge("pando_plugin_timeouts", "Plugin calls cut off at the call time limit", id, PluginStats::timeouts);
        gauge("pando_plugin_failures", "Plugin calls that trapped or threw", id, PluginStats::failures);
        gauge("pando_plugin_deliveries", "Changes and events delivered to the plugin's listener", id, PluginStats::deliveries);
        gauge("pando_plugin_busy", "Plugin calls refused UNAVAILABLE without running: instances and queue full, or limit passed while queued",
                id, PluginStats::busy);
        metrics.gauge("pando_plugin_waiting", "Calls waiting for a free plugin instance", () -> plugin(id).map(p -> (long) p.waitingCalls()).orElse(0L),
                "plugin", id);
        metrics.gauge("pando_plugin_memory_bytes", "Linear memory held by the plugin's WASM instances", () -> plugin(id)
                .map(p -> p.loaded().plugin() instanceof WasmPlugin w ? w.stats().memoryBytes() : 0L).orElse(0L), "plugin", id);
    }

    private void gauge(String name, String help, String id, ToLongFunction<PluginStats> read) {
        PluginStats stats = totals.get(id);
        metrics.gauge(name, help, () -> read.applyAsLong(stats), "plugin", id);
    }

    /**
     * Publishes the slots after a reload: listeners cut off for falling behind are subscribed
     * again, and each serving plugin records how this reload went for it. A failed new version
     * is shown on the version that keeps serving until a reload finds that version's file back
     * in place (unchanged) with nothing else failing for the id.
     */
    private void settle(Map<String, PluginSlot> serving, Set<String> justLoaded, List<PluginSlot> resubscribe,
                        List<Outcome> outcomes, long now) {
        Map<String, PluginSlot> next = new TreeMap<>(serving);
        for (PluginSlot s : resubscribe) {
            s.listener().close();
            next.put(s.id(), s.withListener(PluginListener.start(s.plugin(), events, listenerQueue)));
            log.info("plugin {}: listener resubscribed after falling behind", s.id());
        }
        Set<String> failedIds = new HashSet<>();
        outcomes.stream().filter(o -> o.action() == Action.FAILED && o.id() != null).forEach(o -> failedIds.add(o.id()));
        for (Outcome o : outcomes) {
            if (o.id() == null || !next.containsKey(o.id()) || justLoaded.contains(o.id())) {
                continue;
            }
            PluginSlot s = next.get(o.id());
            boolean failedBefore = s.lastResult() != null && s.lastResult().action() == Action.FAILED;
            if (o.action() == Action.FAILED || (o.action() == Action.UNCHANGED && failedBefore && !failedIds.contains(o.id()))) {
                next.put(o.id(), s.withResult(o, now));
            }
        }
        slots = Map.copyOf(next);
    }

    private void retire(HandlerTable retired, List<PluginSlot> old) {
        retiring = retiring.thenRunAsync(() -> {
            long t0 = System.nanoTime();
            drain(retired);
            old.forEach(s -> s.plugin().close());
            log.debug("retired generation {} ({} plugins) after {} ms", retired.generation(), old.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }, retirer);
    }

    /**
     * Waits until plugins replaced or removed by earlier reloads have drained and been closed.
     * Returns false on timeout.
     */
    public boolean awaitRetired(long timeout, TimeUnit unit) throws InterruptedException {
        CompletableFuture<Void> pending;
        synchronized (reloadLock) {
            pending = retiring;
        }
        try {
            pending.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            log.warn("retiring old plugins failed: {}", e.getCause().toString());
            return true;
        }
    }

    private void drain(HandlerTable retired) {
        try {
            if (!registry.drain(retired, drainMs, TimeUnit.MILLISECONDS)) {
                log.warn("calls on handler generation {} still running after {} ms; closing its plugins anyway", retired.generation(), drainMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @param version the version the failed file declares, or null if unknown */
    private static Outcome fail(String id, Path file, PluginSlot serving, String why, String version) {
        return new Outcome(id, name(file), Action.FAILED, version, serving.plugin().manifest().version(),
                why + " (version " + serving.plugin().manifest().version() + " keeps serving)");
    }

    /**
     * A plugin's ops are INLINE: the handler only admits the call to the plugin's own queue and
     * threads (never blocking), so plugin code never occupies the node's worker pool and core
     * ops never wait behind it.
     */
    private static List<OpSpec> specs(HostedPlugin plugin) {
        List<OpSpec> specs = new ArrayList<>();
        for (OpDecl op : plugin.manifest().ops()) {
            String name = op.name();
            specs.add(OpSpec.inline(name, op.scope(), plugin.id(),
                    (ctx, args) -> plugin.submit(name, args, new NodeCaller(ctx.principal()))));
        }
        return specs;
    }

    /**
     * Hash of {@code <id>.config.json}, or null if there is none: a plugin is unchanged only if
     * its file and its operator config both are, so editing the config and reloading restarts it.
     */
    private String configHash(String id) {
        Path config = dir.resolve(id + PluginFiles.CONFIG_SUFFIX);
        try {
            return Files.isRegularFile(config) ? PluginFiles.sha256Hex(Files.readAllBytes(config)) : null;
        } catch (IOException e) {
            return "unreadable";
        }
    }

    private JsonNode operatorConfig(String id) {
        Path file = dir.resolve(id + PluginFiles.CONFIG_SUFFIX);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw PandoException.badRequest(name(file) + " must hold a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw PandoException.badRequest(name(file) + " is not valid JSON: " + e.getMessage());
        }
    }

    /** Files some reload is loading outside the lock right now, with the content hash it is loading. */
    private final Map<Path, String> loading = new java.util.concurrent.ConcurrentHashMap<>();

    private Map<Path, String> scan() {
        Map<Path, String> out = new TreeMap<>();
        try {
            for (Path f : PluginFiles.list(dir)) {
                try {
                    out.put(f, PluginFiles.contentHash(f));
                } catch (IOException e) {
                    log.warn("cannot read plugin file {}: {}", f, e.toString()); // vanished mid-scan or unreadable
                }
            }
        } catch (IOException e) {
            throw new PandoException(ErrorCode.INTERNAL, "cannot list plugins directory " + dir + ": " + e.getMessage(), e);
        }
        out.putAll(builtinHashes);
        return out;
    }

    private static PluginSlot slotForFile(Map<String, PluginSlot> slots, Path file) {
        for (PluginSlot s : slots.values()) {
            if (s.file().equals(file)) {
                return s;
            }
        }
        return null;
    }

    private static boolean matches(String onlyId, String id) {
        return onlyId == null || onlyId.equals(id);
    }

    private static String name(Path file) {
        return file == null ? null : file.getFileName().toString();
    }

    private static String reason(RuntimeException e) {
        return e instanceof PandoException ? e.getMessage() : e.toString();
    }

    private static void closeQuietly(LoadedPlugin loaded) {
        try {
            loaded.resources().close();
        } catch (Exception e) {
            log.warn("releasing {} failed: {}", loaded.file(), e.toString());
        }
    }

    private static void logReport(ReloadReport r) {
        for (Outcome o : r.outcomes()) {
            switch (o.action()) {
                case FAILED -> log.error("plugin {} ({}) failed to load: {}", o.id() == null ? "?" : o.id(), o.file(), o.error());
                case UNCHANGED -> { }
                default -> log.info("plugin {} {} {}{}", o.id(), o.action().name().toLowerCase(), o.version() == null ? "" : o.version(),
                        o.previousVersion() == null ? "" : " (was " + o.previousVersion() + ")");
            }
        }
    }

    /** Every serving plugin (by id), then every failed file with nothing serving in its place. */
    public List<PluginStatus> status() {
        List<PluginStatus> out = new ArrayList<>();
        slots.values().stream().sorted(java.util.Comparator.comparing(PluginSlot::id)).map(PluginStatus::of).forEach(out::add);
        failures.values().stream().map(PluginStatus::of).forEach(out::add);
        return out;
    }

    /** The serving plugin with this id, if any. */
    public java.util.Optional<HostedPlugin> plugin(String id) {
        PluginSlot s = slots.get(id);
        return java.util.Optional.ofNullable(s == null ? null : s.plugin());
    }


    /**
     * Unloads every plugin: their ops leave the table, in-flight calls drain (bounded), then
     * each is stopped and released.
     */
    @Override
    public void close() {
        synchronized (reloadLock) {
            if (closed) {
                return;
            }
            closed = true;
            retiring.join();
            Map<String, PluginSlot> all = slots;
            if (!all.isEmpty()) {
                HandlerTable retired = registry.swap(b -> {
                    all.keySet().forEach(b::removeOwner);
                    return b;
                });
                all.values().forEach(s -> {
                    if (s.listener() != null) {
                        s.listener().close();
                    }
                });
                drain(retired);
                all.values().forEach(s -> s.plugin().close());
            }
            slots = Map.of();
            retirer.shutdown();
            watchdog.close();
        }
    }

    private record Candidate(HostedPlugin plugin, Path file, String hash, String configHash) {}

    /** One reload's working state: what is serving, what the directory holds, what changes. */
    private static final class Plan {
        final String onlyId;
        final long now;
        final Map<String, PluginSlot> current;
        final Map<Path, FileFailure> failed;
        final Map<Path, String> files;
        final List<Outcome> outcomes = new ArrayList<>();
        final Map<String, Candidate> incoming = new LinkedHashMap<>();
        /** Serving plugins whose file is gone (or now declares another id). */
        final List<PluginSlot> removed = new ArrayList<>();
        /** Unchanged plugins whose listener was cut off for falling behind. */
        final List<PluginSlot> resubscribe = new ArrayList<>();
        Preloads preloads;

        Plan(String onlyId, long now, Map<String, PluginSlot> current, Map<Path, FileFailure> failures, Map<Path, String> files) {
            this.onlyId = onlyId;
            this.now = now;
            this.current = current;
            this.files = files;
            this.failed = new TreeMap<>(failures);
            failed.keySet().removeIf(f -> !files.containsKey(f));
            for (PluginSlot s : current.values()) {
                if (!files.containsKey(s.file()) && matches(onlyId, s.id())) {
                    removed.add(s);
                }
            }
        }

        /** A file that failed with nothing of its own serving. */
        void failed(Path file, String hash, String id, String version, String why) {
            failed.put(file, new FileFailure(file, hash, id, version, why, now));
            outcomes.add(new Outcome(id, name(file), Action.FAILED, version, null, why));
        }
    }
}
