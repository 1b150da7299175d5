package dev.pando.api.plugin;

import dev.pando.api.Access;
import dev.pando.api.Scope;

/**
 * The principal behind a call, as a plugin sees it. The op's declared scope has already been
 * checked; {@link #may} lets a plugin check the caller's rights on other keys before acting on
 * their behalf (the plugin's own KV view is bounded by its manifest, not by the caller).
 */
public interface Caller {

    /** Stable name of the principal ({@code anonymous}, {@code admin}, an entity id, ...). */
    String name();

    /** False for anonymous callers in open mode. */
    boolean isAuthenticated();

    /** True if the caller holds at least {@code access} on {@code key}. */
    boolean may(Access access, String key);

    /**
     * True if one of the caller's scopes {@link Scope#covers covers} {@code scope}: the check before
     * handing on rights over a whole pattern (a grant in a namespace, a delegation), where
     * {@link #may} on one key would not be enough.
     */
    boolean holds(Scope scope);
}
