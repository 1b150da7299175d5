package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A plugin's view of the state, limited to its manifest's prefixes. Every key is validated
 * first (canonical paths only: no {@code ..}, no empty segments; nothing is ever
 * percent-decoded, so {@code %2F} is two literal characters, not a slash) and then checked
 * against the prefixes on segment boundaries, so {@code /_plugins/ab} never reaches
 * {@code /_plugins/abc}. Violations throw {@link dev.pando.api.PandoException} with
 * {@code BAD_REQUEST} (malformed key) or {@code FORBIDDEN} (outside the prefixes). Writes return
 * once durable, so call them from a call or listener thread, never while holding locks others need.
 */
public interface PluginKv {

    /** The entry at {@code key}; needs a {@code kv.read} prefix covering it. */
    Optional<KvEntry> get(String key);

    /** Stores {@code value} (not JSON null); needs a {@code kv.write} prefix covering it. */
    KvEntry set(String key, JsonNode value);

    /**
     * Compare-and-set: stores only if the entry's revision is {@code ifRevision} ({@code 0}:
     * must not exist), otherwise throws {@code CONFLICT}.
     */
    KvEntry set(String key, JsonNode value, long ifRevision);

    /** Deletes {@code key}; returns false if it did not exist. Needs {@code kv.write}. */
    boolean delete(String key);

    /**
     * One page of entries, in key order, under a prefix ({@code /a/b}) or matching a pattern
     * ({@code /a/ * /c}). The prefix, or the literal part of the pattern, must lie within a
     * {@code kv.read} prefix. Pass the previous page's {@link KvPage#next()} (an opaque token) as
     * {@code after}, or null for the first page.
     */
    KvPage scan(String prefixOrPattern, String after, int limit);
}
