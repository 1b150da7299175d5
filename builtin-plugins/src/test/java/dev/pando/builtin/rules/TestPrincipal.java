package dev.pando.builtin.rules;

import dev.pando.api.Access;
import dev.pando.api.Scope;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.Caller;
import java.util.List;

/** A principal with read and write grants over prefixes (write implies read); never admin. */
record TestPrincipal(String name, List<String> read, List<String> write) implements Caller {

    static TestPrincipal writer(String name, String... writePrefixes) {
        return new TestPrincipal(name, List.of(), List.of(writePrefixes));
    }

    TestPrincipal reading(String... readPrefixes) {
        return new TestPrincipal(name, List.of(readPrefixes), write);
    }

    @Override
    public boolean isAuthenticated() {
        return true;
    }

    @Override
    public boolean may(Access access, String key) {
        return switch (access) {
            case NONE -> true;
            case READ -> under(read, key) || under(write, key);
            case WRITE, PUBLISH -> under(write, key);
            case SUBSCRIBE -> under(read, key) || under(write, key);
            case ADMIN -> false;
        };
    }

    @Override
    public boolean holds(Scope scope) {
        return false;
    }

    private static boolean under(List<String> prefixes, String key) {
        return prefixes.stream().anyMatch(p -> Keys.isUnder(key, p));
    }
}
