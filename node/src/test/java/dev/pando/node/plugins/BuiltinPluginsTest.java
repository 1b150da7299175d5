package dev.pando.node.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.spy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.api.plugin.PluginContext;
import dev.pando.builtin.Builtin;
import dev.pando.host.LoadedPlugin;
import dev.pando.host.PluginKind;
import dev.pando.host.PluginLoader;
import dev.pando.node.auth.Principal;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.events.EventBus;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StoreOptions;
import dev.pando.node.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builtins are served beside the directory's plugins, as {@code builtin:<id>}, through the same host. */
class BuiltinPluginsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Answers with its configured greeting. */
    static final class Greeter implements PandoPlugin {
        private PluginContext context;

        @Override
        public void start(PluginContext context) {
            this.context = context;
        }

        @Override
        public JsonNode call(OpCall call) {
            return JSON.createObjectNode().put("greeting", context.config().path("greeting").asText());
        }
    }

    static final Builtin GREET = new Builtin("greet", "builtin-test/greet.json", Greeter::new);

    @TempDir
    Path dir;
    private StateStore store;
    private HandlerRegistry registry;
    private PluginManager manager;

    @BeforeEach
    void setUp() {
        store = StateStore.memory(StoreOptions.defaults("n-test"));
        EventBus events = new EventBus();
        registry = new HandlerRegistry();
        manager = new PluginManager(dir, List.of(GREET), new PluginLoader(PluginLoader.Settings.DEFAULT),
                new NodeHostServices(store, events), registry, events, 64, 5_000, Clock.systemUTC(), new Metrics());
    }

    @AfterEach
    void tearDown() {
        manager.close();
        store.close();
    }

    private JsonNode call(String op) throws Exception {
        OpSpec spec = registry.current().lookup(op).orElseThrow(() -> new AssertionError("op " + op + " is served"));
        return spec.handler().handle(new CallContext(Principal.admin(), null, null), JSON.createObjectNode()).toCompletableFuture().get();
    }

    @Test
    void builtinServesAsBuiltinColonIdAndIsUnchangedOnTheNextReload() throws Exception {
        ReloadReport first = manager.reload();
        assertThat(first.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.file()).contains("builtin:greet");
            assertThat(o.action()).isEqualTo(PluginState.LOADED);
        });
        assertThat(call("greet.hello").path("greeting").asText()).isEqualTo("hello");
        assertThat(manager.status()).singleElement()
                .isInstanceOfSatisfying(PluginStatus.Serving.class, s -> assertThat(s.kind()).isEqualTo(PluginKind.BUILTIN));
        assertThat(manager.reload().outcomes()).singleElement().satisfies(o -> assertThat(o.action()).isEqualTo(PluginState.UNCHANGED));
    }

    @Test
    void operatorConfigRestartsTheBuiltinWithIt() throws Exception {
        manager.reload();
        Files.writeString(dir.resolve("greet.config.json"), "{\"greeting\":\"hi\"}");
        assertThat(manager.reload().outcomes()).singleElement().satisfies(o -> assertThat(o.action()).isEqualTo(PluginState.REPLACED));
        assertThat(call("greet.hello").path("greeting").asText()).isEqualTo("hi");
    }

    @Test
    void aDirectoryPluginCannotTakeABuiltinsId() throws Exception {
        manager.reload();
        Files.writeString(dir.resolve("greet.jar"), "not even a jar");
        ReloadReport r = manager.reload();
        assertThat(call("greet.hello").path("greeting").asText()).as("the builtin keeps serving").isEqualTo("hello");
        assertThat(r.outcomes()).anySatisfy(o -> {
            assertThat(o.file()).contains("greet.jar");
            assertThat(o.action()).isEqualTo(PluginState.FAILED);
        });
    }

    @Test
    void atAFirstStartTheBuiltinKeepsItsIdFromADirectoryPluginClaimingIt() throws Exception {
        manager.close();
        PluginLoader loader = spy(new PluginLoader(PluginLoader.Settings.DEFAULT));
        PluginManifest claimsGreet = ManifestParser.parse(GREET.manifestBytes());
        doAnswer(inv -> new LoadedPlugin(inv.<Path>getArgument(0).getFileName().toString(), PluginKind.NATIVE, Optional.empty(),
                claimsGreet, new Greeter(), () -> { })).when(loader).load(any());
        EventBus events = new EventBus();
        manager = new PluginManager(dir, List.of(GREET), loader, new NodeHostServices(store, events), registry, events, 64, 5_000,
                Clock.systemUTC(), new Metrics());
        Files.writeString(dir.resolve("a.jar"), "sorts before builtin:greet by path");

        ReloadReport r = manager.reload();
        assertThat(r.outcomes()).extracting(o -> o.file().orElseThrow() + " " + o.action())
                .containsExactlyInAnyOrder("builtin:greet LOADED", "a.jar FAILED");
        assertThat(r.outcomes()).filteredOn(o -> o.action() == PluginState.FAILED).singleElement()
                .satisfies(o -> assertThat(o.error()).get().asString().contains("also in builtin:greet"));
        assertThat(manager.status()).first()
                .isInstanceOfSatisfying(PluginStatus.Serving.class, s -> assertThat(s.kind()).isEqualTo(PluginKind.BUILTIN));
    }

    @Test
    void configListsWhichBuiltinsRun() {
        assertThat(PluginLoaders.builtins(NodeConfig.defaults().with(NodeConfig.BUILTINS, " "))).isEmpty();
        assertThatThrownBy(() -> PluginLoaders.builtins(NodeConfig.defaults().with(NodeConfig.BUILTINS, "nope")))
                .hasMessageContaining("plugins.builtins").hasMessageContaining("unknown builtin 'nope'");
    }
}
