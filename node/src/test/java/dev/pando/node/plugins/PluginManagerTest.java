package dev.pando.node.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.api.plugin.PluginContext;
import dev.pando.host.LoadedPlugin;
import dev.pando.host.PluginKind;
import dev.pando.host.PluginLoader;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.events.EventBus;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StoreOptions;
import dev.pando.node.kv.WriteOptions;
import dev.pando.node.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reload logic against a loader stub: each test "plugin file" holds a manifest, and the loaded
 * plugin answers with its version. Real WASM and PF4J plugins are covered by the integration tests.
 */
class PluginManagerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private StateStore store;
    private EventBus events;
    private HandlerRegistry registry;
    private PluginManager manager;
    private final Metrics metrics = new Metrics();
    private final AtomicInteger stops = new AtomicInteger();
    private final AtomicInteger releases = new AtomicInteger();
    private final List<KvChange> heard = new CopyOnWriteArrayList<>();
    /** Listeners of plugins configured with {"blockListener": true} wait for this before each change. */
    private final CountDownLatch gate = new CountDownLatch(1);
    /** Loading a plugin configured with {"slowLoad": true} (a slow compile) counts this down, then waits for slowRelease. */
    private final CountDownLatch slowStarted = new CountDownLatch(1);
    private final CountDownLatch slowRelease = new CountDownLatch(1);

    @BeforeEach
    void setUp() {
        store = StateStore.memory(StoreOptions.defaults("n-test"));
        events = new EventBus();
        store.addCommitListener(events);
        registry = new HandlerRegistry();
        manager = new PluginManager(dir, loaderOf(), new NodeHostServices(store, events), registry, events, 64, 5_000, Clock.systemUTC(), metrics);
    }

    private PluginLoader loaderOf() {
        PluginLoader loader = mock(PluginLoader.class);
        when(loader.load(any())).thenAnswer(inv -> load(inv.getArgument(0)));
        when(loader.readManifest(any())).thenAnswer(inv -> claimed(inv.getArgument(0)));
        return loader;
    }

    @AfterEach
    void tearDown() {
        manager.close();
        store.close();
    }

    private LoadedPlugin load(Path file) throws Exception {
        String text = Files.readString(file);
        if (text.startsWith("BROKEN")) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "manifest is not valid JSON");
        }
        PluginManifest m = ManifestParser.parse(text.getBytes());
        if (m.config().path("failLoad").asBoolean()) {
            throw new PandoException(ErrorCode.FORBIDDEN, "refused " + file.getFileName() + ": UNTRUSTED_SIGNER: signed by a stranger");
        }
        boolean failStart = m.config().path("failStart").asBoolean();
        boolean blockListener = m.config().path("blockListener").asBoolean();
        if (m.config().path("slowLoad").asBoolean()) {
            slowStarted.countDown();
            slowRelease.await(30, TimeUnit.SECONDS);
        }
        boolean selfWrite = m.config().path("selfWrite").asBoolean();
        boolean loopListener = m.config().path("loopListener").asBoolean();
        PandoPlugin plugin = new PandoPlugin() {
            private volatile PluginContext ctx;

            @Override
            public void start(PluginContext context) {
                ctx = context;
                if (failStart) {
                    throw new IllegalStateException("cannot start");
                }
            }

            @Override
            public JsonNode call(OpCall call) {
                if (call.op().endsWith(".writeLoop")) {
                    // Writes until refused, as a hostile op would, and says how far it got.
                    int written = 0;
                    try {
                        while (written < 1_000_000) {
                            ctx.kv().set(m.defaultPrefix() + "/w" + written, JsonNodeFactory.instance.numberNode(written));
                            written++;
                        }
                    } catch (PandoException e) {
                        return JsonNodeFactory.instance.objectNode().put("written", written).put("code", e.code().name());
                    }
                    return JsonNodeFactory.instance.objectNode().put("written", written);
                }
                return JsonNodeFactory.instance.objectNode().put("version", m.version()).put("caller", call.caller().name());
            }

            @Override
            public void onChange(KvChange change) {
                if (blockListener) {
                    try {
                        gate.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while blocked", e);
                    }
                }
                heard.add(change);
                if (loopListener) {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.onSpinWait(); // a guest stuck in a loop until its time limit
                    }
                    throw new IllegalStateException("cut off");
                }
                if (selfWrite) {
                    ctx.kv().set(change.key() + "/again", JsonNodeFactory.instance.numberNode(1));
                }
            }

            @Override
            public void stop() {
                stops.incrementAndGet();
            }
        };
        return new LoadedPlugin(file.getFileName().toString(), PluginKind.NATIVE, java.util.Optional.empty(), m, plugin, releases::incrementAndGet);
    }

    /** What the real loader's readManifest gives: the manifest if it parses, whatever else is wrong. */
    private static java.util.Optional<PluginManifest> claimed(Path file) {
        try {
            return java.util.Optional.of(ManifestParser.parse(Files.readAllBytes(file)));
        } catch (Exception e) {
            return java.util.Optional.empty();
        }
    }

    private Path write(String file, String id, String version) throws Exception {
        return write(file, id, version, "");
    }

    private Path write(String file, String id, String version, String extra) throws Exception {
        String manifest = "{\"id\":\"" + id + "\",\"version\":\"" + version + "\",\"apiVersion\":1,"
                + "\"ops\":[{\"name\":\"" + id + ".ver\",\"scope\":\"read\"}]" + extra + "}";
        return Files.writeString(dir.resolve(file), manifest);
    }

    private PluginStatus.Serving serving(int row) {
        return (PluginStatus.Serving) manager.status().get(row);
    }

    private JsonNode call(String op) throws Exception {
        OpSpec spec = registry.current().lookup(op).orElseThrow(() -> new AssertionError("op " + op + " is in the table"));
        return spec.handler().handle(new CallContext(Principal.admin(), null, null), JSON.createObjectNode()).toCompletableFuture().get();
    }

    @Test
    void loadsReplacesAndUnloadsByContent() throws Exception {
        write("a.jar", "alpha", "1.0.0");
        ReloadReport first = manager.reload();
        assertThat(first.count(PluginState.LOADED)).isEqualTo(1);
        assertThat(call("alpha.ver").path("version").asText()).isEqualTo("1.0.0");
        assertThat(call("alpha.ver").path("caller").asText()).isEqualTo("admin");
        assertThat(registry.current().lookup("alpha.ver").orElseThrow().requires().name()).isEqualTo("READ");

        ReloadReport same = manager.reload();
        assertThat(same.count(PluginState.UNCHANGED)).isEqualTo(1);
        assertThat(same.count(PluginState.LOADED) + same.count(PluginState.REPLACED)).isZero();

        write("a.jar", "alpha", "1.0.1");
        ReloadReport replaced = manager.reload();
        assertThat(replaced.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.action()).isEqualTo(PluginState.REPLACED);
            assertThat(o.previousVersion()).contains("1.0.0");
            assertThat(o.version()).contains("1.0.1");
        });
        assertThat(call("alpha.ver").path("version").asText()).isEqualTo("1.0.1");
        // Totals per id: the two calls to 1.0.0 still count.
        assertThat(metrics.render()).contains("pando_plugin_calls{plugin=\"alpha\"} 3");
        assertThat(manager.awaitRetired(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stops.get()).isEqualTo(1);
        assertThat(releases.get()).isEqualTo(1);

        Files.delete(dir.resolve("a.jar"));
        assertThat(manager.reload().count(PluginState.UNLOADED)).isEqualTo(1);
        assertThat(registry.current().lookup("alpha.ver")).isEmpty();
        assertThat(manager.awaitRetired(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stops.get()).isEqualTo(2);
        assertThat(manager.status()).isEmpty();
    }

    @Test
    void callCountsArePerIdTotalsThatSurviveReplacementAndUnloading() throws Exception {
        write("a.jar", "alpha", "1.0.0");
        manager.reload();
        call("alpha.ver");
        call("alpha.ver");
        write("a.jar", "alpha", "1.0.1");
        assertThat(manager.reload().count(PluginState.REPLACED)).isEqualTo(1);
        call("alpha.ver");
        assertThat(serving(0).manifest().version()).isEqualTo("1.0.1");
        assertThat(serving(0).stats().calls()).isEqualTo(3);
        assertThat(manager.status()).hasSize(1);

        Files.delete(dir.resolve("a.jar"));
        manager.reload();
        write("a.jar", "alpha", "1.0.2");
        assertThat(manager.reload().count(PluginState.LOADED)).isEqualTo(1);
        call("alpha.ver");
        assertThat(manager.status()).hasSize(1);
        assertThat(serving(0).stats().calls()).isEqualTo(4);
        assertThat(metrics.render()).contains("pando_plugin_calls{plugin=\"alpha\"} 4");
    }

    @Test
    void failedNewVersionKeepsOldServingAndIsReported() throws Exception {
        write("a.jar", "alpha", "1.0.0");
        manager.reload();
        Files.writeString(dir.resolve("a.jar"), "BROKEN");
        ReloadReport r = manager.reload();
        assertThat(r.hasFailures()).isTrue();
        assertThat(r.outcomes().get(0).error()).get().asString().contains("not valid JSON").contains("1.0.0 keeps serving");
        assertThat(call("alpha.ver").path("version").asText()).isEqualTo("1.0.0");
        PluginStatus.Serving st = serving(0);
        assertThat(st.state()).isEqualTo(PluginState.SERVING);
        assertThat(st.lastReload().action()).isEqualTo(PluginState.FAILED);

        write("a.jar", "alpha", "1.0.2", ",\"config\":{\"failStart\":true}");
        ReloadReport r2 = manager.reload();
        assertThat(r2.outcomes().get(0).error()).get().asString().contains("failed to start").contains("keeps serving");
        assertThat(call("alpha.ver").path("version").asText()).isEqualTo("1.0.0");
        assertThat(manager.reload().outcomes()).extracting(ReloadOutcome::action).containsExactly(PluginState.FAILED);
        assertThat(serving(0).lastReload().action()).as("still failing").isEqualTo(PluginState.FAILED);

        // The serving version's file is put back: the failure is no longer current.
        write("a.jar", "alpha", "1.0.0");
        assertThat(manager.reload().outcomes()).extracting(ReloadOutcome::action).containsExactly(PluginState.UNCHANGED);
        assertThat(serving(0).lastReload().action()).isEqualTo(PluginState.UNCHANGED);
        assertThat(serving(0).lastReload().error()).isEmpty();
    }

    @Test
    void brokenNewFileIsListedAsFailedAndOthersLoad() throws Exception {
        Files.writeString(dir.resolve("bad.wasm"), "BROKEN");
        write("b.jar", "beta", "2.0.0");
        ReloadReport r = manager.reload();
        assertThat(r.count(PluginState.FAILED)).isEqualTo(1);
        assertThat(r.count(PluginState.LOADED)).isEqualTo(1);
        assertThat(manager.status()).extracting(PluginStatus::state).containsExactly(PluginState.SERVING, PluginState.FAILED);
        assertThat(((PluginStatus.Failed) manager.status().get(1)).error()).contains("not valid JSON");
        Files.delete(dir.resolve("bad.wasm"));
        manager.reload();
        assertThat(manager.status()).hasSize(1);
    }

    @Test
    void twoFilesWithOneIdLoadOnlyTheFirst() throws Exception {
        write("a.jar", "alpha", "1.0.0");
        write("b.jar", "alpha", "9.0.0");
        ReloadReport r = manager.reload();
        assertThat(r.count(PluginState.LOADED)).isEqualTo(1);
        assertThat(r.count(PluginState.FAILED)).isEqualTo(1);
        assertThat(r.outcomes()).filteredOn(o -> o.action() == PluginState.FAILED).singleElement()
                .satisfies(o -> assertThat(o.error()).get().asString().contains("also in a.jar"));
        assertThat(call("alpha.ver").path("version").asText()).isEqualTo("1.0.0");
    }

    @Test
    void aFileThatFailsToLoadIsReportedUnderTheIdAndVersionItsManifestClaims() throws Exception {
        write("g.wasm", "gamma", "3.0.0", ",\"config\":{\"failLoad\":true}");
        ReloadReport r = manager.reload();
        assertThat(r.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.action()).isEqualTo(PluginState.FAILED);
            assertThat(o.id()).contains("gamma");
            assertThat(o.version()).contains("3.0.0");
            assertThat(o.file()).contains("g.wasm");
        });
        assertThat(manager.status()).singleElement().isInstanceOfSatisfying(PluginStatus.Failed.class, s -> {
            assertThat(s.id()).contains("gamma");
            assertThat(s.version()).contains("3.0.0");
        });

        // A failed new version of a serving plugin names the version that failed, beside the one that keeps serving.
        write("a.jar", "alpha", "1.0.0");
        manager.reload();
        write("a.jar", "alpha", "2.0.0", ",\"config\":{\"failLoad\":true}");
        assertThat(manager.reload("alpha").outcomes()).singleElement()
                .satisfies(o -> assertThat(o.id().orElse(null) + " " + o.version().orElse(null) + " " + o.previousVersion().orElse(null))
                        .isEqualTo("alpha 2.0.0 1.0.0"));
    }

    @Test
    void reloadingOneIdReportsAFileWhoseManifestCannotBeReadAndAnIdThatIsNowhere() throws Exception {
        Files.writeString(dir.resolve("bad.wasm"), "BROKEN");
        ReloadReport r = manager.reload("hello");
        assertThat(r.hasFailures()).as("the unreadable file may be the plugin asked for").isTrue();
        assertThat(r.outcomes()).extracting(o -> o.file().orElse(null) + " " + o.action()).contains("bad.wasm FAILED");

        Files.delete(dir.resolve("bad.wasm"));
        ReloadReport none = manager.reload("hello");
        assertThat(none.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.action()).isEqualTo(PluginState.FAILED);
            assertThat(o.error()).get().asString().contains("no plugin with id 'hello'");
        });
    }

    @Test
    void theServingPluginKeepsItsIdWhenAnotherFileClaimsIt() throws Exception {
        write("m.jar", "alpha", "1.0.0");
        manager.reload();
        write("a.jar", "alpha", "9.0.0"); // first by name, but alpha is already serving from m.jar
        ReloadReport r = manager.reload();
        assertThat(r.outcomes()).filteredOn(o -> o.action() == PluginState.FAILED).singleElement().satisfies(o -> {
            assertThat(o.file()).contains("a.jar");
            assertThat(o.version()).contains("9.0.0");
            assertThat(o.error()).get().asString().contains("already served by m.jar");
        });
        assertThat(call("alpha.ver").path("version").asText()).isEqualTo("1.0.0");
        assertThat(manager.reload("alpha").outcomes()).extracting(o -> o.file().orElse(null) + " " + o.action())
                .contains("m.jar UNCHANGED", "a.jar FAILED");
        assertThat(call("alpha.ver").path("version").asText()).isEqualTo("1.0.0");
    }

    @Test
    void aFileThatNowDeclaresAnotherIdUnloadsTheOldId() throws Exception {
        write("a.jar", "alpha", "1.0.0");
        manager.reload();

        // A new id whose start fails: the file's old plugin keeps serving, as for any failed new version.
        write("a.jar", "omega", "1.0.0", ",\"config\":{\"failStart\":true}");
        ReloadReport failed = manager.reload();
        assertThat(failed.outcomes()).extracting(o -> o.id().orElse(null) + " " + o.action()).containsExactly("omega FAILED");
        assertThat(call("alpha.ver").path("version").asText()).isEqualTo("1.0.0");

        write("a.jar", "gamma", "1.0.0");
        ReloadReport r = manager.reload();
        assertThat(r.outcomes()).extracting(o -> o.id().orElse(null) + " " + o.action()).containsExactlyInAnyOrder("alpha UNLOADED", "gamma LOADED");
        assertThat(registry.current().lookup("alpha.ver")).as("the old id is no longer served").isEmpty();
        assertThat(call("gamma.ver").path("version").asText()).isEqualTo("1.0.0");
        assertThat(manager.status()).extracting(s -> s.id().orElseThrow()).containsExactly("gamma");
        assertThat(manager.reload().outcomes()).extracting(ReloadOutcome::action).containsExactly(PluginState.UNCHANGED);
        assertThat(manager.awaitRetired(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stops.get()).as("alpha was stopped").isEqualTo(1);

        // Reloading only the old id also unloads it; the new id loads with the next full reload.
        write("a.jar", "delta", "1.0.0");
        assertThat(manager.reload("gamma").outcomes()).extracting(o -> o.id().orElse(null) + " " + o.action()).containsExactly("gamma UNLOADED");
        assertThat(registry.current().lookup("gamma.ver")).isEmpty();
        assertThat(manager.reload().outcomes()).extracting(o -> o.id().orElse(null) + " " + o.action()).containsExactly("delta LOADED");
        assertThat(manager.status()).extracting(s -> s.id().orElseThrow()).containsExactly("delta");
    }

    @Test
    void aSlowCompileDoesNotHoldUpOtherReloads() throws Exception {
        write("a.jar", "alpha", "1.0.0");
        manager.reload();
        write("s.jar", "slow", "1.0.0", ",\"config\":{\"slowLoad\":true}");
        write("a.jar", "alpha", "1.1.0");
        CompletableFuture<ReloadReport> slow = CompletableFuture.supplyAsync(() -> manager.reload("slow"));
        try {
            assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
            ReloadReport other = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> manager.reload("alpha"));
            assertThat(other.outcomes()).extracting(o -> o.id().orElse(null) + " " + o.action()).containsExactly("alpha REPLACED");
            assertThat(call("alpha.ver").path("version").asText()).isEqualTo("1.1.0");

            ReloadReport all = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> manager.reload());
            assertThat(all.outcomes()).extracting(o -> o.file().orElse(null) + " " + o.action() + " " + o.error().orElse(null))
                    .containsExactlyInAnyOrder("a.jar UNCHANGED null", "s.jar FAILED still loading in another reload");
            assertThat(manager.status()).extracting(s -> s.id().orElseThrow()).containsExactly("alpha");
            assertThat(slow).isNotDone();
        } finally {
            slowRelease.countDown();
        }
        assertThat(slow.get(10, TimeUnit.SECONDS).outcomes()).extracting(o -> o.id().orElse(null) + " " + o.action()).containsExactly("slow LOADED");
        assertThat(manager.reload().count(PluginState.UNCHANGED)).isEqualTo(2);
    }

    @Test
    void reloadOfOneIdLeavesOthersAlone() throws Exception {
        write("a.jar", "alpha", "1.0.0");
        write("b.jar", "beta", "1.0.0");
        manager.reload();
        write("a.jar", "alpha", "1.1.0");
        write("b.jar", "beta", "1.1.0");
        ReloadReport r = manager.reload("beta");
        assertThat(r.outcomes()).extracting(o -> o.id().orElseThrow()).containsExactly("beta");
        assertThat(call("alpha.ver").path("version").asText()).isEqualTo("1.0.0");
        assertThat(call("beta.ver").path("version").asText()).isEqualTo("1.1.0");
        long generation = registry.current().generation();
        assertThat(manager.reload("beta").count(PluginState.UNCHANGED)).isEqualTo(1);
        assertThat(registry.current().generation()).as("nothing changed, so no new generation").isEqualTo(generation);
    }

    @Test
    void listenerHearsChangesItDeclaredAndStopsAfterUnload() throws Exception {
        write("a.jar", "alpha", "1.0.0", ",\"kv\":{\"read\":[\"/sensors\"]},\"listens\":{\"changes\":[\"/sensors/**\"]}");
        manager.reload();
        store.set("/sensors/t1", JSON.readTree("21"), WriteOptions.by("test")).get();
        store.set("/other/x", JSON.readTree("1"), WriteOptions.by("test")).get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (heard.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(heard).extracting(KvChange::key).containsExactly("/sensors/t1");
        Files.delete(dir.resolve("a.jar"));
        manager.reload();
        store.set("/sensors/t2", JSON.readTree("22"), WriteOptions.by("test")).get();
        Thread.sleep(50);
        assertThat(heard).extracting(KvChange::key).containsExactly("/sensors/t1");
        assertThat(events.subscriptionCount()).isZero();
    }

    @Test
    void aListenerDoesNotHearItsOwnWritesUnlessItAsks() throws Exception {
        // Issue #12 item 6: a listener writing where it listens fed itself ~33,000 times a second.
        write("a.jar", "alpha", "1.0.0", ",\"kv\":{\"write\":[\"/loop\"]},\"listens\":{\"changes\":[\"/loop/**\"]},"
                + "\"config\":{\"selfWrite\":true}");
        manager.reload();
        store.set("/loop/x", JSON.readTree("1"), WriteOptions.by("test")).get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (store.get("/loop/x/again").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(store.get("/loop/x/again")).as("the listener ran and wrote").isPresent();
        Thread.sleep(300);
        assertThat(heard).extracting(KvChange::key).containsExactly("/loop/x");
        assertThat(store.get("/loop/x/again/again")).isEmpty();
    }

    @Test
    void aListenerThatAsksHearsItsOwnWrites() throws Exception {
        write("a.jar", "alpha", "1.0.0", ",\"kv\":{\"write\":[\"/loop\"]},\"listens\":{\"changes\":[\"/loop/a/**\"],\"includeOwn\":true},"
                + "\"config\":{\"selfWrite\":true}");
        manager.reload();
        store.set("/loop/a", JSON.readTree("1"), WriteOptions.by("test")).get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (heard.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(heard).extracting(KvChange::key).startsWith("/loop/a", "/loop/a/again", "/loop/a/again/again");
        manager.close(); // stop the loop this test made on purpose
    }

    @Test
    void oneCallsWritesAreBoundedAndWhatItWroteBeforeStaysCommitted() throws Exception {
        manager.close();
        manager = new PluginManager(dir, loaderOf(), new NodeHostServices(store, events,
                new dev.pando.host.kv.WriteBudget.Limits(50, 10_000)), registry, events, 64, 5_000, Clock.systemUTC(), metrics);
        Files.writeString(dir.resolve("w.jar"), "{\"id\":\"w\",\"version\":\"1.0.0\",\"apiVersion\":1,"
                + "\"ops\":[{\"name\":\"w.writeLoop\",\"scope\":\"read\"}]}");
        manager.reload();
        long before = store.lastRevision();
        JsonNode r = manager.plugin("w").orElseThrow().call("w.writeLoop", null, null);
        assertThat(r.path("code").asText()).isEqualTo("TOO_LARGE");
        assertThat(r.path("written").asInt()).isEqualTo(50);
        assertThat(store.lastRevision() - before).as("writes committed by the call").isEqualTo(50);
        // The next call has a budget of its own.
        assertThat(manager.plugin("w").orElseThrow().call("w.writeLoop", null, null).path("written").asInt()).isEqualTo(50);
    }

    @Test
    void aPluginsWritesPerSecondAreBoundedAcrossCalls() throws Exception {
        manager.close();
        manager = new PluginManager(dir, loaderOf(), new NodeHostServices(store, events,
                new dev.pando.host.kv.WriteBudget.Limits(1_000, 120)), registry, events, 64, 5_000, Clock.systemUTC(), metrics);
        Files.writeString(dir.resolve("w.jar"), "{\"id\":\"w\",\"version\":\"1.0.0\",\"apiVersion\":1,"
                + "\"ops\":[{\"name\":\"w.writeLoop\",\"scope\":\"read\"}]}");
        manager.reload();
        JsonNode r = manager.plugin("w").orElseThrow().call("w.writeLoop", null, null);
        assertThat(r.path("code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(r.path("written").asInt()).isBetween(1, 120);
    }

    @Test
    void aListenerThatKeepsTimingOutIsStoppedAndItsBacklogDropped() throws Exception {
        // Issue #12 item 7: a looping listener drained 4,096 deliveries at one full timeout each.
        write("a.jar", "alpha", "1.0.0", ",\"kv\":{\"read\":[\"/sensors\"]},\"listens\":{\"changes\":[\"/sensors/**\"]},"
                + "\"limits\":{\"callTimeoutMs\":100},\"config\":{\"loopListener\":true}");
        manager.reload();
        for (int i = 0; i < 40; i++) {
            store.set("/sensors/t" + i, JSON.readTree("1"), WriteOptions.by("test")).get();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (serving(0).listenerStopped().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(serving(0).listenerStopped()).get().asString().contains("timed out 3 times in a row");
        Thread.sleep(500);
        assertThat(serving(0).stats().deliveries()).as("the backlog is dropped, not drained").isEqualTo(3);
        assertThat(events.subscriptionCount()).isZero();
        store.set("/sensors/after", JSON.readTree("1"), WriteOptions.by("test")).get();
        Thread.sleep(100);
        assertThat(serving(0).stats().deliveries()).isEqualTo(3);
    }

    @Test
    void aReloadResubscribesAListenerThatWasCutOff() throws Exception {
        write("a.jar", "alpha", "1.0.0", ",\"kv\":{\"read\":[\"/sensors\"]},\"listens\":{\"changes\":[\"/sensors/**\"]},"
                + "\"config\":{\"blockListener\":true}");
        manager.reload();
        for (int i = 0; i < 70; i++) { // the queue holds 64
            store.set("/sensors/t" + i, JSON.readTree("1"), WriteOptions.by("test")).get();
        }
        // Listeners hear a batch just after its writer is answered: wait for the 65th to overflow the queue.
        long overflowBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!serving(0).listenerOverflowed() && System.nanoTime() < overflowBy) {
            Thread.sleep(5);
        }
        assertThat(serving(0).listenerOverflowed()).isTrue();
        assertThat(events.subscriptionCount()).isZero();
        gate.countDown();

        ReloadReport r = manager.reload();
        assertThat(r.outcomes()).extracting(ReloadOutcome::action).containsExactly(PluginState.UNCHANGED);
        assertThat(serving(0).listenerOverflowed()).isFalse();
        assertThat(events.subscriptionCount()).isEqualTo(1);
        store.set("/sensors/after", JSON.readTree("2"), WriteOptions.by("test")).get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (heard.stream().noneMatch(c -> c.key().equals("/sensors/after")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(heard).extracting(KvChange::key).contains("/sensors/after");
        assertThat(manager.reload().outcomes()).extracting(ReloadOutcome::action).containsExactly(PluginState.UNCHANGED);
        assertThat(events.subscriptionCount()).as("a healthy listener is left alone").isEqualTo(1);
    }

    @Test
    void closeUnloadsEverythingAndRefusesLaterReloads() throws Exception {
        write("a.jar", "alpha", "1.0.0");
        manager.reload();
        manager.close();
        assertThat(registry.current().lookup("alpha.ver")).isEmpty();
        assertThat(stops.get()).isEqualTo(1);
        assertThatThrownBy(manager::reload).isInstanceOf(PandoException.class).hasMessageContaining("shutting down");
    }

    @Test
    void editingTheOperatorConfigCountsAsAChange() throws Exception {
        write("a.jar", "alpha", "1.0.0");
        manager.reload();
        assertThat(manager.reload().count(PluginState.UNCHANGED)).isEqualTo(1);
        Files.writeString(dir.resolve("alpha.config.json"), "{\"step\": 2}");
        assertThat(manager.reload().count(PluginState.REPLACED)).isEqualTo(1);
        assertThat(manager.reload().count(PluginState.UNCHANGED)).isEqualTo(1);
        assertThat(manager.plugin("alpha").orElseThrow().context().config().path("step").asInt()).isEqualTo(2);
    }

    @Test
    void missingDirectoryIsEmpty() {
        PluginManager m = new PluginManager(dir.resolve("nope"), mock(PluginLoader.class), new NodeHostServices(store, events),
                registry, events, 8, 100, Clock.systemUTC(), metrics);
        assertThat(m.reload().outcomes()).isEmpty();
        m.close();
    }
}
