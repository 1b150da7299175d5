package dev.pando.api.plugin;

import java.util.Optional;

/**
 * Vouches for the bearer tokens that start with {@link #prefix()}: the node asks the validator
 * whose prefix a token carries, and a token no validator claims is {@code UNAUTHORIZED}. The node
 * caches answers per token until {@link Identity#expiresAt()} or until the validator's plugin calls
 * {@link PluginIdentities#invalidate}; both methods may run on any thread and must not block long.
 */
public interface TokenValidator {

    /** The prefix this validator claims, e.g. {@code ent_}: 2 to 8 of {@code a-z 0-9}, ending in {@code _}. */
    String prefix();

    /**
     * The identity {@code token} stands for now.
     *
     * @throws dev.pando.api.PandoException {@code UNAUTHORIZED} with the reason (unknown, expired,
     *         suspended, revoked) when it stands for nobody
     */
    Identity validate(String token);

    /**
     * The identity called {@code name} ({@link Identity#name()}) as it stands now, for acting later
     * on its behalf (a rule's author). Empty when the name is not this validator's or holds no rights.
     */
    Optional<Identity> byName(String name);
}
