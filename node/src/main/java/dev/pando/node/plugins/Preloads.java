package dev.pando.node.plugins;

import dev.pando.host.LoadedPlugin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Plugin files one reload loaded (read, verified, compiled) before taking the reload lock. A file
 * is claimed, by candidate name and content hash, while a reload loads it, so that a concurrent
 * reload does not compile the same bytes again but leaves that file to the reload already at it.
 * Closing releases the claims and whatever loaded plugin the reload did not use.
 */
final class Preloads implements AutoCloseable {
    private sealed interface Result permits Loaded, Failed {}

    private record Loaded(LoadedPlugin plugin) implements Result {}

    private record Failed(RuntimeException error) implements Result {}

    private record Key(String name, String hash) {}

    private final Map<String, String> claims;
    private final Map<Key, Result> results = new HashMap<>();
    private final Set<Key> busy = new HashSet<>();
    private final List<Key> claimed = new ArrayList<>();

    /** @param claims shared by every reload of one manager: candidate name to the hash being loaded */
    Preloads(Map<String, String> claims) {
        this.claims = claims;
    }

    /** Loads the candidate named {@code name} now unless another reload is loading the same content. */
    void load(String name, String hash, Supplier<LoadedPlugin> load) {
        Key key = new Key(name, hash);
        String other = claims.putIfAbsent(name, hash);
        if (other != null) {
            if (other.equals(hash)) {
                busy.add(key);
            }
            return; // other content: loaded under the lock if still there
        }
        claimed.add(key);
        try {
            results.put(key, new Loaded(load.get()));
        } catch (RuntimeException e) {
            results.put(key, new Failed(e));
        }
    }

    /** Whether another reload was, and still is, loading exactly this content. */
    boolean busy(String name, String hash) {
        return busy.contains(new Key(name, hash)) && hash.equals(claims.get(name));
    }

    /**
     * The plugin loaded from this content, now the caller's to start or close; empty if it was not
     * loaded ahead.
     *
     * @throws RuntimeException why loading it failed
     */
    Optional<LoadedPlugin> take(String name, String hash) {
        Result r = results.remove(new Key(name, hash));
        if (r instanceof Failed f) {
            throw f.error();
        }
        return r instanceof Loaded l ? Optional.of(l.plugin()) : Optional.empty();
    }

    @Override
    public void close() {
        for (Result r : results.values()) {
            if (r instanceof Loaded l) {
                PluginStarter.release(l.plugin());
            }
        }
        results.clear();
        claimed.forEach(k -> claims.remove(k.name(), k.hash()));
        claimed.clear();
    }
}
