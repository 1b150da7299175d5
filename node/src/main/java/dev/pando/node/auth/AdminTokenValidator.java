package dev.pando.node.auth;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.plugin.Identity;
import dev.pando.api.plugin.TokenValidator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/** The node's admin token ({@code adm_}): node-wide admin, {@code admin:/**}. */
final class AdminTokenValidator implements TokenValidator {
    static final Identity IDENTITY = new Identity("admin", List.of(Scope.parse("admin:/**")), Optional.empty());

    private final byte[] token;

    AdminTokenValidator(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String prefix() {
        return AdminToken.PREFIX;
    }

    @Override
    public Identity validate(String presented) {
        // Constant-time: the comparison must not tell an attacker how many leading bytes matched.
        if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, "unknown admin token");
        }
        return IDENTITY;
    }

    @Override
    public Optional<Identity> byName(String name) {
        return IDENTITY.name().equals(name) ? Optional.of(IDENTITY) : Optional.empty();
    }
}
