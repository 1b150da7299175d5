package dev.pando.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.PluginIdentities;
import dev.pando.api.plugin.TokenValidator;
import dev.pando.host.kv.WriteBudget;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * What the node lends the plugin host: raw, unscoped access to the state and the event bus.
 * Plugins never see this; they get a {@link dev.pando.host.kv.ScopedKv} over it. Keys passed in
 * have already been validated and permission-checked.
 */
public interface HostServices {
    /** {@code ifRevision} value meaning "no compare-and-set". */
    long NO_CAS = -1;

    Optional<KvEntry> get(String key);

    /** Stores durably; throws {@code CONFLICT} when {@code ifRevision} does not match. */
    KvEntry set(String key, JsonNode value, long ifRevision, String writer);

    boolean delete(String key, String writer);

    /**
     * Commits {@code writes} all-or-nothing, each recorded with {@code writer}, as
     * {@link dev.pando.api.plugin.PluginKv#apply} describes; keys and values were checked and the
     * budget charged. A host that cannot commit a batch atomically refuses with {@code UNAVAILABLE}.
     */
    default List<KvChange> apply(List<KvWrite> writes, String writer) {
        throw new PandoException(ErrorCode.UNAVAILABLE, "this host cannot commit atomic batches");
    }

    /**
     * As {@link #apply}, but unpublished: no change feed, listener or subscriber sees the writes,
     * as {@link dev.pando.api.plugin.PluginKv#applyUnpublished} describes.
     */
    default List<KvChange> applyUnpublished(List<KvWrite> writes, String writer) {
        throw new PandoException(ErrorCode.UNAVAILABLE, "this host cannot commit unpublished batches");
    }

    /** A page of entries under a prefix, or matching a pattern when it contains {@code *}. */
    KvPage scan(String prefixOrPattern, String after, int limit);

    /**
     * A page of only the entries whose keys {@code visible} accepts: the others do not count
     * towards {@code limit}, and the page's continuation token reveals nothing about them. This
     * default filters a full scan's page, which suits hosts whose tokens only ever name the last
     * entry returned; the node's store overrides it.
     */
    default KvPage scan(String prefixOrPattern, String after, int limit, Predicate<String> visible) {
        KvPage page = scan(prefixOrPattern, after, limit);
        return new KvPage(page.entries().stream().filter(e -> visible.test(e.key())).toList(), page.next());
    }

    void publish(String topic, JsonNode payload, String publisher);

    /** The write budgets of a plugin that is not a builtin; unlimited unless the node sets them. */
    default WriteBudget.Limits writeLimits() {
        return WriteBudget.Limits.UNLIMITED;
    }

    /** The durable change-feed cursor named {@code consumer}, created at position 0 if new. */
    ChangeFeed feed(String consumer);

    /** The rights principal {@code name} holds now; an unknown name holds none. */
    Caller principal(String name);

    /**
     * Where plugin {@code pluginId} registers its token validators and invalidates identities.
     * A host without authentication (tests, tools) refuses with {@code UNAVAILABLE}.
     */
    default PluginIdentities identities(String pluginId) {
        throw new PandoException(ErrorCode.UNAVAILABLE, "this host does not authenticate callers");
    }

    /**
     * Commits a change made on another node, keeping its origin, origin revision and writer;
     * empty for a delete of an absent key. The caller checked the key against the plugin's
     * prefixes. A host without a node of its own refuses with {@code UNAVAILABLE}.
     */
    default Optional<KvChange> replicate(KvChange change) {
        throw new PandoException(ErrorCode.UNAVAILABLE, "this host does not replicate");
    }

    /** Makes local writes to keys {@code owner} names another node for fail; see {@code Replica}. */
    default void refuseWritesOwnedElsewhere(Function<String, Optional<String>> owner) {
        throw new PandoException(ErrorCode.UNAVAILABLE, "this host does not replicate");
    }

    /** This node's id, public key and signature over {@code Replica.SIGNING_CONTEXT + message}; see {@code Replica}. */
    default NodeKey nodeKey() {
        throw new PandoException(ErrorCode.UNAVAILABLE, "this host has no node key");
    }

    /** The node's identity as the host lends it: signing only in the replica context. */
    interface NodeKey {
        String nodeId();

        byte[] publicKey();

        byte[] sign(byte[] contextAndMessage);
    }

    /** {@link #replicate} for a batch, submitted together and awaited at the end; answers how many were committed. */
    default int replicateAll(List<KvChange> changes) {
        int n = 0;
        for (KvChange c : changes) {
            n += replicate(c).isPresent() ? 1 : 0;
        }
        return n;
    }

    /** Publishes a gauge under its full name ({@code pando_plugin_<id>_<name>}); a host without metrics ignores it. */
    default void gauge(String name, String help, LongSupplier value, String... labels) {}

    /** Removes {@code owner} if it is still the guard in place. */
    default void withdrawOwnershipGuard(Function<String, Optional<String>> owner) {}

    /** Stops asking {@code validator} about tokens, if it is still the one registered for its prefix. */
    default void withdraw(TokenValidator validator) {}
}
