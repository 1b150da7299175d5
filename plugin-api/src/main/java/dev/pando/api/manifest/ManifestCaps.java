package dev.pando.api.manifest;

/**
 * The node operator's ceilings on plugin limits; a manifest asking for more is refused.
 * Named after the config keys {@code plugins.max-memory-pages}, {@code plugins.max-call-timeout-ms}
 * and {@code plugins.max-instances}.
 */
public record ManifestCaps(int maxMemoryPages, int maxCallTimeoutMs, int maxInstances) {
    public static final ManifestCaps DEFAULT = new ManifestCaps(1024, 30_000, 16);
}
