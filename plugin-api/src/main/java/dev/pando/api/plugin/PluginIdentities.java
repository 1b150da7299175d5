package dev.pando.api.plugin;

/**
 * How a plugin vouches for identities (the registry's entity tokens); needs the {@code identity}
 * permission. What a plugin registers is withdrawn when it stops or is replaced.
 */
public interface PluginIdentities {

    /**
     * Makes the node ask {@code validator} about tokens with its prefix. {@code FORBIDDEN} when
     * another plugin or the node already claims the prefix ({@code adm_} and {@code cap_} are the node's).
     */
    void register(TokenValidator validator);

    /**
     * Forgets every cached answer about {@code name} and checks that identity's open sessions again
     * before returning: a session its validator now refuses loses its subscriptions and is closed.
     * Call after suspending, revoking or narrowing an identity, so it takes effect at once.
     */
    void invalidate(String name);

    /** {@link #invalidate} for every identity at once: after a change that touches many (a namespace locked). */
    void invalidateAll();
}
