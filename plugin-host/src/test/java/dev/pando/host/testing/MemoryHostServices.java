package dev.pando.host.testing;

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
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An in-memory {@link HostServices} for plugin tests: a TreeMap of entries with a global revision
 * counter, and a list of what was published. Like the real node it trusts its keys (the scoped
 * view checked them); unlike it, nothing is durable. Thread-safe.
 */
public final class MemoryHostServices implements HostServices {
    /** What a plugin published. */
    public record Published(String topic, JsonNode payload, String publisher) {}

    private final TreeMap<String, KvEntry> entries = new TreeMap<>();
    private final List<Published> published = new ArrayList<>();
    /** Every committed write, oldest first: the feed. */
    private final List<KvChange> changes = new ArrayList<>();
    private final Map<String, Long> cursors = new HashMap<>();
    private final Map<String, Caller> principals = new HashMap<>();
    private final Map<String, TokenValidator> validators = new HashMap<>();
    private final List<String> invalidated = new ArrayList<>();
    private final Clock clock;
    private long revision;

    public MemoryHostServices(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Optional<KvEntry> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    @Override
    public synchronized KvEntry set(String key, JsonNode value, long ifRevision, String writer) {
        KvEntry current = entries.get(key);
        if (ifRevision != NO_CAS) {
            long actual = current == null ? 0 : current.revision();
            if (actual != ifRevision) {
                throw new PandoException(ErrorCode.CONFLICT, "'" + key + "' is at revision " + actual + ", not " + ifRevision);
            }
        }
        KvEntry entry = new KvEntry(key, value, ++revision, clock.millis(), "local", writer);
        entries.put(key, entry);
        changes.add(new KvChange(key, value, entry.revision(), entry.timestamp(), "local", writer));
        notifyAll();
        return entry;
    }

    @Override
    public synchronized boolean delete(String key, String writer) {
        if (entries.remove(key) == null) {
            return false;
        }
        changes.add(new KvChange(key, null, ++revision, clock.millis(), "local", writer));
        notifyAll();
        return true;
    }

    /** All-or-nothing like the node: every condition is checked against the batch's own earlier writes before anything changes. */
    @Override
    public synchronized List<KvChange> apply(List<KvWrite> writes, String writer) {
        return apply(writes, writer, true);
    }

    /** As {@link #apply}, leaving no change behind: like the node, its revisions are gaps in the changes. */
    @Override
    public synchronized List<KvChange> applyUnpublished(List<KvWrite> writes, String writer) {
        return apply(writes, writer, false);
    }

    private List<KvChange> apply(List<KvWrite> writes, String writer, boolean published) {
        Map<String, Long> after = new HashMap<>(); // key -> revision once the earlier writes are applied, 0 = absent
        long next = revision;
        for (KvWrite w : writes) {
            KvEntry current = entries.get(w.key());
            long actual = after.getOrDefault(w.key(), current == null ? 0 : current.revision());
            if (w instanceof KvWrite.Set set) {
                if (set.ifRevision().isPresent() && set.ifRevision().getAsLong() != actual) {
                    throw new PandoException(ErrorCode.CONFLICT, "'" + w.key() + "' is at revision " + actual + ", not "
                            + set.ifRevision().getAsLong() + "; nothing of the batch was written");
                }
                after.put(w.key(), ++next);
            } else if (actual != 0) {
                after.put(w.key(), 0L);
                next++;
            }
        }
        List<KvChange> committed = new ArrayList<>();
        for (KvWrite w : writes) {
            if (w instanceof KvWrite.Set set) {
                KvEntry entry = new KvEntry(w.key(), set.value(), ++revision, clock.millis(), "local", writer);
                entries.put(w.key(), entry);
                committed.add(new KvChange(w.key(), set.value(), entry.revision(), entry.timestamp(), "local", writer));
            } else if (entries.remove(w.key()) != null) {
                committed.add(new KvChange(w.key(), null, ++revision, clock.millis(), "local", writer));
            }
        }
        if (published) {
            changes.addAll(committed);
        }
        notifyAll();
        return committed;
    }

    @Override
    public synchronized KvPage scan(String prefixOrPattern, String after, int limit) {
        // A prefix selects itself and everything below it, which is what prefix/** matches.
        PathPattern pattern = prefixOrPattern.indexOf('*') >= 0 ? PathPattern.compile(prefixOrPattern) : PathPattern.under(prefixOrPattern);
        Map<String, KvEntry> tail = after == null ? entries : entries.tailMap(KvPage.positionOf(after), false);
        List<KvEntry> page = new ArrayList<>();
        String literal = pattern.literalPrefix();
        for (KvEntry e : tail.values()) {
            if (!e.key().startsWith(literal) && e.key().compareTo(literal) > 0) {
                break; // past every key under the pattern's literal part
            }
            if (!pattern.matches(e.key())) {
                continue;
            }
            if (page.size() == limit) {
                return KvPage.more(page, KvPage.resumeAfter(page.get(page.size() - 1).key()));
            }
            page.add(e);
        }
        return KvPage.last(page);
    }

    @Override
    public synchronized void publish(String topic, JsonNode payload, String publisher) {
        published.add(new Published(topic, payload, publisher));
    }

    /** Every published change so far, oldest first. */
    public synchronized List<KvChange> changes() {
        return List.copyOf(changes);
    }

    /** Where the feed ends: unpublished writes take revisions past it. */
    private long lastChangeRevision() {
        return changes.isEmpty() ? 0 : changes.get(changes.size() - 1).revision();
    }

    @Override
    public ChangeFeed feed(String consumer) {
        return new ChangeFeed() {
            @Override
            public long position() {
                synchronized (MemoryHostServices.this) {
                    return cursors.getOrDefault(consumer, 0L);
                }
            }

            @Override
            public List<KvChange> poll(int limit) {
                return read(position(), limit);
            }

            @Override
            public List<KvChange> read(long afterRevision, int limit) {
                synchronized (MemoryHostServices.this) {
                    return changes.stream().filter(c -> c.revision() > afterRevision).limit(limit).toList();
                }
            }

            @Override
            public void commit(long rev) {
                synchronized (MemoryHostServices.this) {
                    cursors.merge(consumer, rev, Math::max);
                }
            }

            @Override
            public long lastRevision() {
                synchronized (MemoryHostServices.this) {
                    return lastChangeRevision();
                }
            }

            @Override
            public long firstRevision() {
                return 1; // nothing is ever pruned here
            }

            @Override
            public boolean awaitAfter(long afterRevision, long timeoutMillis) {
                long deadline = System.currentTimeMillis() + timeoutMillis;
                synchronized (MemoryHostServices.this) {
                    try {
                        while (lastChangeRevision() <= afterRevision) {
                            long left = deadline - System.currentTimeMillis();
                            if (left <= 0) {
                                return false;
                            }
                            MemoryHostServices.this.wait(left);
                        }
                        return true;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
        };
    }

    /** Gives {@code caller.name()} the rights {@code caller} has, for {@link #principal}. */
    public synchronized void principal(Caller caller) {
        principals.put(caller.name(), caller);
    }

    /** Forgets a principal: it holds no rights any more. */
    public synchronized void revoke(String name) {
        principals.remove(name);
    }

    @Override
    public synchronized Caller principal(String name) {
        Caller known = principals.get(name);
        return known != null ? known : new Caller() {
            @Override
            public String name() {
                return name;
            }

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
        };
    }

    /** A copy of every entry, by key. */
    public synchronized Map<String, KvEntry> entries() {
        return new TreeMap<>(entries);
    }

    /** A copy of everything published so far, in order. */
    public synchronized List<Published> published() {
        return List.copyOf(published);
    }

    @Override
    public PluginIdentities identities(String pluginId) {
        return new PluginIdentities() {
            @Override
            public void register(TokenValidator validator) {
                synchronized (MemoryHostServices.this) {
                    validators.put(validator.prefix(), validator);
                }
            }

            @Override
            public void invalidateAll() {
                invalidate("*");
            }

            @Override
            public void invalidate(String name) {
                synchronized (MemoryHostServices.this) {
                    invalidated.add(name);
                }
            }
        };
    }

    /** The validator a plugin registered for {@code prefix}, as the node would ask it. */
    public synchronized Optional<TokenValidator> validator(String prefix) {
        return Optional.ofNullable(validators.get(prefix));
    }

    /** The identity names plugins invalidated, oldest first ({@code *} for all). */
    public synchronized List<String> invalidated() {
        return List.copyOf(invalidated);
    }
}
