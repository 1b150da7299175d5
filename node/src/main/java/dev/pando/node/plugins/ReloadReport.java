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
public record ReloadReport(long generation, List<Outcome> outcomes, long loadMillis, long swapMicros) {

    public ReloadReport {
        outcomes = List.copyOf(outcomes);
    }

    /** What happened to one plugin. */
    public enum Action { LOADED, REPLACED, UNLOADED, UNCHANGED, FAILED }

    /**
     * @param id              null when the file failed before its manifest could be read
     * @param previousVersion the version that was serving before, if any
     * @param error           why it failed (FAILED only)
     */
    public record Outcome(String id, String file, Action action, String version, String previousVersion, String error) {}

    public long count(Action action) {
        return outcomes.stream().filter(o -> o.action() == action).count();
    }

    public boolean hasFailures() {
        return count(Action.FAILED) > 0;
    }
}
