package dev.pando.api;

import java.util.Locale;
import java.util.Optional;

/**
 * An action a principal may take on keys and topics, and the access an op asks of its caller.
 * {@link #WRITE} implies {@link #READ}; {@link #ADMIN} implies everything; {@link #SUBSCRIBE}
 * (receive published events) and {@link #PUBLISH} imply nothing else. {@link #NONE} is only an
 * op's requirement (health, the registry's challenge): it needs no credentials and is never a
 * {@link Scope}'s action.
 */
public enum Access {
    NONE,
    /** get, scan, subscribe to changes. */
    READ,
    /** receive published events. */
    SUBSCRIBE,
    PUBLISH,
    /** set, delete; implies read. */
    WRITE,
    /** everything under the pattern, including grants there. */
    ADMIN;

    /** True if holding this action allows {@code required}. */
    public boolean covers(Access required) {
        return this == required || required == NONE || this == ADMIN || (this == WRITE && required == READ);
    }

    /** The lower-case name used in scopes ({@code write:/a/**}) and manifests. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action named {@code name} ({@code read}, {@code write}, ...), if there is one. */
    public static Optional<Access> fromWireName(String name) {
        for (Access a : values()) {
            if (a.wireName().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
