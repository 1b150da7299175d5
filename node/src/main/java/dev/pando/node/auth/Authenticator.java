package dev.pando.node.auth;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Maps a bearer token (or its absence) to a {@link Principal}. For now the only token is the
 * node's admin token; capability and entity tokens join through this seam later.
 */
public final class Authenticator {
    private final byte[] adminToken;
    private final boolean anonymousAllowed;

    public Authenticator(String adminToken, boolean anonymousAllowed) {
        this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
        this.anonymousAllowed = anonymousAllowed;
    }

    /**
     * @param token         the bearer token, or null/empty when none was sent
     * @param remoteAddress the peer's address, the rate-limit key for anonymous callers
     * @throws PandoException {@code UNAUTHORIZED} for a token that is not recognised
     */
    public Principal authenticate(String token, String remoteAddress) {
        if (token == null || token.isEmpty()) {
            return anonymousAllowed ? Principal.anonymous(remoteAddress) : Principal.nobody(remoteAddress);
        }
        // Constant-time: the comparison must not tell an attacker how many leading bytes matched.
        if (MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8))) {
            return Principal.admin();
        }
        throw new PandoException(ErrorCode.UNAUTHORIZED, "unknown or invalid token");
    }

    /**
     * The principal recorded under {@code name} (a write's {@code writer}), with the rights it
     * holds now: how plugins acting later for someone (rules) check that they still may. Empty
     * for a name that holds no rights: unknown, or {@code anonymous} once open mode is off.
     */
    public Optional<Principal> byName(String name) {
        return switch (name) {
            case "admin" -> Optional.of(Principal.admin());
            case "anonymous" -> anonymousAllowed ? Optional.of(Principal.anonymous("plugin")) : Optional.empty();
            default -> Optional.empty();
        };
    }

    public boolean anonymousAllowed() {
        return anonymousAllowed;
    }
}
