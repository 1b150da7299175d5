package dev.pando.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a {@link NodeConfig}: defaults, then the YAML file (the one named, or
 * {@code ./pando.yaml} if present), then {@code PANDO_*} environment variables, then flags.
 * Unknown keys in the file or flags are errors (a typo must not silently fall back to a
 * default); unknown {@code PANDO_*} variables are only warned about.
 */
public final class ConfigLoader {
    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
    public static final Path DEFAULT_FILE = Path.of("pando.yaml");
    /**
     * The CLI's own variables: a shell that set them for {@code pando call} may start {@code pando
     * serve} too, and they are not mistakes, so they are not warned about.
     */
    static final Set<String> CLIENT_VARIABLES = Set.of("PANDO_URL", "PANDO_TOKEN", "PANDO_DEBUG");

    private ConfigLoader() {}

    /**
     * @param file  explicit config file, or null to use {@code ./pando.yaml} when it exists
     * @param env   the environment (System.getenv() in production)
     * @param flags key → text from the command line
     */
    public static NodeConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        Map<ConfigKey<?>, Object> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();

        Path yaml = file != null ? file : (Files.isRegularFile(DEFAULT_FILE) ? DEFAULT_FILE : null);
        if (yaml != null) {
            if (!Files.isRegularFile(yaml)) {
                throw new IllegalArgumentException("config file " + yaml + " does not exist");
            }
            Map<String, String> fromFile = new LinkedHashMap<>();
            try {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
                if (root != null && !root.isMissingNode() && !root.isNull()) {
                    if (!root.isObject()) {
                        throw new IllegalArgumentException("config file " + yaml + " must be a mapping of keys to values");
                    }
                    flatten("", root, fromFile, yaml);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + yaml + ": " + e.getMessage());
            }
            apply(fromFile, values, sources, "file " + yaml);
        }

        Map<String, String> fromEnv = new LinkedHashMap<>();
        Map<String, ConfigKey<?>> byEnv = new LinkedHashMap<>();
        NodeConfig.keys().forEach(k -> byEnv.put(k.envName(), k));
        env.forEach((name, value) -> {
            if (!name.startsWith("PANDO_")) {
                return;
            }
            ConfigKey<?> k = byEnv.get(name);
            if (k == null && !CLIENT_VARIABLES.contains(name)) {
                log.warn("ignoring environment variable {}: no such config key", name);
            } else if (k != null) {
                fromEnv.put(k.name(), value);
            }
        });
        apply(fromEnv, values, sources, "env");
        apply(flags, values, sources, "flag");
        return new NodeConfig(values, sources);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(name, e.getValue(), out, file);
            } else if (e.getValue().isNull()) {
                // "key:" with nothing after it; asText() would turn it into the string "null".
                throw new IllegalArgumentException("config file " + file + ": key '" + name + "' has no value");
            } else if (e.getValue().isValueNode()) {
                out.put(name, e.getValue().asText());
            } else if (e.getValue().isArray() && isListKey(name)) {
                out.put(name, joined(name, e.getValue(), file));
            } else {
                throw new IllegalArgumentException("config file " + file + ": key '" + name + "' must be a scalar");
            }
        }
    }

    private static boolean isListKey(String name) {
        ConfigKey<?> key = NodeConfig.key(name);
        return key != null && key.isList();
    }

    /** A YAML sequence of a list key as the key's comma-separated text. */
    private static String joined(String name, JsonNode items, Path file) {
        StringBuilder text = new StringBuilder();
        for (JsonNode item : items) {
            if (!item.isValueNode() || item.isNull() || item.asText().contains(",")) {
                throw new IllegalArgumentException("config file " + file + ": key '" + name
                        + "' must be a list of plain values (no commas, no nested lists or mappings), got " + item);
            }
            text.append(text.length() == 0 ? "" : ",").append(item.asText());
        }
        return text.toString();
    }

    private static void apply(Map<String, String> texts, Map<ConfigKey<?>, Object> values, Map<String, String> sources,
            String source) {
        texts.forEach((name, text) -> {
            ConfigKey<?> key = NodeConfig.key(name);
            if (key == null) {
                throw new IllegalArgumentException("unknown config key '" + name + "' (" + source + "); see docs/operations.md");
            }
            values.put(key, key.parse(text));
            sources.put(key.name(), source);
        });
    }
}
