package dev.pando.node.plugins;

import java.nio.file.Path;

/** A plugin file that failed to load and has no earlier version serving. */
record FileFailure(Path file, String hash, String id, String error, long at) {}
