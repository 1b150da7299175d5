package dev.pando.builtin;

import dev.pando.builtin.federation.FederationPlugin;
import dev.pando.builtin.journal.JournalPlugin;
import dev.pando.builtin.registry.RegistryPlugin;
import dev.pando.builtin.rules.RulesPlugin;
import java.util.List;
import java.util.Optional;

/** The builtin plugins, in load order. Each can be disabled with {@code plugins.builtins}. */
public final class Builtins {
    /** Durable, gap-free history of every change (docs/journal.md). */
    public static final Builtin JOURNAL = new Builtin("journal", "dev/pando/builtin/journal/manifest.json", JournalPlugin::new);

    /** Reactive automation acting with its authors' rights (docs/rules.md). */
    public static final Builtin RULES = new Builtin("rules", "dev/pando/builtin/rules/manifest.json", RulesPlugin::new);

    /** Ed25519-keyed entities, their ent_ tokens and namespaces (docs/registry.md). */
    public static final Builtin REGISTRY = new Builtin("registry", "dev/pando/builtin/registry/manifest.json", RegistryPlugin::new);

    /** Hub and leaf nodes sharing state (docs/federation.md); served only when {@code federation.mode} is set. */
    public static final Builtin FEDERATION = new Builtin("federation", "dev/pando/builtin/federation/manifest.json", FederationPlugin::new);

    private Builtins() {}

    public static List<Builtin> all() {
        return List.of(JOURNAL, RULES, REGISTRY, FEDERATION);
    }

    public static Optional<Builtin> named(String id) {
        return all().stream().filter(b -> b.id().equals(id)).findFirst();
    }
}
