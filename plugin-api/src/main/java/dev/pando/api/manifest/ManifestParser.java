package dev.pando.api.manifest;

import static dev.pando.api.manifest.ManifestFields.onlyFields;
import static dev.pando.api.manifest.ManifestFields.optionalText;
import static dev.pando.api.manifest.ManifestFields.requiredText;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates a manifest. Strict: unknown fields, wrong types, malformed ids or
 * prefixes, ops outside the plugin's namespace, listen patterns outside the readable prefixes
 * and limits above the node's caps are all refused with a {@link ManifestException} naming the
 * field. The JSON form:
 *
 * <pre>{@code
 * { "id": "counter", "version": "1.0.0", "apiVersion": 1, "description": "...",
 *   "ops": [ {"name": "counter.incr", "export": "incr", "scope": "write"} ],
 *   "listens": { "changes": ["/sensors/**"], "events": ["/alerts/*"], "includeOwn": false },
 *   "kv": { "read": ["/sensors"], "write": ["/_plugins/counter"] },
 *   "permissions": ["publish", "log", "clock", "random", "feed"],
 *   "limits": { "memoryPages": 64, "callTimeoutMs": 500, "instances": 2 },
 *   "config": { ... } }
 * }</pre>
 * The sections are read by {@link ManifestOps}, {@link ManifestAccess} and {@link ManifestLimits},
 * single fields by {@link ManifestFields}.
 */
public final class ManifestParser {
    /** Largest manifest accepted, in bytes. */
    public static final int MAX_MANIFEST_BYTES = 64 * 1024;
    public static final int MAX_OPS = 256;
    public static final int MAX_PREFIXES = 32;
    public static final int MAX_LISTEN_PATTERNS = 64;
    /** Op namespaces the node keeps for itself. */
    public static final Set<String> RESERVED_IDS = Set.of("kv", "pubsub", "node", "admin", "core", "sys", "plugins");

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("\\d{1,9}\\.\\d{1,9}\\.\\d{1,9}([-+][0-9A-Za-z.+-]{1,64})?");
    /**
     * Strict reader: a repeated field ({@code "kv"} twice) or content after the object would
     * otherwise be silently resolved (last one wins, rest ignored), so what a reviewer reads
     * would not be what the node grants.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ManifestParser() {}

    /** Parses {@code json} against the default caps. */
    public static PluginManifest parse(byte[] json) {
        return parse(json, ManifestCaps.DEFAULT);
    }

    /** Parses {@code json} (at most {@value #MAX_MANIFEST_BYTES} bytes, one strict JSON object) against {@code caps}. */
    public static PluginManifest parse(byte[] json, ManifestCaps caps) {
        if (json.length > MAX_MANIFEST_BYTES) {
            throw new ManifestException("", "is " + json.length + " bytes; the limit is " + MAX_MANIFEST_BYTES);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ManifestException("", "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ManifestException("", "cannot be read: " + e.getMessage());
        }
        return parse(root, caps);
    }

    /** Validates an already read manifest object against {@code caps}. */
    public static PluginManifest parse(JsonNode root, ManifestCaps caps) {
        if (root == null || !root.isObject()) {
            throw new ManifestException("", "must be a JSON object");
        }
        onlyFields(root, "", "id", "version", "apiVersion", "description", "ops", "listens", "kv", "permissions", "limits", "config");

        String id = requiredText(root, "id");
        if (!ID.matcher(id).matches()) {
            throw new ManifestException("id", "'" + id + "' must be lowercase letters, digits, '-' or '_', starting with a letter, at most 64 characters");
        }
        if (RESERVED_IDS.contains(id)) {
            throw new ManifestException("id", "'" + id + "' is reserved for the node");
        }
        String version = requiredText(root, "version");
        if (!VERSION.matcher(version).matches()) {
            throw new ManifestException("version", "'" + version + "' must be a semantic version such as 1.2.3");
        }
        JsonNode api = root.get("apiVersion");
        if (api == null || !api.isIntegralNumber()) {
            throw new ManifestException("apiVersion", "is required and must be an integer");
        }
        // canConvertToInt first: asInt() truncates, so 4294967297 would otherwise read as 1.
        if (!api.canConvertToInt() || api.asInt() != PluginManifest.API_VERSION) {
            throw new ManifestException("apiVersion", api.asText() + " is not supported; this node speaks " + PluginManifest.API_VERSION);
        }
        String description = optionalText(root, "description", "");
        if (description.length() > 1024) {
            throw new ManifestException("description", "is longer than 1024 characters");
        }

        List<OpDecl> ops = ManifestOps.parse(root.get("ops"), id);
        List<String> read = ManifestAccess.prefixes(root.get("kv"), "read", id);
        List<String> write = ManifestAccess.prefixes(root.get("kv"), "write", id);
        if (write.isEmpty()) {
            write = List.of(PluginManifest.defaultPrefix(id));
        }
        Set<String> readable = new LinkedHashSet<>(read.isEmpty() ? List.of(PluginManifest.defaultPrefix(id)) : read);
        readable.addAll(write);
        List<String> readList = List.copyOf(readable);

        ManifestAccess.Listens listens = ManifestAccess.listens(root.get("listens"), id, readList);

        return new PluginManifest(id, version, PluginManifest.API_VERSION, description, ops, listens.changes(), listens.events(),
                readList, write, ManifestAccess.permissions(root.get("permissions")), ManifestLimits.parse(root.get("limits"), caps),
                config(root.get("config")), listens.includeOwn());
    }

    private static JsonNode config(JsonNode node) {
        if (node == null) {
            return MAPPER.createObjectNode();
        }
        if (!node.isObject()) {
            throw new ManifestException("config", "must be an object");
        }
        return ((ObjectNode) node).deepCopy();
    }
}
