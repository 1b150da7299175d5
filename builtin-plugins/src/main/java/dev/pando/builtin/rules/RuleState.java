package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An installed rule: the rule, who made it, and its runtime state (threshold memory, cooldown,
 * interval task). Replaced as a whole on put, enable and disable, so delayed actions of a
 * replaced rule can tell they are stale.
 */
final class RuleState {
    /** Keys whose threshold side is remembered per rule; the oldest is forgotten beyond this. */
    static final int MAX_THRESHOLD_KEYS = 10_000;

    private final Rule rule;
    private final String author;
    private final long created;
    private final long updated;
    private final RuleStats stats;
    /** Per key: was the value beyond the threshold at its last update. */
    private final Map<String, Boolean> beyond = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_THRESHOLD_KEYS;
        }
    };
    private long lastFiredAt = Long.MIN_VALUE;
    private volatile Scheduler.Task interval;

    RuleState(Rule rule, String author, long created, long updated, RuleStats stats) {
        this.rule = rule;
        this.author = author;
        this.created = created;
        this.updated = updated;
        this.stats = stats;
    }

    Rule rule() {
        return rule;
    }

    String id() {
        return rule.id();
    }

    String author() {
        return author;
    }

    long created() {
        return created;
    }

    RuleStats stats() {
        return stats;
    }

    /**
     * Records {@code x} for {@code key} and says how its side changed: {@link Move#CROSSED} when
     * beyond now and not beyond at the previous update. A key never seen counts as not beyond, so
     * the first value beyond the threshold crosses.
     */
    synchronized Move move(Trigger.OnThreshold t, String key, double x) {
        boolean now = t.beyond(x);
        boolean was = Boolean.TRUE.equals(beyond.put(key, now));
        return now == was ? Move.STAYED : now ? Move.CROSSED : Move.RETURNED;
    }

    /** What an update did to a key's side of the threshold. */
    enum Move { STAYED, CROSSED, RETURNED }

    /** Restores a key remembered beyond the threshold before a restart. */
    synchronized void rememberBeyond(String key) {
        beyond.put(key, true);
    }

    /** Claims a firing at {@code now} unless the previous one is less than the cooldown ago. */
    synchronized boolean claim(long now) {
        if (rule.cooldownMs() > 0 && lastFiredAt != Long.MIN_VALUE && now - lastFiredAt < rule.cooldownMs()) {
            return false;
        }
        lastFiredAt = now;
        return true;
    }

    /** Restores when the rule last fired, so its cooldown runs on across a restart. */
    synchronized void firedAt(long at) {
        lastFiredAt = at;
    }

    void interval(Scheduler.Task task) {
        this.interval = task;
    }

    /** Stops the interval, if any; pending delayed actions notice on their own. */
    void retire() {
        Scheduler.Task t = interval;
        if (t != null) {
            t.cancel();
        }
    }

    /** The stored form. */
    ObjectNode toStored() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("rule", rule.source());
        o.put("author", author);
        o.put("created", created);
        o.put("updated", updated);
        return o;
    }

    /** What {@code rules.get} and {@code rules.list} show. */
    ObjectNode toView() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", rule.id());
        o.put("enabled", rule.enabled());
        o.put("author", author);
        o.put("created", created);
        o.put("updated", updated);
        o.set("rule", rule.source());
        o.set("stats", stats.toJson());
        return o;
    }
}
