package dev.pando.builtin;

import java.util.List;
import java.util.Optional;

/** The builtin plugins, in load order. Each can be disabled with {@code plugins.builtins}. */
public final class Builtins {
    private Builtins() {}

    public static List<Builtin> all() {
        return List.of();
    }

    public static Optional<Builtin> named(String id) {
        return all().stream().filter(b -> b.id().equals(id)).findFirst();
    }
}
