package dev.pando.node.plugins;

import java.nio.file.Path;

/**
 * A plugin file that failed to load and has no earlier version serving.
 *
 * @param id      the id its manifest claims, or null if the manifest could not be read
 * @param version likewise, its version
 */
record FileFailure(Path file, String hash, String id, String version, String error, long at) {}
