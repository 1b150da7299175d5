package dev.pando.node.plugins;

import java.util.Optional;

/**
 * A plugin source (a file, or a builtin) that failed to load and has no earlier version serving.
 *
 * @param source  the candidate's name: a file name, or {@code builtin:<id>}
 * @param hash    the content that failed, so an unchanged file is known on the next reload
 * @param id      the id its manifest claims, if the manifest could be read
 * @param version likewise, its version
 * @param at      when the reload that failed it ran
 */
record SourceFailure(String source, String hash, Optional<String> id, Optional<String> version, String error, long at) {

    PluginStatus status() {
        return new PluginStatus.Failed(id, source, version, error, at);
    }

    ReloadOutcome outcome() {
        return new ReloadOutcome.Failed(id, Optional.of(source), version, Optional.empty(), error);
    }
}
