package dev.pando.node.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.PandoException;
import dev.pando.host.PluginFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The operator's settings for a plugin: {@code <id>.config.json} in the plugins directory, overriding its manifest's {@code config}. */
record OperatorConfig(Path dir) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Hash of the plugin's config file; empty if there is none. A plugin is unchanged only if its
     * file and its config both are, so editing the config and reloading restarts it.
     */
    Optional<String> hash(String id) {
        Path config = file(id);
        try {
            return Files.isRegularFile(config) ? Optional.of(PluginFiles.sha256Hex(Files.readAllBytes(config))) : Optional.empty();
        } catch (IOException e) {
            return Optional.of("unreadable");
        }
    }

    /**
     * The plugin's config; empty if there is no file.
     *
     * @throws PandoException BAD_REQUEST if the file does not hold a JSON object
     */
    Optional<JsonNode> read(String id) {
        Path file = file(id);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = MAPPER.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw PandoException.badRequest(file.getFileName() + " must hold a JSON object");
            }
            return Optional.of(node);
        } catch (IOException e) {
            throw PandoException.badRequest(file.getFileName() + " is not valid JSON: " + e.getMessage());
        }
    }

    private Path file(String id) {
        return dir.resolve(id + PluginFiles.CONFIG_SUFFIX);
    }
}
