package dev.pando.node.events;

import java.util.Objects;
import java.util.function.Function;

/**
 * One change or event on its way to every subscription it matches. It carries the bytes a wire
 * codec made of it, so the item is serialised once however many sessions push it: with 10,000
 * subscribers, one JSON encoding instead of 10,000.
 *
 * @param <T> a {@link dev.pando.api.plugin.KvChange} or a {@link dev.pando.api.plugin.TopicEvent}
 */
public final class Fanout<T> {
    private final T item;
    /** The first codec's encoding; sessions on the same codec share it. Racing encoders make equal bytes. */
    private volatile Encoded encoded;

    private record Encoded(Object codec, byte[] bytes) {}

    public Fanout(T item) {
        this.item = Objects.requireNonNull(item, "item");
    }

    public T item() {
        return item;
    }

    /**
     * {@code encoder}'s bytes for the item, made on the first call for {@code codec} and shared
     * after. The bytes must not be modified.
     */
    public byte[] encoded(Object codec, Function<T, byte[]> encoder) {
        Encoded e = encoded;
        if (e != null && e.codec() == codec) {
            return e.bytes();
        }
        byte[] bytes = encoder.apply(item);
        if (e == null) {
            encoded = new Encoded(codec, bytes);
        }
        return bytes;
    }
}
