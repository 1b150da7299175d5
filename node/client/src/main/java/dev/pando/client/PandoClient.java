package dev.pando.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Request/response client for a Pando node over HTTP ({@code POST /v1/ops/{op}}). Thread-safe;
 * one instance can serve a whole application. {@link #connect} opens nothing yet: connections
 * are made (and kept alive) on the first call, so an unreachable node shows up as a
 * {@link PandoConnectionException} from the first call.
 *
 * <p>Every method throws the {@link PandoException} the node reported when it answers
 * {@code ok:false}, and a {@link PandoConnectionException} (a {@code PandoException} with code
 * {@code UNAVAILABLE}) when it cannot be reached or the answer is lost.
 */
public final class PandoClient implements AutoCloseable {
    /** Where {@code pando serve} listens by default. */
    public static final URI DEFAULT_URL = URI.create("http://127.0.0.1:7330");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Entries asked for per {@code kv.scan} page while following cursors. */
    static final int SCAN_PAGE = 1000;

    // HTTP/1.1 on purpose: the JDK's default HTTP/2 mode sends an h2c upgrade the node does not speak.
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final URI base;
    private final String token;
    private final Duration timeout;
    private volatile boolean closed;

    private PandoClient(URI base, String token, Duration timeout) {
        this.base = Endpoints.httpBase(Objects.requireNonNull(base, "base"));
        this.token = token == null || token.isEmpty() ? null : token;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * A client for the node at {@code base} ({@code http://127.0.0.1:7330}).
     *
     * @param tokenOrNull bearer token, or null for anonymous (open mode)
     */
    public static PandoClient connect(URI base, String tokenOrNull) {
        return connect(base, tokenOrNull, DEFAULT_TIMEOUT);
    }

    /** As {@link #connect(URI, String)}, failing calls that get no answer within {@code requestTimeout}. */
    public static PandoClient connect(URI base, String tokenOrNull, Duration requestTimeout) {
        return new PandoClient(base, tokenOrNull, requestTimeout);
    }

    /** The node's base URL, normalised ({@code http://host:port}). */
    public URI baseUri() {
        return base;
    }

    /**
     * Calls {@code op} with {@code args} (null means {@code {}}) and returns its {@code result}.
     *
     * @throws PandoException           the node answered {@code ok:false}
     * @throws PandoConnectionException the node could not be reached or did not answer
     */
    public JsonNode call(String op, JsonNode args) {
        if (closed) {
            throw new IllegalStateException("PandoClient is closed");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(Endpoints.opUri(base, op))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(args == null ? object() : args)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw PandoConnectionException.unreachable(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PandoConnectionException("interrupted while waiting for " + op + " from node at " + base, e);
        }
        return Envelope.fromHttp(response.statusCode(), response.body(), response.headers().firstValue("Retry-After"));
    }

    /** {@code kv.get}: the entry {@code {key, value, revision, timestamp, origin, writer}}; NOT_FOUND if absent. */
    public JsonNode get(String key) {
        return call("kv.get", object().put("key", key));
    }

    /** {@code kv.get}, with absence as an empty Optional instead of NOT_FOUND. */
    public Optional<JsonNode> find(String key) {
        try {
            return Optional.of(get(key));
        } catch (PandoException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** {@code kv.set}, last writer wins: {@code {key, revision, timestamp}}. */
    public JsonNode set(String key, JsonNode value) {
        return call("kv.set", setArgs(key, value));
    }

    /**
     * {@code kv.set} as compare-and-set: applies only if the key's revision is {@code ifRevision}
     * ({@code 0}: only if the key does not exist), else CONFLICT.
     */
    public JsonNode set(String key, JsonNode value, long ifRevision) {
        return call("kv.set", setArgs(key, value).put("ifRevision", ifRevision));
    }

    /** {@code kv.delete}: {@code {key, revision}}; NOT_FOUND if absent. */
    public JsonNode delete(String key) {
        return call("kv.delete", object().put("key", key));
    }

    /** {@code kv.delete} only if the key's revision is {@code ifRevision}, else CONFLICT. */
    public JsonNode delete(String key, long ifRevision) {
        return call("kv.delete", object().put("key", key).put("ifRevision", ifRevision));
    }

    /**
     * Every entry under a prefix ({@code /site-a}) or matching a pattern ({@code /site-a/*}/temp),
     * following cursors to the end. For large spaces prefer {@link #scan(String, long, Consumer)}.
     */
    public List<JsonNode> scan(String prefixOrPattern) {
        List<JsonNode> all = new ArrayList<>();
        scan(prefixOrPattern, Long.MAX_VALUE, all::add);
        return all;
    }

    /**
     * Streams up to {@code max} entries to {@code onEntry}, page by page, following cursors.
     * An argument containing {@code *} is sent as a pattern, anything else as a prefix.
     *
     * @return the number of entries delivered
     */
    public long scan(String prefixOrPattern, long max, Consumer<JsonNode> onEntry) {
        ObjectNode args = scanArgs(prefixOrPattern);
        long delivered = 0;
        String cursor = null;
        while (delivered < max) {
            args.put("limit", (int) Math.min(SCAN_PAGE, max - delivered));
            if (cursor != null) {
                args.put("cursor", cursor);
            }
            JsonNode page = call("kv.scan", args);
            for (JsonNode entry : page.path("entries")) {
                if (delivered == max) {
                    break;
                }
                onEntry.accept(entry);
                delivered++;
            }
            JsonNode next = page.get("cursor");
            if (next == null || next.isNull()) {
                break;
            }
            if (next.asText().equals(cursor)) {
                // A node handing back the same cursor would make us loop forever.
                throw new PandoException(ErrorCode.INTERNAL, "node returned the same scan cursor twice: " + cursor);
            }
            cursor = next.asText();
        }
        return delivered;
    }

    /** {@code pubsub.publish}: delivers {@code payload} to subscribers of {@code topic}; returns how many got it. */
    public long publish(String topic, JsonNode payload) {
        ObjectNode args = object().put("topic", topic);
        args.set("payload", payload == null ? JsonNodeFactory.instance.nullNode() : payload);
        return call("pubsub.publish", args).path("delivered").asLong();
    }

    /** {@code node.info}: {@code {nodeId, version, revision, uptimeMs, generation, ops}}. */
    public JsonNode info() {
        return call("node.info", object());
    }

    /** {@code node.health}: {@code {status:"ok"}}. */
    public JsonNode health() {
        return call("node.health", object());
    }

    /** The {@code kv.scan} arguments for a prefix or (if it holds {@code *}) a pattern. */
    static ObjectNode scanArgs(String prefixOrPattern) {
        Objects.requireNonNull(prefixOrPattern, "prefixOrPattern");
        return object().put(prefixOrPattern.contains("*") ? "pattern" : "prefix", prefixOrPattern);
    }

    /** Releases nothing today (connections are pooled per JVM) but makes further calls fail. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "PandoClient[" + base + "]";
    }

    private static ObjectNode setArgs(String key, JsonNode value) {
        ObjectNode args = object().put("key", key);
        args.set("value", value == null ? JsonNodeFactory.instance.nullNode() : value);
        return args;
    }

    private static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return Envelope.JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
