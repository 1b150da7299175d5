package dev.pando.node.auth;

import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.plugin.Identity;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Who is calling, and what they may touch: every check of a key, topic or op against a caller's
 * rights is one of this record's methods. {@code name} is what gets recorded as a write's
 * {@code writer}; {@code clientKey} is what rate limits count against (the name for authenticated
 * callers, the remote address for anonymous ones); {@code expiresAt} is when the token it came
 * from stops being honoured.
 */
public record Principal(String name, List<Scope> scopes, String clientKey, Optional<Instant> expiresAt) {
    private static final Scope NODE_ADMIN = Scope.parse("admin:/**");
    /** Open mode's anonymous caller: everything but administration. */
    private static final List<Scope> OPEN = List.of(Scope.parse("write:/**"), Scope.parse("publish:/**"), Scope.parse("subscribe:/**"));

    public Principal {
        scopes = List.copyOf(scopes);
    }

    public Principal(String name, List<Scope> scopes, String clientKey) {
        this(name, scopes, clientKey, Optional.empty());
    }

    /** The anonymous caller of an open (loopback) node: read, write, publish and subscribe everywhere, but no administration. */
    public static Principal anonymous(String remoteAddress) {
        return new Principal("anonymous", OPEN, "addr:" + remoteAddress);
    }

    /** A caller without a token on a node that requires one: only ops that need no access. */
    public static Principal nobody(String remoteAddress) {
        return new Principal("nobody", List.of(), "addr:" + remoteAddress);
    }

    /** The node administrator (admin token). */
    public static Principal admin() {
        return of(AdminTokenValidator.IDENTITY);
    }

    /** The node itself (internal writes, plugins acting with node authority). */
    public static Principal node(String nodeId) {
        return new Principal("node:" + nodeId, List.of(NODE_ADMIN), "node");
    }

    /** The principal a validated token stands for; rate limits count against its name. */
    public static Principal of(Identity identity) {
        return new Principal(identity.name(), identity.scopes(), identity.name(), identity.expiresAt());
    }

    /**
     * Whether this caller may call an op requiring {@code required}: {@code none} always, {@code admin}
     * only with node-wide admin ({@code admin:/**}, so owning a namespace is not enough), any other
     * action when some scope grants it somewhere (the op then checks each key it touches).
     */
    public boolean mayCall(Access required) {
        return switch (required) {
            case NONE -> true;
            case ADMIN -> holds(NODE_ADMIN);
            default -> grantsSomewhere(required);
        };
    }

    // A loop, not a stream: it runs for every request, and the stream was 2% of the event loops' time.
    private boolean grantsSomewhere(Access required) {
        for (Scope s : scopes) {
            if (s.action().covers(required)) {
                return true;
            }
        }
        return false;
    }

    /** True if some scope allows {@code access} on {@code key}. */
    public boolean allows(Access access, String key) {
        if (access == Access.NONE) {
            return true;
        }
        for (Scope s : scopes) {
            if (s.allows(access, key)) {
                return true;
            }
        }
        return false;
    }

    /** True if some scope covers all of {@code scope}. */
    public boolean holds(Scope scope) {
        for (Scope s : scopes) {
            if (s.covers(scope)) {
                return true;
            }
        }
        return false;
    }

    /** Throws {@code FORBIDDEN} unless {@link #allows}. */
    public void require(Access access, String key) {
        if (!allows(access, key)) {
            throw new PandoException(ErrorCode.FORBIDDEN, name + " may not " + access.wireName() + " '" + key + "'");
        }
    }

    /**
     * The refusal of an op this caller may not call: {@code FORBIDDEN} for a caller with a token,
     * {@code UNAUTHORIZED} (asking for one) for a caller without.
     */
    public PandoException cannotCall(String op, String needs) {
        String why = "op '" + op + "' requires " + needs;
        return isAuthenticated() ? new PandoException(ErrorCode.FORBIDDEN, why) : new PandoException(ErrorCode.UNAUTHORIZED, why + "; send a token");
    }

    public boolean isAuthenticated() {
        return !name.equals("anonymous") && !name.equals("nobody");
    }
}
