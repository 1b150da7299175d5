package dev.pando.builtin.registry;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.plugin.Identity;
import dev.pando.api.plugin.TokenValidator;
import dev.pando.builtin.KeyHash;
import dev.pando.builtin.registry.RegistryStore.StoredToken;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Vouches for {@code ent_} tokens: a hash lookup and the entity's cached scopes, no KV read and no
 * lock, since the node asks on every new token and on every re-check of a session.
 */
final class EntityValidator implements TokenValidator {
    static final String PREFIX = "ent_";
    private static final String NAME_PREFIX = "ent:";

    private final Directory directory;
    private final TokenTable tokens;
    private final Clock clock;

    EntityValidator(Directory directory, TokenTable tokens, Clock clock) {
        this.directory = directory;
        this.tokens = tokens;
        this.clock = clock;
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public Identity validate(String token) {
        Optional<StoredToken> t = tokens.find(KeyHash.of(token));
        if (t.isEmpty() || t.get().expiresAt() <= clock.millis()) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, "unknown or expired entity token");
        }
        String id = t.get().entity();
        Entity e = directory.entity(id).orElseThrow(() -> new PandoException(ErrorCode.UNAUTHORIZED, "unknown or expired entity token"));
        List<Scope> scopes = directory.scopesOf(id).orElseThrow(() -> new PandoException(ErrorCode.UNAUTHORIZED,
                "entity '" + id + "' is " + e.status().wireName()));
        return new Identity(Entity.principalOf(id), scopes, Optional.of(Instant.ofEpochMilli(t.get().expiresAt())));
    }

    @Override
    public Optional<Identity> byName(String name) {
        if (name == null || !name.startsWith(NAME_PREFIX)) {
            return Optional.empty();
        }
        String id = name.substring(NAME_PREFIX.length());
        return directory.scopesOf(id).map(scopes -> new Identity(name, scopes, Optional.empty()));
    }
}
