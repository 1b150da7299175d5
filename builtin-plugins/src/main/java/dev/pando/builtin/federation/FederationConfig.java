package dev.pando.builtin.federation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The federation plugin's settings, from its config object (the node fills it from the
 * {@code federation.*} keys; see docs/federation.md). Every limit is here, with its default.
 *
 * @param hub        the hub a leaf (or a hub that is itself a leaf) connects to
 * @param namespaces what this node owns and offers upward (a leaf must own them in the hub's registry)
 * @param interests  what this node wants from its hub; defaults to everything ({@code /**})
 * @param peerTimeoutMs how long a leaf waits for any answer of its hub before it drops the session
 *                   as stalled (a slow or silent hub costs it a reconnect, never a growing backlog)
 */
record FederationConfig(Mode mode, Optional<URI> hub, List<PathPattern> namespaces, List<PathPattern> interests,
                        Optional<String> trustedPeers, Optional<String> token, int batchSize, int maxPatterns,
                        int maxPeers, int maxVectorEntries, long syncIntervalMs, long pullWaitMs, long peerTimeoutMs, Backoff backoff) {

    /** hub: accepts leaves; leaf: connects to one hub. A hub with {@code hub} set is also a leaf of that hub. */
    enum Mode { HUB, LEAF }

    /** Reconnection delays: {@code initial} doubling by {@code multiplier} up to {@code max}, with ±20% jitter; 0 attempts = forever. */
    record Backoff(long initialMs, long maxMs, double multiplier, int maxAttempts) {}

    static final int DEFAULT_MAX_PATTERNS = 1_000;

    static FederationConfig parse(JsonNode c) {
        Mode mode = switch (c.path("mode").asText("hub").toLowerCase(Locale.ROOT)) {
            case "hub" -> Mode.HUB;
            case "leaf" -> Mode.LEAF;
            default -> throw PandoException.badRequest("federation.mode must be hub or leaf, got '" + c.path("mode").asText() + "'");
        };
        Optional<URI> hub = text(c, "hub").map(URI::create);
        if (mode == Mode.LEAF && hub.isEmpty()) {
            throw PandoException.badRequest("federation.mode=leaf needs federation.hub (ws://host:port of the hub)");
        }
        int maxPatterns = positive(c, "max_patterns", DEFAULT_MAX_PATTERNS);
        List<PathPattern> namespaces = patterns(c.path("namespaces"), "namespaces", maxPatterns);
        if (hub.isPresent() && namespaces.isEmpty()) {
            throw PandoException.badRequest("federation.namespaces must name what this node owns (e.g. /site-a/**) when it connects to a hub");
        }
        List<PathPattern> interests = patterns(c.path("interests"), "interests", maxPatterns);
        if (interests.isEmpty()) {
            interests = List.of(PathPattern.compile("/**"));
        }
        Backoff backoff = new Backoff(positive(c, "reconnect_initial_ms", 200), positive(c, "reconnect_max_ms", 30_000),
                c.path("reconnect_multiplier").asDouble(2.0), c.path("reconnect_max_attempts").asInt(0));
        int pullWaitMs = positive(c, "pull_wait_ms", 250);
        int peerTimeoutMs = positive(c, "peer_timeout_ms", 10_000);
        if (peerTimeoutMs <= pullWaitMs) {
            throw PandoException.badRequest("federation.peer-timeout-ms (" + peerTimeoutMs + ") must exceed federation.pull-wait-ms ("
                    + pullWaitMs + "): a held pull would time out");
        }
        return new FederationConfig(mode, hub, namespaces, interests, text(c, "trusted_peers"), text(c, "token"),
                positive(c, "batch_size", 500), maxPatterns, positive(c, "max_peers", 16),
                positive(c, "max_vector_entries", 10_000), positive(c, "sync_interval_ms", 30_000), pullWaitMs, peerTimeoutMs, backoff);
    }

    private static Optional<String> text(JsonNode c, String field) {
        String t = c.path(field).asText("").trim();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }

    private static int positive(JsonNode c, String field, int dflt) {
        int v = c.path(field).asInt(dflt);
        if (v <= 0) {
            throw PandoException.badRequest("federation." + field.replace('_', '-') + " must be positive, got " + c.path(field));
        }
        return v;
    }

    /** A JSON array of patterns, or one comma-separated string of them (as a {@code --set} gives it). */
    static List<PathPattern> patterns(JsonNode node, String field, int max) {
        List<String> texts = new ArrayList<>();
        if (node.isTextual()) {
            for (String s : node.asText().split(",")) {
                if (!s.isBlank()) {
                    texts.add(s.trim());
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> texts.add(n.asText()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            throw PandoException.badRequest("federation." + field + " must be patterns, comma-separated or a list");
        }
        if (texts.size() > max) {
            throw PandoException.badRequest("federation." + field + " has " + texts.size() + " patterns; at most " + max + " (max_patterns)");
        }
        return texts.stream().map(PathPattern::compile).toList();
    }
}
