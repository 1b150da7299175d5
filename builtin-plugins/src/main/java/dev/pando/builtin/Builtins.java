package dev.pando.builtin;

import dev.pando.builtin.journal.JournalPlugin;
import dev.pando.builtin.rules.RulesPlugin;
import java.util.List;
import java.util.Optional;

/** The builtin plugins, in load order. Each can be disabled with {@code plugins.builtins}. */
public final class Builtins {
    /** Durable, gap-free history of every change (docs/journal.md). */
    public static final Builtin JOURNAL = new Builtin("journal", "dev/pando/builtin/journal/manifest.json", JournalPlugin::new);

    /** Reactive automation acting with its authors' rights (docs/rules.md). */
    public static final Builtin RULES = new Builtin("rules", "dev/pando/builtin/rules/manifest.json", RulesPlugin::new);

    private Builtins() {}

    public static List<Builtin> all() {
        return List.of(JOURNAL, RULES);
    }

    public static Optional<Builtin> named(String id) {
        return all().stream().filter(b -> b.id().equals(id)).findFirst();
    }
}
