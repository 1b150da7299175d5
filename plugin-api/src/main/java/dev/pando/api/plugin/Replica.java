package dev.pando.api.plugin;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Applies writes first made on another node, as they were made there: what federation needs and
 * {@link PluginKv} cannot do, since a plugin's own writes are recorded as this node's, by the
 * plugin. Needs the {@code replicate} permission; the manifest's {@code kv.write} prefixes still
 * bound the keys. Loop prevention and ownership are the caller's business: the node records what
 * it is given.
 */
public interface Replica {

    /**
     * Commits {@code change} here keeping its {@code origin}, {@code originRevision} and
     * {@code writer} (its revision and timestamp here are this node's): a set, or a delete when
     * its value is JSON null. Blocks until durable.
     *
     * @return the change as committed here; empty for a delete of a key this node does not hold
     * @throws dev.pando.api.PandoException {@code BAD_REQUEST} for a change whose origin is this
     *         node or whose origin revision is not positive, {@code FORBIDDEN} outside the
     *         plugin's write prefixes
     */
    Optional<KvChange> apply(KvChange change);

    /**
     * {@link #apply} for a batch, committed in order but without waiting for each write before
     * submitting the next, so the node commits them together. Every key is checked against the
     * write prefixes before anything is submitted.
     *
     * @return how many were committed (deletes of keys this node does not hold are not)
     */
    int applyAll(List<KvChange> changes);

    /**
     * Makes this node refuse local writes (clients, plugins, rules) to keys another node owns:
     * {@code owner} answers that node's id for such a key, empty for keys this node may write. The
     * refusal is {@code FORBIDDEN} naming the owner; changes applied through {@link #apply} are not
     * affected. Replaces what was given before; withdrawn when the plugin stops. Called on every
     * local write: keep it cheap.
     */
    void refuseWritesOwnedElsewhere(Function<String, Optional<String>> owner);

    /** This node's id, the {@code origin} of its own writes. */
    String nodeId();

    /** This node's Ed25519 public key (32 bytes), the one its id is derived from. */
    byte[] nodePublicKey();

    /**
     * Signs {@code message} with this node's key, for proving to a peer that this is the node:
     * what is signed is {@link #SIGNING_CONTEXT} followed by {@code message}, so such a signature
     * can never pass for one over anything else the node key signs (capability tokens).
     */
    byte[] signAsNode(byte[] message);

    /** The bytes every {@link #signAsNode} signature starts with. */
    String SIGNING_CONTEXT = "pando-node-proof:";
}
