package dev.pando.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.node.plugins.PluginState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * {@link TestNode}'s plugin installs and removals: puts files in the plugins directory, runs
 * {@code admin.reload}, and turns what the reload reports for the file into an outcome or a
 * {@link PluginInstallException}.
 */
final class PluginAdmin {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PluginFiles files;
    /** Calls an op as admin. */
    private final BiFunction<String, JsonNode, JsonNode> call;

    PluginAdmin(PluginFiles files, BiFunction<String, JsonNode, JsonNode> call) {
        this.files = files;
        this.call = call;
    }

    /** Copies a {@code .wasm} bundle, or a {@code .jar} with its {@code .sig} if there is one, and reloads. */
    PluginOutcome install(Path file) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".wasm") && !name.endsWith(".jar")) {
            throw new IllegalArgumentException("a plugin file ends with .wasm or .jar: " + file);
        }
        try {
            if (name.endsWith(".jar")) {
                files.placeSignatureOf(file);
            }
            return install(name, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} as {@code <plugins dir>/<fileName>}, reloads, and returns the serving outcome. */
    PluginOutcome install(String fileName, byte[] bytes) {
        PluginFiles.writeAtomically(files.file(fileName), bytes);
        JsonNode report = reload();
        List<PluginOutcome> outcomes = outcomes(report, fileName);
        for (PluginOutcome o : outcomes) {
            if (o.action() == PluginState.FAILED) {
                throw new PluginInstallException("the node refused plugin file " + fileName
                        + o.id().map(id -> " (id '" + id + "')").orElse("") + ": " + o.error().orElse("no reason given"), Optional.of(o), report);
            }
        }
        return outcomes.stream().filter(PluginOutcome::serving).findFirst().orElseThrow(() -> new PluginInstallException(
                "the reload reported nothing serving from plugin file " + fileName + ": " + report, Optional.empty(), report));
    }

    /** Deletes the file, its {@code .sig} and its plugin's configuration, reloads, and checks the plugin was unloaded. */
    void uninstall(String fileName) {
        Path file = files.file(fileName);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no plugin file " + fileName + " in " + files.dir());
        }
        Optional<JsonNode> listed = plugins().stream().filter(p -> fileName.equals(p.path("file").asText(null))).findFirst();
        boolean serving = listed.map(p -> !p.path("state").asText().equals("FAILED")).orElse(false);
        files.remove(file, listed.map(p -> p.path("id").asText(null)));
        JsonNode report = reload();
        List<PluginOutcome> outcomes = outcomes(report, fileName);
        boolean unloaded = outcomes.stream().anyMatch(o -> o.action() == PluginState.UNLOADED);
        if (outcomes.stream().anyMatch(o -> o.action() != PluginState.UNLOADED) || (serving && !unloaded)) {
            throw new PluginInstallException("removing plugin file " + fileName + " did not unload it: " + report,
                    outcomes.stream().findFirst(), report);
        }
    }

    /** Writes the operator configuration of plugin {@code pluginId}; the next reload applies it. */
    void configure(String pluginId, JsonNode config) {
        files.writeConfig(pluginId, config);
    }

    JsonNode reload() {
        return call.apply("admin.reload", null);
    }

    JsonNode reload(String pluginId) {
        return call.apply("admin.reload", JSON.createObjectNode().put("plugin", pluginId));
    }

    List<JsonNode> plugins() {
        List<JsonNode> out = new ArrayList<>();
        call.apply("admin.plugins", null).path("plugins").forEach(out::add);
        return out;
    }

    Optional<JsonNode> plugin(String id) {
        return plugins().stream().filter(p -> id.equals(p.path("id").asText(null))).findFirst();
    }

    /** The outcomes for {@code fileName} in a reload report (none, one, or two when the file changed its id). */
    static List<PluginOutcome> outcomes(JsonNode report, String fileName) {
        List<PluginOutcome> found = new ArrayList<>();
        report.path("outcomes").forEach(o -> {
            if (fileName.equals(o.path("file").asText(null))) {
                found.add(PluginOutcome.of(o));
            }
        });
        return found;
    }
}
