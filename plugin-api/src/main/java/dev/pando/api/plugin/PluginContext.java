package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.manifest.PluginManifest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * What the host gives a plugin. Everything here is bounded by the plugin's manifest: the KV view
 * only reaches the declared prefixes, and {@link #publish}, {@link #clock} and {@link #random} fail with
 * {@code FORBIDDEN} unless the matching permission is declared. Every failure is a
 * {@link dev.pando.api.PandoException} with its {@link dev.pando.api.ErrorCode}. Thread-safe.
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

    /** The change feed, read through this plugin's durable cursor; needs the {@code feed} permission. */
    ChangeFeed feed();

    /**
     * Publishes a gauge in the node's {@code /metrics} as {@code pando_plugin_<id>_<name>}, read at
     * scrape time; {@code labels} are name, value pairs ({@code "peer", "n1a2..."}). Registering the
     * same name and labels again replaces the supplier. {@code name}: 1 to 64 of {@code a-z 0-9 _}.
     */
    void gauge(String name, String help, LongSupplier value, String... labels);

    /** Writes replicated from other nodes, kept as they were made there; needs the {@code replicate} permission. */
    Replica replica();

    /** Token validation and revocation for identities this plugin vouches for; needs the {@code identity} permission. */
    PluginIdentities identities();

    /**
     * The rights principal {@code name} (a {@code writer} or {@link Caller#name()}) holds on the
     * node now: for acting later on behalf of whoever asked, never beyond what they may do. A
     * name the node does not know holds no rights.
     */
    Caller principal(String name);

    /**
     * This context with writes and publishes attributed to {@code plugin:<id>/<actor>} instead of
     * {@code plugin:<id>}, so a plugin acting for several parties (rules, say) leaves a trace of
     * which one wrote. {@code actor}: 1 to 64 of {@code a-z 0-9 : _ . -}, starting with a letter or digit.
     */
    PluginContext actingAs(String actor);
}
