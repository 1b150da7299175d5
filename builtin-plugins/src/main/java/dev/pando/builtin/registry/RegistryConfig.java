package dev.pando.builtin.registry;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The registry's limits, read from its {@code config} (manifest defaults overlaid by the
 * operator's {@code registry.config.json}); every one has a named default here.
 *
 * @param challengeTtlMs     how long a challenge may be answered ({@code challenge_ttl_ms})
 * @param maxChallenges      outstanding challenges per entity; more are {@code RATE_LIMITED} ({@code max_challenges})
 * @param tokenTtlMs         how long a token is honoured ({@code token_ttl_ms})
 * @param maxTokens          live tokens per entity; a new one past this retires the oldest ({@code max_tokens})
 */
record RegistryConfig(long challengeTtlMs, int maxChallenges, long tokenTtlMs, int maxTokens) {

    static final long DEFAULT_CHALLENGE_TTL_MS = 60_000;
    static final int DEFAULT_MAX_CHALLENGES = 8;
    static final long DEFAULT_TOKEN_TTL_MS = 86_400_000;
    static final int DEFAULT_MAX_TOKENS = 16;

    /** Absent keys take their defaults; a present key that is not a positive integer fails the start, naming it. */
    static RegistryConfig from(JsonNode config) {
        return new RegistryConfig(
                positive(config, "challenge_ttl_ms", DEFAULT_CHALLENGE_TTL_MS, Long.MAX_VALUE / 2),
                (int) positive(config, "max_challenges", DEFAULT_MAX_CHALLENGES, 1024),
                positive(config, "token_ttl_ms", DEFAULT_TOKEN_TTL_MS, Long.MAX_VALUE / 2),
                (int) positive(config, "max_tokens", DEFAULT_MAX_TOKENS, 1024));
    }

    private static long positive(JsonNode config, String key, long fallback, long max) {
        JsonNode v = config == null ? null : config.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1 || v.asLong() > max) {
            throw new IllegalArgumentException("registry config '" + key + "' must be an integer between 1 and " + max + ", got " + v);
        }
        return v.asLong();
    }
}
