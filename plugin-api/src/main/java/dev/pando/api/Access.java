package dev.pando.api;

/**
 * The access an op needs. Levels nest: {@code ADMIN} implies {@code WRITE} implies
 * {@code READ}. {@code NONE} ops (health, info) need no credentials at all.
 */
public enum Access {
    NONE,
    READ,
    WRITE,
    ADMIN;

    /** True if holding this level is enough for an op requiring {@code required}. */
    public boolean covers(Access required) {
        return compareTo(required) >= 0;
    }
}
