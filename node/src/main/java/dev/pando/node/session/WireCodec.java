package dev.pando.node.session;

import dev.pando.api.ErrorCode;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.node.dispatch.Request;
import dev.pando.node.dispatch.Response;
import dev.pando.node.events.Fanout;
import io.netty.buffer.ByteBufAllocator;

/**
 * A session's wire format: what the connection reads becomes a {@link Request}, and responses,
 * pushes and session errors become what it writes (a message for the channel's pipeline, e.g. a
 * WebSocket frame). {@link ClientSession} knows nothing else of the wire, so a second format
 * (binary frames) is a second implementation of this interface. Implementations are stateless;
 * every method runs on the session's event loop.
 */
public interface WireCodec {

    /** Decodes one message read from the connection; the caller releases it afterwards. */
    Decoded decode(Object message);

    /**
     * A response to a request. Never throws: a response that cannot be encoded goes out as an
     * {@code INTERNAL} failure with the same id.
     */
    Object response(ByteBufAllocator alloc, Response response);

    /**
     * A change pushed for {@code subscription}; throws if it cannot be encoded (that push is
     * skipped). The change's own encoding is shared through the {@link Fanout}: made once for
     * every session that pushes it.
     */
    Object change(ByteBufAllocator alloc, String subscription, Fanout<KvChange> change);

    /** An event pushed for {@code subscription}, encoded once like a change; throws if it cannot be encoded. */
    Object event(ByteBufAllocator alloc, String subscription, Fanout<TopicEvent> event);

    /** An error about the session rather than one request, such as {@code SLOW_CONSUMER}. */
    Object sessionError(ByteBufAllocator alloc, ErrorCode code, String message);

    /** The message that ends the session for a policy reason (its token was revoked); the channel closes once it is written. */
    Object goodbye(String reason);

    /** What an inbound message turned out to be. */
    sealed interface Decoded permits Call, Refused, Ignored {}

    /** A request to run. */
    record Call(Request request) implements Decoded {}

    /** A message that is not a valid request: answered with {@code failure}, the session stays open. */
    record Refused(Response.Failure failure) implements Decoded {}

    /** A message that needs no answer. */
    record Ignored() implements Decoded {
        public static final Ignored INSTANCE = new Ignored();
    }
}
