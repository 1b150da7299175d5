package dev.pando.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.client.PandoConnectionException;
import dev.pando.client.PandoWebSocket;
import dev.pando.client.SubscribeOptions;
import dev.pando.client.Subscription;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A WebSocket subscription that queues what the node pushes, so a test can wait, with a bound, for
 * the change or event it expects. Made by {@link TestNode#watch(String)}; the node confirmed the
 * subscription before that returned, so every change committed and every event published
 * afterwards is seen.
 *
 * <p>The {@code await*} methods take frames off the queue in arrival order: frames that do not
 * match are <em>skipped</em> (consumed and dropped) until one matches, which is returned. On
 * timeout they throw an {@link AssertionError} listing the frames that were received (and skipped)
 * while waiting. A subscription that ends (the node dropped it as {@code SLOW_CONSUMER}, the node
 * stopped or was {@linkplain TestNode#restart() restarted}) fails every later wait at once.
 *
 * <p>Not thread-safe: wait on it from one test thread.
 */
public final class Watch implements AutoCloseable {
    /** The bound of the {@code await*} methods that take none. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final int LISTED = 20;

    private final String pattern;
    private final LinkedBlockingDeque<JsonNode> frames = new LinkedBlockingDeque<>();
    private final PandoWebSocket ws;
    private final Subscription subscription;

    private Watch(URI url, String token, String pattern, SubscribeOptions options) {
        this.pattern = pattern;
        this.ws = PandoWebSocket.connect(url, token, new PandoWebSocket.Listener() {
            @Override
            public void onClosed(PandoConnectionException error) {
                ObjectNode f = JsonNodeFactory.instance.objectNode().put("type", "closed");
                f.put("reason", error == null ? "the watch was closed" : error.getMessage());
                frames.add(f);
            }
        });
        try {
            this.subscription = ws.subscribe(pattern, options, frames::add);
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    /** Opens a session with {@code token} (null: anonymous) and subscribes to {@code pattern}. */
    public static Watch open(URI url, String token, String pattern, SubscribeOptions options) {
        return new Watch(Objects.requireNonNull(url, "url"), token, Objects.requireNonNull(pattern, "pattern"),
                Objects.requireNonNull(options, "options"));
    }

    /** The pattern watched. */
    public String pattern() {
        return pattern;
    }

    /** The node's confirmation: subscription id, the revision it started at, the snapshot if asked for. */
    public Subscription subscription() {
        return subscription;
    }

    /** {@link #awaitChange(String, Duration)} bounded by {@link #DEFAULT_TIMEOUT}. */
    public JsonNode awaitChange(String key) {
        return awaitChange(key, DEFAULT_TIMEOUT);
    }

    /**
     * Waits for the next change to exactly {@code key} and returns its {@code change} object
     * ({@code key, value, revision, timestamp, origin, writer}; {@code value} is null for a
     * delete). Changes to other keys and events received meanwhile are skipped.
     */
    public JsonNode awaitChange(String key, Duration timeout) {
        Objects.requireNonNull(key, "key");
        return awaitChange("a change to " + key, c -> key.equals(c.path("key").asText(null)), timeout);
    }

    /** Waits for the next change whose {@code change} object matches; returns that object. */
    public JsonNode awaitChange(Predicate<JsonNode> match, Duration timeout) {
        return awaitChange("a matching change", match, timeout);
    }

    /** Waits for the next change whose {@code change} object matches; {@code what} names it in the failure. */
    public JsonNode awaitChange(String what, Predicate<JsonNode> match, Duration timeout) {
        return awaitFrame(what, f -> "change".equals(f.path("type").asText()) && match.test(f.path("change")), timeout).path("change");
    }

    /** {@link #awaitEvent(String, Duration)} bounded by {@link #DEFAULT_TIMEOUT}. */
    public JsonNode awaitEvent(String topic) {
        return awaitEvent(topic, DEFAULT_TIMEOUT);
    }

    /**
     * Waits for the next event published to exactly {@code topic} and returns its {@code event}
     * object ({@code topic, payload, timestamp, publisher}). Other frames are skipped.
     */
    public JsonNode awaitEvent(String topic, Duration timeout) {
        Objects.requireNonNull(topic, "topic");
        return awaitEvent("an event on " + topic, e -> topic.equals(e.path("topic").asText(null)), timeout);
    }

    /** Waits for the next event whose {@code event} object matches; returns that object. */
    public JsonNode awaitEvent(Predicate<JsonNode> match, Duration timeout) {
        return awaitEvent("a matching event", match, timeout);
    }

    /** Waits for the next event whose {@code event} object matches; {@code what} names it in the failure. */
    public JsonNode awaitEvent(String what, Predicate<JsonNode> match, Duration timeout) {
        return awaitFrame(what, f -> "event".equals(f.path("type").asText()) && match.test(f.path("event")), timeout).path("event");
    }

    /**
     * Waits for the next pushed frame (whole: {@code {"type": ..., "sub": ..., ...}}) that
     * matches; the general form of the other {@code await*} methods.
     *
     * @throws AssertionError after {@code timeout}, or when the subscription has ended, listing
     *                        the frames received while waiting
     */
    public JsonNode awaitFrame(String what, Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> skipped = new ArrayList<>();
        while (true) {
            JsonNode f = poll(deadline - System.nanoTime(), what);
            if (f == null) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what + " on watch '" + pattern + "'; "
                        + describe(skipped));
            }
            if (ended(f)) {
                frames.addFirst(f); // every later wait fails at once too
                throw new AssertionError("gave up waiting for " + what + " on watch '" + pattern + "': the subscription ended (" + f + "); "
                        + describe(skipped));
            }
            if (match.test(f)) {
                return f;
            }
            skipped.add(f);
        }
    }

    /**
     * Asserts that nothing is pushed for {@code period}: fails at the first change or event,
     * naming it. Use it to check that something did <em>not</em> happen (as far as waiting
     * {@code period} can tell).
     */
    public void assertQuiet(Duration period) {
        long deadline = System.nanoTime() + period.toNanos();
        JsonNode f = poll(deadline - System.nanoTime(), "quiet");
        if (f == null) {
            return;
        }
        if (ended(f)) {
            frames.addFirst(f);
            throw new AssertionError("watch '" + pattern + "' ended while it should have stayed quiet: " + f);
        }
        List<JsonNode> received = new ArrayList<>();
        received.add(f);
        frames.drainTo(received);
        throw new AssertionError("watch '" + pattern + "' should have stayed quiet for " + period.toMillis() + " ms; "
                + describe(received));
    }

    /** Takes every frame queued so far, without waiting (whole frames, oldest first). */
    public List<JsonNode> drain() {
        List<JsonNode> out = new ArrayList<>();
        frames.drainTo(out);
        out.stream().filter(Watch::ended).findFirst().ifPresent(frames::add);
        out.removeIf(Watch::ended);
        return out;
    }

    /** Closes the session (and with it the subscription). */
    @Override
    public void close() {
        ws.close();
    }

    @Override
    public String toString() {
        return "Watch[" + pattern + ", " + frames.size() + " queued]";
    }

    private JsonNode poll(long nanos, String what) {
        try {
            return frames.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what + " on watch '" + pattern + "'", e);
        }
    }

    /** A session end or an {@code error} frame (SLOW_CONSUMER: the node dropped the subscription). */
    private static boolean ended(JsonNode frame) {
        String type = frame.path("type").asText();
        return type.equals("closed") || type.equals("error");
    }

    private static String describe(List<JsonNode> received) {
        if (received.isEmpty()) {
            return "nothing else was received";
        }
        StringBuilder s = new StringBuilder("received " + received.size() + (received.size() == 1 ? " frame" : " frames") + ":");
        for (int i = 0; i < Math.min(LISTED, received.size()); i++) {
            s.append("\n  ").append(received.get(i));
        }
        if (received.size() > LISTED) {
            s.append("\n  ... and ").append(received.size() - LISTED).append(" more");
        }
        return s.toString();
    }
}
