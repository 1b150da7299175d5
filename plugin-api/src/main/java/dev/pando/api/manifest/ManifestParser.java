package dev.pando.api.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.PandoException;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
    private static final Pattern VERB = Pattern.compile("[a-z][a-zA-Z0-9_.-]{0,63}");
    private static final Pattern EXPORT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
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
    private static final String SYS_ROOT = PluginManifest.SYS_ROOT;

    private ManifestParser() {}

    /** Parses {@code json} against the default caps. */
    public static PluginManifest parse(byte[] json) {
        return parse(json, ManifestCaps.DEFAULT);
    }

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

        List<OpDecl> ops = ops(root.get("ops"), id);
        List<String> read = prefixes(root.get("kv"), "read", id);
        List<String> write = prefixes(root.get("kv"), "write", id);
        if (write.isEmpty()) {
            write = List.of(PluginManifest.defaultPrefix(id));
        }
        Set<String> readable = new LinkedHashSet<>(read.isEmpty() ? List.of(PluginManifest.defaultPrefix(id)) : read);
        readable.addAll(write);
        List<String> readList = List.copyOf(readable);

        JsonNode listens = root.get("listens");
        List<String> changes = List.of();
        List<String> events = List.of();
        boolean includeOwn = false;
        if (listens != null) {
            if (!listens.isObject()) {
                throw new ManifestException("listens", "must be an object with 'changes' and/or 'events'");
            }
            onlyFields(listens, "listens", "changes", "events", "includeOwn");
            changes = patterns(listens.get("changes"), "listens.changes");
            events = patterns(listens.get("events"), "listens.events");
            includeOwn = optionalBoolean(listens, "includeOwn", "listens.includeOwn");
            for (int i = 0; i < changes.size(); i++) {
                String literal = PathPattern.compile(changes.get(i)).literalPrefix();
                if (!Keys.isUnder(literal, PluginManifest.defaultPrefix(id)) && readList.stream().noneMatch(p -> Keys.isUnder(literal, p))) {
                    throw new ManifestException("listens.changes[" + i + "]", "'" + changes.get(i)
                            + "' reaches outside the readable prefixes " + readList + "; a plugin only hears changes it may read");
                }
            }
        }

        return new PluginManifest(id, version, PluginManifest.API_VERSION, description, ops, changes, events,
                readList, write, permissions(root.get("permissions")), limits(root.get("limits"), caps), config(root.get("config")),
                includeOwn);
    }

    private static boolean optionalBoolean(JsonNode parent, String name, String field) {
        JsonNode n = parent.get(name);
        if (n == null) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new ManifestException(field, "must be true or false");
        }
        return n.booleanValue();
    }

    private static List<OpDecl> ops(JsonNode node, String id) {
        List<OpDecl> ops = new ArrayList<>();
        if (node == null) {
            return ops;
        }
        if (!node.isArray()) {
            throw new ManifestException("ops", "must be an array");
        }
        if (node.size() > MAX_OPS) {
            throw new ManifestException("ops", "declares " + node.size() + " ops; at most " + MAX_OPS + " are allowed");
        }
        Set<String> names = new LinkedHashSet<>();
        Set<String> exports = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "ops[" + i + "]";
            JsonNode op = node.get(i);
            if (!op.isObject()) {
                throw new ManifestException(field, "must be an object");
            }
            onlyFields(op, field, "name", "export", "scope");
            String name = requiredText(op, "name", field + ".name");
            if (!name.startsWith(id + ".")) {
                throw new ManifestException(field + ".name", "'" + name + "' is outside the plugin's namespace; ops must be named '" + id + ".<verb>'");
            }
            String verb = name.substring(id.length() + 1);
            if (!VERB.matcher(verb).matches()) {
                throw new ManifestException(field + ".name", "verb '" + verb + "' must start with a lowercase letter and use letters, digits, '_', '-' or '.'");
            }
            if (!names.add(name)) {
                throw new ManifestException(field + ".name", "'" + name + "' is declared twice");
            }
            String export = optionalText(op, "export", verb.replaceAll("[^A-Za-z0-9_]", "_"), field + ".export");
            if (!EXPORT.matcher(export).matches()) {
                throw new ManifestException(field + ".export", "'" + export + "' is not a valid export name");
            }
            if (!exports.add(export)) {
                throw new ManifestException(field + ".export", "'" + export + "' already serves another op");
            }
            String scope = optionalText(op, "scope", "write", field + ".scope");
            Access access = switch (scope) {
                case "none" -> Access.NONE;
                case "read" -> Access.READ;
                case "write" -> Access.WRITE;
                case "admin" -> Access.ADMIN;
                default -> throw new ManifestException(field + ".scope", "'" + scope + "' must be one of none, read, write, admin");
            };
            ops.add(new OpDecl(name, export, access));
        }
        return ops;
    }

    private static List<String> prefixes(JsonNode kv, String which, String id) {
        String field = "kv." + which;
        if (kv == null) {
            return List.of();
        }
        if (!kv.isObject()) {
            throw new ManifestException("kv", "must be an object with 'read' and/or 'write'");
        }
        onlyFields(kv, "kv", "read", "write");
        List<String> raw = strings(kv.get(which), field, MAX_PREFIXES);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String f = field + "[" + i + "]";
            String prefix = normalisePrefix(raw.get(i));
            try {
                Keys.requireValidPrefix(prefix);
            } catch (PandoException e) {
                throw new ManifestException(f, e.getMessage());
            }
            if (PluginManifest.ROOT.equals(prefix)) {
                // Everything but /_sys and other plugins' prefixes: PluginManifest.mayRead/mayWrite exclude them.
                if (!out.contains(prefix)) {
                    out.add(prefix);
                }
                continue;
            }
            if (Keys.isUnder(prefix, SYS_ROOT) || Keys.isUnder(SYS_ROOT, prefix)) {
                throw new ManifestException(f, "'" + raw.get(i) + "' reaches " + SYS_ROOT + "/, which belongs to the node");
            }
            String own = PluginManifest.defaultPrefix(id);
            if (Keys.isUnder(prefix, PluginManifest.PLUGINS_ROOT) && !Keys.isUnder(prefix, own)) {
                throw new ManifestException(f, "'" + raw.get(i) + "' reaches into another plugin's private prefix; only " + own + "/ is yours");
            }
            if (Keys.isUnder(PluginManifest.PLUGINS_ROOT, prefix) && "write".equals(which)) {
                throw new ManifestException(f, "'" + raw.get(i) + "' would let the plugin write every plugin's private prefix");
            }
            if (!out.contains(prefix)) {
                out.add(prefix);
            }
        }
        return out;
    }

    /** {@code /a/b/} and {@code /a/b} name the same subtree; the trailing slash is dropped. */
    static String normalisePrefix(String prefix) {
        if (prefix.length() > 1 && prefix.endsWith("/")) {
            return prefix.substring(0, prefix.length() - 1);
        }
        return prefix;
    }

    private static List<String> patterns(JsonNode node, String field) {
        List<String> raw = strings(node, field, MAX_LISTEN_PATTERNS);
        for (int i = 0; i < raw.size(); i++) {
            try {
                PathPattern.compile(raw.get(i));
            } catch (PandoException e) {
                throw new ManifestException(field + "[" + i + "]", e.getMessage());
            }
        }
        return raw;
    }

    private static Set<Permission> permissions(JsonNode node) {
        Set<Permission> out = EnumSet.noneOf(Permission.class);
        List<String> raw = strings(node, "permissions", Permission.values().length * 2);
        for (int i = 0; i < raw.size(); i++) {
            String p = raw.get(i);
            // Exact match on the manifest spelling: upper-casing the input first would let
            // look-alikes (a dotless i or a long s in "publish") pass for a permission.
            Permission permission = null;
            for (Permission candidate : Permission.values()) {
                if (candidate.jsonName().equals(p)) {
                    permission = candidate;
                } else if (candidate.jsonName().equals(p.toLowerCase(Locale.ROOT))) {
                    throw new ManifestException("permissions[" + i + "]", "'" + p + "' must be lowercase");
                }
            }
            if (permission == null) {
                throw new ManifestException("permissions[" + i + "]", "unknown permission '" + p + "'; known: "
                        + Arrays.stream(Permission.values()).map(Permission::jsonName).collect(Collectors.joining(", ")));
            }
            out.add(permission);
        }
        return out;
    }

    private static Limits limits(JsonNode node, ManifestCaps caps) {
        if (node == null) {
            return new Limits(Math.min(Limits.DEFAULT_MEMORY_PAGES, caps.maxMemoryPages()),
                    Math.min(Limits.DEFAULT_CALL_TIMEOUT_MS, caps.maxCallTimeoutMs()),
                    Math.min(Limits.DEFAULT_INSTANCES, caps.maxInstances()));
        }
        if (!node.isObject()) {
            throw new ManifestException("limits", "must be an object");
        }
        onlyFields(node, "limits", "memoryPages", "callTimeoutMs", "instances");
        BiFunction<String, int[], Integer> limit = (name, defCap) -> {
            JsonNode v = node.get(name);
            int value = defCap[0];
            if (v != null) {
                if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
                    throw new ManifestException("limits." + name, "must be a positive integer");
                }
                value = v.asInt();
                if (value > defCap[1]) {
                    throw new ManifestException("limits." + name, value + " exceeds the node's cap of " + defCap[1] + " (" + capKey(name) + ")");
                }
            }
            return Math.min(value, defCap[1]);
        };
        return new Limits(
                limit.apply("memoryPages", new int[] {Limits.DEFAULT_MEMORY_PAGES, caps.maxMemoryPages()}),
                limit.apply("callTimeoutMs", new int[] {Limits.DEFAULT_CALL_TIMEOUT_MS, caps.maxCallTimeoutMs()}),
                limit.apply("instances", new int[] {Limits.DEFAULT_INSTANCES, caps.maxInstances()}));
    }

    private static String capKey(String limit) {
        return switch (limit) {
            case "memoryPages" -> "plugins.max-memory-pages";
            case "callTimeoutMs" -> "plugins.max-call-timeout-ms";
            default -> "plugins.max-instances";
        };
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

    private static void onlyFields(JsonNode obj, String where, String... known) {
        Set<String> allowed = Set.of(known);
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.properties().iterator(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!allowed.contains(name)) {
                throw new ManifestException(where.isEmpty() ? name : where + "." + name,
                        "unknown field; known fields" + (where.isEmpty() ? "" : " of " + where) + ": " + String.join(", ", known));
            }
        }
    }

    private static List<String> strings(JsonNode node, String field, int max) {
        List<String> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        if (!node.isArray()) {
            throw new ManifestException(field, "must be an array of strings");
        }
        if (node.size() > max) {
            throw new ManifestException(field, "has " + node.size() + " entries; at most " + max + " are allowed");
        }
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw new ManifestException(field + "[" + i + "]", "must be a string");
            }
            out.add(node.get(i).asText());
        }
        return out;
    }

    private static String requiredText(JsonNode obj, String name) {
        return requiredText(obj, name, name);
    }

    private static String requiredText(JsonNode obj, String name, String field) {
        JsonNode v = obj.get(name);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new ManifestException(field, "is required and must be a non-empty string");
        }
        return v.asText();
    }

    private static String optionalText(JsonNode obj, String name, String fallback) {
        return optionalText(obj, name, fallback, name);
    }

    private static String optionalText(JsonNode obj, String name, String fallback, String field) {
        JsonNode v = obj.get(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new ManifestException(field, "must be a string");
        }
        return v.asText();
    }
}
