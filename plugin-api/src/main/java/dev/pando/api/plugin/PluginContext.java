package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.manifest.PluginManifest;
import java.security.SecureRandom;
import java.time.Clock;
import org.slf4j.Logger;

/**
 * What the host gives a plugin. Everything here is bounded by the plugin's manifest: the KV view
 * only reaches the declared prefixes, and {@link #publish}, {@link #clock} and {@link #random} fail with
 * {@code FORBIDDEN} unless the matching permission is declared. Thread-safe.
 */
public interface PluginContext {

    String pluginId();

    /** The validated manifest this plugin was loaded with. */
    PluginManifest manifest();

    /** The scoped state view ({@code kv.read} / {@code kv.write} prefixes). */
    PluginKv kv();

    /** Publishes an ephemeral event; needs the {@code publish} permission. */
    void publish(String topic, JsonNode payload);

    /** A logger named after the plugin. Always available. */
    Logger log();

    /** Wall clock; needs the {@code clock} permission. */
    Clock clock();

    /** A cryptographically strong generator; needs the {@code random} permission. */
    SecureRandom random();

    /**
     * The plugin's configuration: the manifest's {@code config} object, overlaid field by field
     * with the node operator's {@code <plugins-dir>/<id>.config.json} when present. Never null.
     */
    JsonNode config();
}
