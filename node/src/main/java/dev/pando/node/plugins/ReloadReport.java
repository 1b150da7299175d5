package dev.pando.node.plugins;

import java.util.List;

/**
 * What one reload did.
 *
 * @param generation  the handler table generation live afterwards
 * @param outcomes    one per plugin file or plugin id touched
 * @param loadMillis  reading, verifying, compiling and starting new plugins
 * @param swapMicros  from the loaded plugins to the new table being live (compilation excluded)
 */
public record ReloadReport(long generation, List<ReloadOutcome> outcomes, long loadMillis, long swapMicros) {

    public ReloadReport {
        outcomes = List.copyOf(outcomes);
    }

    /** How many outcomes have this action. */
    public long count(PluginState action) {
        return outcomes.stream().filter(o -> o.action() == action).count();
    }

    public boolean hasFailures() {
        return count(PluginState.FAILED) > 0;
    }
}
