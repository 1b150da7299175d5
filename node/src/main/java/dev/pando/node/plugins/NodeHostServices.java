package dev.pando.node.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.PluginIdentities;
import dev.pando.api.plugin.TokenValidator;
import dev.pando.host.HostServices;
import dev.pando.host.kv.WriteBudget;
import dev.pando.node.auth.AdminToken;
import dev.pando.node.auth.AuthMode;
import dev.pando.node.auth.Authenticator;
import dev.pando.node.auth.NodeIdentity;
import dev.pando.node.events.EventBus;
import dev.pando.node.kv.ChangeCursor;
import dev.pando.node.kv.ScanQuery;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.WriteOptions;
import dev.pando.node.metrics.Metrics;
import dev.pando.signing.Ed25519KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The node's state store and event bus, lent to the plugin host. Plugin calls run on worker
 * threads, so writes block here until durable; an interrupt (the call's time limit) ends the
 * wait with {@code TIMEOUT}, though a write already queued still commits.
 */
public final class NodeHostServices implements HostServices {
    private final StateStore store;
    private final EventBus events;
    private final Authenticator auth;
    private final NodeKey nodeKey;
    private final Metrics metrics;
    private final WriteBudget.Limits writeLimits;

    /** Knows only the {@code admin} principal, with no write budgets (tests, benchmarks). */
    public NodeHostServices(StateStore store, EventBus events) {
        this(store, events, WriteBudget.Limits.UNLIMITED);
    }

    /** Knows only the {@code admin} principal; signs with a throwaway key (tests). */
    public NodeHostServices(StateStore store, EventBus events, WriteBudget.Limits writeLimits) {
        this(store, events, Authenticator.withAdminToken(AuthMode.AUTHENTICATED, AdminToken.PREFIX + "unused"), writeLimits,
                new NodeIdentity(store.nodeId(), Ed25519KeyPair.generate()), new Metrics());
    }

    /**
     * @param auth        principals' current rights by name; where plugins register token validators
     * @param writeLimits each plugin's write budgets ({@code plugins.max-writes-per-call|second})
     * @param identity    the node's key, which plugins with {@code replicate} may sign proofs with
     */
    public NodeHostServices(StateStore store, EventBus events, Authenticator auth, WriteBudget.Limits writeLimits,
                            NodeIdentity identity, Metrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.events = events;
        this.auth = auth;
        this.writeLimits = writeLimits;
        this.nodeKey = new NodeKey() {
            @Override
            public String nodeId() {
                return identity.nodeId();
            }

            @Override
            public byte[] publicKey() {
                return identity.keyPair().publicKey();
            }

            @Override
            public byte[] sign(byte[] contextAndMessage) {
                return identity.keyPair().sign(contextAndMessage);
            }
        };
    }

    @Override
    public void gauge(String name, String help, java.util.function.LongSupplier value, String... labels) {
        metrics.gauge(name, help, value, labels);
    }

    @Override
    public NodeKey nodeKey() {
        return nodeKey;
    }

    @Override
    public WriteBudget.Limits writeLimits() {
        return writeLimits;
    }

    @Override
    public Optional<KvEntry> get(String key) {
        return store.get(key);
    }

    @Override
    public KvEntry set(String key, JsonNode value, long ifRevision, String writer) {
        WriteOptions opts = WriteOptions.by(writer);
        if (ifRevision != NO_CAS) {
            opts = opts.ifRevision(ifRevision);
        }
        return await(store.set(key, value, opts)).entry().orElseThrow();
    }

    @Override
    public boolean delete(String key, String writer) {
        return settle(store.delete(key, WriteOptions.by(writer))).isPresent();
    }

    @Override
    public List<KvChange> apply(List<KvWrite> writes, String writer) {
        return await(store.apply(writes, WriteOptions.by(writer)));
    }

    @Override
    public List<KvChange> applyUnpublished(List<KvWrite> writes, String writer) {
        return await(store.apply(writes, WriteOptions.by(writer).asUnpublished()));
    }

    @Override
    public KvPage scan(String prefixOrPattern, String after, int limit) {
        return scan(prefixOrPattern, after, limit, key -> true);
    }

    @Override
    public KvPage scan(String prefixOrPattern, String after, int limit, Predicate<String> visible) {
        return store.scan(new ScanQuery(PathPattern.prefixOrPattern(prefixOrPattern), limit, Optional.ofNullable(after), visible));
    }

    @Override
    public void publish(String topic, JsonNode payload, String publisher) {
        events.publish(topic, payload, publisher);
    }

    @Override
    public ChangeFeed feed(String consumer) {
        return new ChangeFeed() {
            /** Registered on first use of the cursor: a feed only read at positions of one's own holds no changes back. */
            private volatile ChangeCursor cursor;

            private ChangeCursor cursor() {
                ChangeCursor c = cursor;
                if (c == null) {
                    synchronized (this) {
                        if (cursor == null) {
                            cursor = store.cursor(consumer);
                        }
                        c = cursor;
                    }
                }
                return c;
            }

            @Override
            public long position() {
                return cursor().position();
            }

            @Override
            public List<KvChange> poll(int limit) {
                return read(cursor().position(), limit);
            }

            @Override
            public List<KvChange> read(long afterRevision, int limit) {
                return store.changesSince(afterRevision, limit);
            }

            @Override
            public void commit(long revision) {
                cursor().commit(revision);
            }

            @Override
            public long lastRevision() {
                return store.lastChangeRevision();
            }

            @Override
            public long firstRevision() {
                return store.firstRetainedRevision();
            }

            @Override
            public boolean awaitAfter(long afterRevision, long timeoutMillis) {
                try {
                    return store.awaitChangeAfter(afterRevision, Duration.ofMillis(Math.max(0, timeoutMillis)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        };
    }

    @Override
    public Caller principal(String name) {
        return auth.byName(name).<Caller>map(NodeCaller::new).orElseGet(() -> new Powerless(name));
    }

    @Override
    public Optional<KvChange> replicate(KvChange change) {
        return settle(submit(change));
    }

    @Override
    public int replicateAll(List<KvChange> changes) {
        // Submitted before any is awaited: the commit thread takes them as one group.
        List<CompletableFuture<KvChange>> writes = changes.stream().map(this::submit).toList();
        int committed = 0;
        for (CompletableFuture<KvChange> w : writes) {
            committed += settle(w).isPresent() ? 1 : 0;
        }
        return committed;
    }

    private CompletableFuture<KvChange> submit(KvChange change) {
        if (change.origin().equals(store.nodeId())) {
            throw PandoException.badRequest("a replicated change comes from another node; '" + change.key() + "' names this one as its origin");
        }
        WriteOptions opts = WriteOptions.replicated(change.writer(), change.origin(), change.originRevision());
        return change.isDelete() ? store.delete(change.key(), opts) : store.set(change.key(), change.value(), opts);
    }

    /** The committed change; empty for a delete of a key the store does not hold. */
    private static Optional<KvChange> settle(CompletableFuture<KvChange> write) {
        try {
            return Optional.of(await(write));
        } catch (PandoException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void refuseWritesOwnedElsewhere(Function<String, Optional<String>> owner) {
        store.refuseWritesOwnedElsewhere(owner);
    }

    @Override
    public void withdrawOwnershipGuard(Function<String, Optional<String>> owner) {
        store.withdrawOwnershipGuard(owner);
    }

    @Override
    public PluginIdentities identities(String pluginId) {
        String owner = "plugin:" + pluginId;
        return new PluginIdentities() {
            @Override
            public void register(TokenValidator validator) {
                auth.register(owner, validator);
            }

            @Override
            public void invalidate(String name) {
                auth.invalidate(name);
            }

            @Override
            public void invalidateAll() {
                auth.invalidate(Authenticator.EVERYONE);
            }
        };
    }

    @Override
    public void withdraw(TokenValidator validator) {
        auth.withdraw(validator);
    }

    /** A name that holds no rights on this node. */
    private record Powerless(String name) implements Caller {
        @Override
        public boolean isAuthenticated() {
            return false;
        }

        @Override
        public boolean may(Access access, String key) {
            return access == Access.NONE;
        }

        @Override
        public boolean holds(Scope scope) {
            return false;
        }
    }

    private static <T> T await(CompletableFuture<T> write) {
        try {
            return write.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PandoException(ErrorCode.TIMEOUT, "interrupted while waiting for a write to commit");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PandoException p) {
                throw p;
            }
            throw new PandoException(ErrorCode.INTERNAL, "write failed: " + e.getCause(), e.getCause());
        }
    }
}
