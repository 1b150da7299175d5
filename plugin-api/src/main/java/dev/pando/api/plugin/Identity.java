package dev.pando.api.plugin;

import dev.pando.api.Scope;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who a token stands for and what they may do now: what a {@link TokenValidator} answers.
 * {@code name} is recorded as the {@code writer} of their writes and is what rules and rate limits
 * know them by ({@code admin}, {@code cap:<nonce>}, {@code ent:<id>}); {@code expiresAt}, when
 * present, is when the node stops honouring the token without asking again.
 */
public record Identity(String name, List<Scope> scopes, Optional<Instant> expiresAt) {
    public Identity {
        Objects.requireNonNull(name, "name");
        scopes = List.copyOf(scopes);
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
