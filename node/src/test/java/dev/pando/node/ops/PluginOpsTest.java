package dev.pando.node.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.LoadedPlugin;
import dev.pando.host.PluginKind;
import dev.pando.host.PluginLoader;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.events.EventBus;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StoreOptions;
import dev.pando.node.metrics.Metrics;
import dev.pando.node.plugins.NodeHostServices;
import dev.pando.node.plugins.PluginManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wire form of {@code admin.reload} and {@code admin.plugins}: every field, in order, null where unknown. */
class PluginOpsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

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
        PluginLoader loader = mock(PluginLoader.class);
        when(loader.load(any())).thenAnswer(inv -> load(inv.getArgument(0)));
        when(loader.readManifest(any())).thenReturn(Optional.empty());
        manager = new PluginManager(dir, loader, new NodeHostServices(store, events), registry, events, 64, 5_000,
                Clock.systemUTC(), new Metrics());
        registry.swap(b -> b.addAll(new PluginOps(manager).specs()));
    }

    @AfterEach
    void tearDown() {
        manager.close();
        store.close();
    }

    private static LoadedPlugin load(Path file) throws Exception {
        String text = Files.readString(file);
        if (text.startsWith("BROKEN")) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "manifest is not valid JSON");
        }
        PluginManifest m = ManifestParser.parse(text.getBytes());
        return new LoadedPlugin(file.getFileName().toString(), PluginKind.NATIVE, Optional.empty(), m, call -> null, () -> { });
    }

    private void write(String file, String id, String version) throws Exception {
        Files.writeString(dir.resolve(file), "{\"id\":\"" + id + "\",\"version\":\"" + version + "\",\"apiVersion\":1,"
                + "\"ops\":[{\"name\":\"" + id + ".ver\",\"scope\":\"read\"}]}");
    }

    private JsonNode op(String op) throws Exception {
        return registry.current().lookup(op).orElseThrow().handler().handle(new CallContext(Principal.admin(), null, null), JSON.createObjectNode())
                .toCompletableFuture().get();
    }

    private static List<String> fields(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void aReloadReportCountsEveryActionAndWritesUnknownsAsNull() throws Exception {
        write("a.jar", "alpha", "1.0.0");
        Files.writeString(dir.resolve("bad.wasm"), "BROKEN");
        JsonNode first = op("admin.reload");
        assertThat(fields(first)).containsExactly("generation", "loadMs", "swapMicros", "loaded", "replaced", "unloaded", "unchanged",
                "failed", "outcomes");
        assertThat(first.path("loaded").asInt()).isEqualTo(1);
        assertThat(first.path("failed").asInt()).isEqualTo(1);
        assertThat(first.path("outcomes").get(0)).isEqualTo(JSON.readTree("{\"id\":null,\"file\":\"bad.wasm\",\"action\":\"failed\","
                + "\"version\":null,\"error\":\"manifest is not valid JSON\"}"));
        assertThat(first.path("outcomes").get(1)).isEqualTo(JSON.readTree("{\"id\":\"alpha\",\"file\":\"a.jar\",\"action\":\"loaded\","
                + "\"version\":\"1.0.0\"}"));

        write("a.jar", "alpha", "1.1.0");
        assertThat(op("admin.reload").path("outcomes").get(1)).isEqualTo(JSON.readTree("{\"id\":\"alpha\",\"file\":\"a.jar\","
                + "\"action\":\"replaced\",\"version\":\"1.1.0\",\"previousVersion\":\"1.0.0\"}"));

        Files.delete(dir.resolve("a.jar"));
        Files.delete(dir.resolve("bad.wasm"));
        JsonNode gone = op("admin.reload");
        assertThat(gone.path("unloaded").asInt()).isEqualTo(1);
        assertThat(gone.path("outcomes")).singleElement().isEqualTo(JSON.readTree("{\"id\":\"alpha\",\"file\":\"a.jar\","
                + "\"action\":\"unloaded\",\"version\":null,\"previousVersion\":\"1.1.0\"}"));
    }

    @Test
    void theListingWritesAServingPluginAsLoadedAndAFailedFileWithItsReason() throws Exception {
        write("a.jar", "alpha", "1.0.0");
        Files.writeString(dir.resolve("bad.wasm"), "BROKEN");
        op("admin.reload");
        Files.writeString(dir.resolve("a.jar"), "BROKEN"); // a failed new version: 1.0.0 keeps serving
        op("admin.reload");

        JsonNode list = op("admin.plugins");
        assertThat(list.path("directory").asText()).isEqualTo(dir.toString());
        JsonNode serving = list.path("plugins").get(0);
        assertThat(fields(serving)).containsExactly("id", "file", "state", "version", "kind", "signer", "hash", "loadedAt", "ops", "kv",
                "listens", "permissions", "limits", "stats", "lastReload");
        assertThat(serving.path("state").asText()).isEqualTo("LOADED");
        assertThat(serving.path("kind").asText()).isEqualTo("native");
        assertThat(serving.get("signer").isNull()).isTrue();
        JsonNode last = serving.path("lastReload");
        assertThat(fields(last)).containsExactly("id", "file", "action", "version", "previousVersion", "error", "at");
        assertThat(last.path("action").asText()).isEqualTo("failed");
        assertThat(last.get("version").isNull()).isTrue();
        assertThat(last.path("previousVersion").asText()).isEqualTo("1.0.0");
        assertThat(last.path("error").asText()).isEqualTo("manifest is not valid JSON (version 1.0.0 keeps serving)");

        assertThat(list.path("plugins").get(1)).isEqualTo(JSON.readTree("{\"id\":null,\"file\":\"bad.wasm\",\"state\":\"FAILED\","
                + "\"error\":\"manifest is not valid JSON\"}"));
    }
}
