package dev.pando.signing.cap;

import java.util.Locale;

/**
 * What a scope allows under its pattern. {@link #WRITE} implies {@link #READ}; {@link #ADMIN}
 * implies everything. {@link #SUBSCRIBE} (receive events) and {@link #PUBLISH} imply nothing else.
 */
public enum ScopeAction {
    READ, SUBSCRIBE, PUBLISH, WRITE, ADMIN;

    /** Whether holding this action allows {@code other}. */
    public boolean covers(ScopeAction other) {
        return this == other || this == ADMIN || (this == WRITE && other == READ);
    }

    /** The lower-case name used in scope strings ({@code write:/a/**}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
