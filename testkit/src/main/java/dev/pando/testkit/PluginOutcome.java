package dev.pando.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.node.plugins.ReloadReport;
import java.util.Locale;

/**
 * What a reload did to one plugin file: one entry of the {@code outcomes} of an
 * {@code admin.reload} report, as {@link TestNode#installWasm}, {@link TestNode#install} and
 * {@link TestNode#uninstall} return it.
 *
 * @param file   the plugin file's name in the plugins directory, e.g. {@code counter.wasm}
 * @param id     the plugin id, or null when the file failed before its manifest could be read
 * @param action what the reload did
 * @param error  why it failed ({@link ReloadReport.Action#FAILED} only), else null
 * @param json   the outcome exactly as the node reported it ({@code version},
 *               {@code previousVersion}, ...)
 */
public record PluginOutcome(String file, String id, ReloadReport.Action action, String error, JsonNode json) {

    /** Reads one element of a reload report's {@code outcomes} array. */
    public static PluginOutcome of(JsonNode outcome) {
        return new PluginOutcome(text(outcome, "file"), text(outcome, "id"),
                ReloadReport.Action.valueOf(outcome.path("action").asText().toUpperCase(Locale.ROOT)), text(outcome, "error"), outcome);
    }

    /** The version the file declares, or null if it was not read. */
    public String version() {
        return text(json, "version");
    }

    /** True when the file's plugin serves after the reload: LOADED, REPLACED or UNCHANGED. */
    public boolean serving() {
        return action == ReloadReport.Action.LOADED || action == ReloadReport.Action.REPLACED
                || action == ReloadReport.Action.UNCHANGED;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
