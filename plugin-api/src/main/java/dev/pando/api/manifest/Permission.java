package dev.pando.api.manifest;

import java.util.Locale;

/** Host capabilities beyond the KV view; all are off unless the manifest declares them. */
public enum Permission {
    /** Publish ephemeral events. */
    PUBLISH,
    /** Write to the node log (WASM; native plugins always have a logger). */
    LOG,
    /** Read the wall clock. */
    CLOCK,
    /** Draw random bytes from the host's secure generator. */
    RANDOM,
    /**
     * Read the node's whole change feed through a durable cursor ({@code PluginContext.feed()}),
     * whatever the KV prefixes: for consumers that must see every write (journal, federation).
     */
    FEED,
    /**
     * Vouch for bearer tokens with a prefix of the plugin's own and revoke what was vouched for
     * ({@code PluginContext.identities()}): the registry's entity tokens.
     */
    IDENTITY,
    /**
     * Apply writes made on other nodes keeping their origin ({@code PluginContext.replica()}):
     * federation.
     */
    REPLICATE;

    /** The manifest spelling: {@code publish}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
