package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicLong;

/** Counters for one rule (kept across enable/disable), shown by {@code rules.get} and {@code rules.list}. */
final class RuleStats {
    final AtomicLong fired = new AtomicLong();
    final AtomicLong cooldownSkips = new AtomicLong();
    /** Firings skipped because the author lacked a right. */
    final AtomicLong forbidden = new AtomicLong();
    /** Firings refused by the cascade depth limit. */
    final AtomicLong depthLimited = new AtomicLong();
    /** {@code set_from_trigger} actions with no value to write (a transform found nothing). */
    final AtomicLong skippedActions = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    volatile long lastFiredAt;
    volatile String lastError;

    void error(String message) {
        errors.incrementAndGet();
        lastError = message;
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("fired", fired.get());
        o.put("lastFiredAt", lastFiredAt);
        o.put("cooldownSkips", cooldownSkips.get());
        o.put("forbidden", forbidden.get());
        o.put("depthLimited", depthLimited.get());
        o.put("skippedActions", skippedActions.get());
        o.put("errors", errors.get());
        o.put("lastError", lastError);
        return o;
    }
}
