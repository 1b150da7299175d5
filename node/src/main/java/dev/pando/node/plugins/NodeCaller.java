package dev.pando.node.plugins;

import dev.pando.api.Access;
import dev.pando.api.Scope;
import dev.pando.api.plugin.Caller;
import dev.pando.node.auth.Principal;

/** A node principal as plugins see it. */
record NodeCaller(Principal principal) implements Caller {

    @Override
    public String name() {
        return principal.name();
    }

    @Override
    public boolean isAuthenticated() {
        return principal.isAuthenticated();
    }

    @Override
    public boolean may(Access access, String key) {
        return principal.allows(access, key);
    }

    @Override
    public boolean holds(Scope scope) {
        return principal.holds(scope);
    }
}
