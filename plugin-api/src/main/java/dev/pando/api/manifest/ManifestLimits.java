package dev.pando.api.manifest;

import static dev.pando.api.manifest.ManifestFields.onlyFields;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a manifest's {@code limits}: each defaults to {@link Limits}' default within the node's
 * caps, and one above its cap is refused, naming the config key that sets the cap.
 */
final class ManifestLimits {
    private ManifestLimits() {}

    /** The {@code limits} section against {@code caps}. */
    static Limits parse(JsonNode node, ManifestCaps caps) {
        if (node != null) {
            if (!node.isObject()) {
                throw new ManifestException("limits", "must be an object");
            }
            onlyFields(node, "limits", "memoryPages", "callTimeoutMs", "instances");
        }
        return new Limits(
                limit(node, "memoryPages", Limits.DEFAULT_MEMORY_PAGES, caps.maxMemoryPages()),
                limit(node, "callTimeoutMs", Limits.DEFAULT_CALL_TIMEOUT_MS, caps.maxCallTimeoutMs()),
                limit(node, "instances", Limits.DEFAULT_INSTANCES, caps.maxInstances()));
    }

    /** One limit of {@code limits} (null: none given): its value, or {@code def}, never above {@code cap}. */
    private static int limit(JsonNode limits, String name, int def, int cap) {
        JsonNode v = limits == null ? null : limits.get(name);
        int value = def;
        if (v != null) {
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
                throw new ManifestException("limits." + name, "must be a positive integer");
            }
            value = v.asInt();
            if (value > cap) {
                throw new ManifestException("limits." + name, value + " exceeds the node's cap of " + cap + " (" + capKey(name) + ")");
            }
        }
        return Math.min(value, cap);
    }

    private static String capKey(String limit) {
        return switch (limit) {
            case "memoryPages" -> "plugins.max-memory-pages";
            case "callTimeoutMs" -> "plugins.max-call-timeout-ms";
            default -> "plugins.max-instances";
        };
    }
}
