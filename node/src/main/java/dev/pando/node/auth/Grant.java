package dev.pando.node.auth;

import dev.pando.api.Access;
import dev.pando.api.path.PathPattern;
import java.util.Objects;

/** One scope held by a principal: an access level over the keys matching a pattern. */
public record Grant(Access access, PathPattern pattern) {
    public Grant {
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(pattern, "pattern");
    }

    /** Parses {@code read:/a/**}, {@code write:/x/*}, {@code admin:/**}. */
    public static Grant parse(String scope) {
        int colon = scope.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("scope must be <read|write|admin>:<pattern>, got '" + scope + "'");
        }
        Access access = switch (scope.substring(0, colon)) {
            case "read" -> Access.READ;
            case "write" -> Access.WRITE;
            case "admin" -> Access.ADMIN;
            default -> throw new IllegalArgumentException("unknown access '" + scope.substring(0, colon) + "' in scope '" + scope + "'");
        };
        return new Grant(access, PathPattern.compile(scope.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return access.name().toLowerCase() + ":" + pattern;
    }
}
