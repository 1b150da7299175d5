package dev.pando.node.plugins;

import java.util.List;
import java.util.Locale;

/**
 * Where a plugin stands: the one vocabulary of the listing ({@code admin.plugins}) and of reload
 * reports ({@code admin.reload}).
 *
 * <p>A reload report says, per plugin file or id, what that reload did to it: {@link #LOADED},
 * {@link #REPLACED}, {@link #UNCHANGED}, {@link #UNLOADED} or {@link #FAILED}. The listing says
 * what each row is now: {@link #SERVING}, or {@link #FAILED} for a file with nothing serving in
 * its place. Each value means one thing; the protocol's spellings are mapped here only
 * ({@link #reportName}, {@link #listingName}).
 */
public enum PluginState {
    /** Serving, loaded by this reload with nothing serving its id before. */
    LOADED,
    /** Serving a new version, or the same one restarted for an edited operator config, in place of the old. */
    REPLACED,
    /** No longer serving: its file is gone, or now declares another id. */
    UNLOADED,
    /** Serving as before: its file and operator config are as they were. */
    UNCHANGED,
    /** Its file failed to load or start; the version serving before, if any, keeps serving. */
    FAILED,
    /** Serving calls (the listing's state for a plugin, however it came to serve). */
    SERVING;

    /** What a reload report counts, in the order the report's counts are written. */
    public static final List<PluginState> REPORTED = List.of(LOADED, REPLACED, UNLOADED, UNCHANGED, FAILED);

    /** The report's spelling: {@code "loaded"}, {@code "failed"}, ... (an outcome's {@code action}, and the count's key). */
    public String reportName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The listing's spelling of a row's {@code state}. {@link #SERVING} is written {@code LOADED},
     * as it was before "serving" and "newly loaded" were told apart.
     */
    public String listingName() {
        return this == SERVING ? LOADED.name() : name();
    }

    /** The state a report's {@link #reportName} stands for. */
    public static PluginState ofReportName(String name) {
        for (PluginState s : REPORTED) {
            if (s.reportName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("not a reload action: '" + name + "'");
    }
}
