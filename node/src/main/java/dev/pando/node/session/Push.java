package dev.pando.node.session;

import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.node.events.Fanout;
import io.netty.buffer.ByteBufAllocator;

/** One queued push: a change or an event, for one subscription of a session. */
sealed interface Push permits Push.OfChange, Push.OfEvent {

    PushQueue.Delivery to();

    /** The message to write, in the session's wire format. */
    Object encode(WireCodec codec, ByteBufAllocator alloc);

    record OfChange(PushQueue.Delivery to, Fanout<KvChange> change) implements Push {
        @Override
        public Object encode(WireCodec codec, ByteBufAllocator alloc) {
            return codec.change(alloc, to.subscription.id(), change);
        }
    }

    record OfEvent(PushQueue.Delivery to, Fanout<TopicEvent> event) implements Push {
        @Override
        public Object encode(WireCodec codec, ByteBufAllocator alloc) {
            return codec.event(alloc, to.subscription.id(), event);
        }
    }
}
