package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The rules plugin's limits, read from its {@code config} (manifest defaults overlaid by the
 * operator's {@code rules.config.json}). Every limit has a named default here so the code never
 * depends on the manifest carrying it.
 *
 * @param maxRules         rules stored at once ({@code max_rules})
 * @param maxActions       actions per rule, delays included ({@code max_actions})
 * @param maxConditions    conditions per rule ({@code max_conditions})
 * @param minIntervalMs    shortest {@code on_interval} period ({@code min_interval_ms})
 * @param maxDelayMs       longest single {@code delay} ({@code max_delay_ms})
 * @param maxCascadeDepth  rule writes that may follow one another ({@code max_cascade_depth})
 * @param maxPendingDelays delayed continuations waiting at once, over all rules ({@code max_pending_delays})
 */
public record RulesConfig(int maxRules, int maxActions, int maxConditions, long minIntervalMs, long maxDelayMs,
        int maxCascadeDepth, int maxPendingDelays) {

    public static final int DEFAULT_MAX_RULES = 1000;
    public static final int DEFAULT_MAX_ACTIONS = 32;
    public static final int DEFAULT_MAX_CONDITIONS = 32;
    public static final long DEFAULT_MIN_INTERVAL_MS = 100;
    public static final long DEFAULT_MAX_DELAY_MS = 3_600_000;
    public static final int DEFAULT_MAX_CASCADE_DEPTH = 8;
    public static final int DEFAULT_MAX_PENDING_DELAYS = 10_000;

    public static final RulesConfig DEFAULT = new RulesConfig(DEFAULT_MAX_RULES, DEFAULT_MAX_ACTIONS,
            DEFAULT_MAX_CONDITIONS, DEFAULT_MIN_INTERVAL_MS, DEFAULT_MAX_DELAY_MS, DEFAULT_MAX_CASCADE_DEPTH,
            DEFAULT_MAX_PENDING_DELAYS);

    /**
     * Reads the limits from {@code config}; absent keys take their defaults. A present key that is
     * not a positive integer fails the plugin's start, naming the key, rather than being ignored.
     */
    public static RulesConfig from(JsonNode config) {
        return new RulesConfig(
                (int) positive(config, "max_rules", DEFAULT_MAX_RULES, Integer.MAX_VALUE),
                (int) positive(config, "max_actions", DEFAULT_MAX_ACTIONS, Integer.MAX_VALUE),
                (int) positive(config, "max_conditions", DEFAULT_MAX_CONDITIONS, Integer.MAX_VALUE),
                positive(config, "min_interval_ms", DEFAULT_MIN_INTERVAL_MS, Long.MAX_VALUE),
                positive(config, "max_delay_ms", DEFAULT_MAX_DELAY_MS, Long.MAX_VALUE),
                (int) positive(config, "max_cascade_depth", DEFAULT_MAX_CASCADE_DEPTH, Integer.MAX_VALUE),
                (int) positive(config, "max_pending_delays", DEFAULT_MAX_PENDING_DELAYS, Integer.MAX_VALUE));
    }

    private static long positive(JsonNode config, String key, long fallback, long max) {
        JsonNode v = config == null ? null : config.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1 || v.asLong() > max) {
            throw new IllegalArgumentException("rules config '" + key + "' must be a positive integer, got " + v);
        }
        return v.asLong();
    }
}
