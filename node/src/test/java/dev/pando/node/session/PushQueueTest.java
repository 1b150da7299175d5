package dev.pando.node.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.node.events.EventBus;
import dev.pando.node.events.Fanout;
import dev.pando.node.events.Subscriber;
import dev.pando.node.events.Subscription;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session's push queue on its own: the bound, held subscriptions, closed ones. */
class PushQueueTest {
    private final EventBus bus = new EventBus();

    private Subscription subscription() {
        return bus.subscribe(PathPattern.compile("/**"), true, true, mock(Subscriber.class));
    }

    private static KvChange change(long revision) {
        return new KvChange("/k", IntNode.valueOf((int) revision), revision, revision, "node", "w");
    }

    private static List<Long> revisions(PushQueue q) {
        List<Long> out = new ArrayList<>();
        Push p;
        while ((p = q.poll()) != null) {
            out.add(p instanceof Push.OfChange c ? c.change().item().revision() : -1L);
        }
        return out;
    }

    @Test
    void aFullQueueRefusesUntilPushesAreTaken() {
        PushQueue q = new PushQueue(2);
        Subscription s = subscription();
        q.release(q.delivery(s));
        assertThat(q.offerChange(s, new Fanout<>(change(1)))).isTrue();
        assertThat(q.offerEvent(s, new Fanout<>(new TopicEvent("/t", IntNode.valueOf(1), 1, "p")))).isTrue();
        assertThat(q.offerChange(s, new Fanout<>(change(3)))).as("over capacity").isFalse();
        assertThat(q.poll()).isNotNull();
        assertThat(q.offerChange(s, new Fanout<>(change(4)))).as("room again once one is taken").isTrue();
    }

    @Test
    void aHeldSubscriptionsPushesWaitAndThenGoFirstInOrder() {
        PushQueue q = new PushQueue(100);
        Subscription held = subscription();
        Subscription open = subscription();
        q.release(q.delivery(open));
        q.offerChange(held, new Fanout<>(change(1)));
        q.offerChange(open, new Fanout<>(change(2)));
        q.offerChange(held, new Fanout<>(change(3)));
        assertThat(revisions(q)).as("the held ones are parked").containsExactly(2L);

        assertThat(q.release(q.delivery(held))).isTrue();
        assertThat(q.release(q.delivery(held))).as("only once").isFalse();
        q.offerChange(open, new Fanout<>(change(4)));
        assertThat(revisions(q)).containsExactly(1L, 3L, 4L);
    }

    @Test
    void pushesOfClosedSubscriptionsAreDroppedAndFreeTheirRoom() {
        PushQueue q = new PushQueue(3);
        Subscription gone = subscription();
        Subscription parked = subscription();
        Subscription open = subscription();
        q.release(q.delivery(gone));
        q.release(q.delivery(open));
        q.offerChange(gone, new Fanout<>(change(1)));
        q.offerChange(parked, new Fanout<>(change(2)));
        q.offerChange(open, new Fanout<>(change(3)));
        assertThat(q.offerChange(open, new Fanout<>(change(4)))).isFalse();

        gone.close();
        parked.close();
        q.purgeClosed();
        assertThat(q.offerChange(open, new Fanout<>(change(5)))).isTrue();
        assertThat(q.offerChange(open, new Fanout<>(change(6)))).isTrue();
        assertThat(revisions(q)).containsExactly(3L, 5L, 6L);
    }
}
