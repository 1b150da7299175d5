package dev.pando.host.kv;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.PluginKv;
import dev.pando.host.HostServices;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The only way any plugin, native or WASM, reaches the state. Each key is validated as a
 * canonical key first (so {@code ..}, empty segments and encodings are refused rather than
 * normalised into something else), then checked against the manifest's prefixes on segment
 * boundaries. Writes are attributed to {@code plugin:<id>} (or {@code plugin:<id>/<actor>}).
 */
public final class ScopedKv implements PluginKv {
    /** Largest page a plugin may ask for. */
    public static final int MAX_SCAN_LIMIT = 1000;

    private final PluginManifest manifest;
    private final HostServices host;
    private final String writer;
    private final WriteBudget budget;

    public ScopedKv(PluginManifest manifest, HostServices host) {
        this(manifest, host, "plugin:" + manifest.id(), new WriteBudget(manifest.id(), WriteBudget.Limits.UNLIMITED));
    }

    /** Writes recorded with {@code writer} as their writer, each charged to {@code budget}. */
    public ScopedKv(PluginManifest manifest, HostServices host, String writer, WriteBudget budget) {
        this.manifest = Objects.requireNonNull(manifest, "manifest");
        this.host = Objects.requireNonNull(host, "host");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.budget = Objects.requireNonNull(budget, "budget");
    }

    @Override
    public Optional<KvEntry> get(String key) {
        return host.get(readable(key));
    }

    @Override
    public KvEntry set(String key, JsonNode value) {
        String k = writable(key);
        JsonNode v = requireValue(value);
        budget.charge();
        return host.set(k, v, HostServices.NO_CAS, writer);
    }

    @Override
    public KvEntry set(String key, JsonNode value, long ifRevision) {
        if (ifRevision < 0) {
            throw PandoException.badRequest("ifRevision must be 0 (must not exist) or a revision, got " + ifRevision);
        }
        String k = writable(key);
        JsonNode v = requireValue(value);
        budget.charge();
        return host.set(k, v, ifRevision, writer);
    }

    @Override
    public boolean delete(String key) {
        String k = writable(key);
        budget.charge();
        return host.delete(k, writer);
    }

    @Override
    public List<KvChange> apply(List<KvWrite> writes) {
        List<KvWrite> batch = checkedBatch(writes, this::writable);
        return batch.isEmpty() ? List.of() : host.apply(batch, writer);
    }

    @Override
    public List<KvChange> applyUnpublished(List<KvWrite> writes) {
        List<KvWrite> batch = checkedBatch(writes, this::ownWritable);
        return batch.isEmpty() ? List.of() : host.applyUnpublished(batch, writer);
    }

    /**
     * A copy of {@code writes} whose every key passed {@code check} and every value is storable,
     * with the budget charged for all of it: a batch refused here wrote nothing, like one the
     * store refuses.
     */
    private List<KvWrite> checkedBatch(List<KvWrite> writes, UnaryOperator<String> check) {
        if (writes == null) {
            throw PandoException.badRequest("apply needs a list of writes, got null");
        }
        if (writes.size() > MAX_APPLY_WRITES) {
            throw new PandoException(ErrorCode.TOO_LARGE, "an atomic batch holds at most " + MAX_APPLY_WRITES + " writes, got " + writes.size());
        }
        for (int i = 0; i < writes.size(); i++) {
            if (writes.get(i) == null) { // List.contains(null) throws on immutable lists
                throw PandoException.badRequest("write " + i + " of the batch is null");
            }
        }
        List<KvWrite> batch = List.copyOf(writes); // the plugin cannot change it once checked
        for (KvWrite w : batch) {
            check.apply(w.key());
            if (w instanceof KvWrite.Set set) {
                requireValue(set.value());
            }
        }
        if (!batch.isEmpty()) {
            budget.charge(batch.size());
        }
        return batch;
    }

    @Override
    public KvPage scan(String prefixOrPattern, String after, int limit) {
        if (limit < 1 || limit > MAX_SCAN_LIMIT) {
            throw PandoException.badRequest("scan limit must be between 1 and " + MAX_SCAN_LIMIT + ", got " + limit);
        }
        if (prefixOrPattern == null) {
            throw PandoException.badRequest("scan needs a prefix or pattern, got null");
        }
        String reach = PathPattern.prefixOrPattern(prefixOrPattern).literalPrefix();
        if (!manifest.mayRead(reach)) {
            throw forbidden("read", prefixOrPattern, manifest.kvRead().toString());
        }
        // A root ('/') reader's query spans /_sys and other plugins' prefixes, which it may not
        // see: the host skips those keys inside the scan, so they neither fill nor end a page,
        // and its continuation token is opaque, so it does not name them either.
        return host.scan(prefixOrPattern, after, limit, manifest::mayRead);
    }

    /** Validates {@code key} and checks it against the read prefixes; returns it unchanged. */
    public String readable(String key) {
        Keys.requireValid(key);
        if (!manifest.mayRead(key)) {
            throw forbidden("read", key, manifest.kvRead().toString());
        }
        return key;
    }

    /** Validates {@code key} and checks it against the write prefixes; returns it unchanged. */
    public String writable(String key) {
        Keys.requireValid(key);
        if (!manifest.mayWrite(key)) {
            throw forbidden("write", key, manifest.kvWrite().toString());
        }
        return key;
    }

    /** Validates {@code key} and checks that it lies under the plugin's own prefix; returns it unchanged. */
    private String ownWritable(String key) {
        Keys.requireValid(key);
        if (!Keys.isUnder(key, manifest.defaultPrefix())) {
            throw new PandoException(ErrorCode.FORBIDDEN, "plugin '" + manifest.id() + "' may write '" + key
                    + "' unpublished only under its own prefix " + manifest.defaultPrefix() + ": others follow every other key");
        }
        return key;
    }

    private static JsonNode requireValue(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            throw PandoException.badRequest("value must be a JSON value other than null (use delete)");
        }
        return value;
    }

    private PandoException forbidden(String what, String key, String prefixes) {
        return new PandoException(ErrorCode.FORBIDDEN,
                "plugin '" + manifest.id() + "' may not " + what + " '" + key + "'; its " + what + " prefixes are " + prefixes);
    }
}
