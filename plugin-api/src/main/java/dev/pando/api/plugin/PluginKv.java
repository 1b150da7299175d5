package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
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
    /** Most writes one {@link #apply} may hold; more is {@code TOO_LARGE}. */
    int MAX_APPLY_WRITES = 1024;

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
     * Commits {@code writes} all-or-nothing: either every one commits, in list order, in one
     * storage write with consecutive revisions (listeners and the change feed see them together),
     * or none does and this throws. Each {@link KvWrite.Set#ifRevision} is checked against the
     * state the batch's earlier writes leave, so a key may appear more than once; a
     * {@link KvWrite.Delete} of a key that does not exist then is skipped, not an error. Every key
     * needs a {@code kv.write} prefix, and every write counts against the write budgets; all of it
     * is checked before anything is submitted. At most {@value #MAX_APPLY_WRITES} writes.
     *
     * @return the changes committed, in the order of {@code writes}: one per set, one per delete
     *         of a key that existed (a delete's value is JSON null); empty for an empty list
     * @throws dev.pando.api.PandoException {@code BAD_REQUEST} (a malformed key, a null value),
     *         {@code FORBIDDEN} (a key outside the prefixes), {@code TOO_LARGE} (more than
     *         {@value #MAX_APPLY_WRITES} writes, a value over the node's limit, the per-call
     *         budget), {@code RATE_LIMITED} (the per-second budget), {@code CONFLICT} (an
     *         {@code ifRevision} that does not hold); in each of these cases nothing was written
     */
    List<KvChange> apply(List<KvWrite> writes);

    /**
     * As {@link #apply}, but unpublished: the writes are stored, numbered and durable like any
     * other, and readable with {@link #get} and {@link #scan}, yet no listener, subscriber or
     * {@link ChangeFeed} reader ever sees them (their revisions are gaps in the feed). For a
     * plugin's own bookkeeping that nobody follows, such as the journal's entries and indexes:
     * publishing those would cost every follower of the feed a change to read and skip. Every key
     * must lie under the plugin's own prefix {@code /_plugins/<id>}, else {@code FORBIDDEN}: a
     * write elsewhere could hide from the listeners, rules or replicas that follow that key.
     * Fails otherwise like {@link #apply}.
     */
    List<KvChange> applyUnpublished(List<KvWrite> writes);

    /**
     * One page of entries, in key order, under a prefix ({@code /a/b}) or matching a pattern
     * ({@code /a/ * /c}). The prefix, or the literal part of the pattern, must lie within a
     * {@code kv.read} prefix. Pass the previous page's {@link KvPage#next()} (an opaque token) as
     * {@code after}, or null for the first page.
     */
    KvPage scan(String prefixOrPattern, String after, int limit);
}
