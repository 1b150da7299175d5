package dev.pando.node.auth;

import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import java.util.List;

/**
 * Who is calling, and what they may touch. {@code name} is what gets recorded as a write's
 * {@code writer}; {@code clientKey} is what rate limits count against (the name for
 * authenticated callers, the remote address for anonymous ones).
 */
public record Principal(String name, List<Grant> grants, String clientKey) {
    private static final PathPattern ALL = PathPattern.compile("/**");

    public Principal {
        grants = List.copyOf(grants);
    }

    /** The anonymous caller of an open (loopback, no-auth) node: read and write everywhere. */
    public static Principal anonymous(String remoteAddress) {
        return new Principal("anonymous", List.of(new Grant(Access.WRITE, ALL)), "addr:" + remoteAddress);
    }

    /** An unauthenticated caller of a node that requires auth: only {@link Access#NONE} ops. */
    public static Principal nobody(String remoteAddress) {
        return new Principal("nobody", List.of(), "addr:" + remoteAddress);
    }

    /** The node administrator (admin token). */
    public static Principal admin() {
        return new Principal("admin", List.of(new Grant(Access.ADMIN, ALL)), "admin");
    }

    /** The node itself (internal writes, plugins acting with node authority). */
    public static Principal node(String nodeId) {
        return new Principal("node:" + nodeId, List.of(new Grant(Access.ADMIN, ALL)), "node");
    }

    /** True if some grant gives at least {@code access} anywhere: the dispatcher's op check. */
    public boolean hasAny(Access access) {
        if (access == Access.NONE) {
            return true;
        }
        return grants.stream().anyMatch(g -> g.access().covers(access));
    }

    /** True if some grant gives at least {@code access} over {@code key}. */
    public boolean allows(Access access, String key) {
        if (access == Access.NONE) {
            return true;
        }
        for (Grant g : grants) {
            if (g.access().covers(access) && g.pattern().matches(key)) {
                return true;
            }
        }
        return false;
    }

    /** Throws {@code FORBIDDEN} unless {@link #allows}. */
    public void require(Access access, String key) {
        if (!allows(access, key)) {
            throw new PandoException(ErrorCode.FORBIDDEN,
                    name + " may not " + access.name().toLowerCase() + " '" + key + "'");
        }
    }

    public boolean isAuthenticated() {
        return !name.equals("anonymous") && !name.equals("nobody");
    }
}
