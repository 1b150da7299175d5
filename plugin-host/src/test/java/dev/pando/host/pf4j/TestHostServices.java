package dev.pando.host.pf4j;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.host.HostServices;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/** An in-memory {@link HostServices}: a sorted map with revisions, and a list of published events. */
final class TestHostServices implements HostServices {
    private final NavigableMap<String, KvEntry> entries = new TreeMap<>();
    private final List<TopicEvent> published = new ArrayList<>();
    private long revision;

    @Override
    public synchronized Optional<KvEntry> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    @Override
    public synchronized KvEntry set(String key, JsonNode value, long ifRevision, String writer) {
        KvEntry current = entries.get(key);
        long currentRevision = current == null ? 0 : current.revision();
        if (ifRevision != NO_CAS && ifRevision != currentRevision) {
            throw new PandoException(ErrorCode.CONFLICT, key + " is at revision " + currentRevision + ", not " + ifRevision);
        }
        KvEntry entry = new KvEntry(key, value, ++revision, System.currentTimeMillis(), "local", writer);
        entries.put(key, entry);
        return entry;
    }

    @Override
    public synchronized boolean delete(String key, String writer) {
        return entries.remove(key) != null;
    }

    @Override
    public synchronized KvPage scan(String prefixOrPattern, String after, int limit) {
        PathPattern pattern = prefixOrPattern.indexOf('*') >= 0 ? PathPattern.compile(prefixOrPattern) : null;
        List<KvEntry> page = new ArrayList<>();
        for (KvEntry e : (after == null ? entries : entries.tailMap(after, false)).values()) {
            boolean selected = pattern != null ? pattern.matches(e.key()) : Keys.isUnder(e.key(), prefixOrPattern);
            if (!selected) {
                continue;
            }
            if (page.size() == limit) {
                return new KvPage(page, page.get(page.size() - 1).key());
            }
            page.add(e);
        }
        return new KvPage(page, null);
    }

    @Override
    public synchronized void publish(String topic, JsonNode payload, String publisher) {
        published.add(new TopicEvent(topic, payload, publisher, System.currentTimeMillis()));
    }

    synchronized List<TopicEvent> published() {
        return List.copyOf(published);
    }
}
