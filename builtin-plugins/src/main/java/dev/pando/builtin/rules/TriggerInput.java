package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;

/**
 * What a rule is evaluated against: a change, an event or an interval tick.
 *
 * @param path     the changed key or the event's topic; null for a tick
 * @param value    the new value (null for a delete or a tick) or the event's payload
 * @param writer   who wrote or published it, for loop prevention; null for a tick
 * @param revision the change's revision; 0 for events and ticks
 */
record TriggerInput(Kind kind, String path, JsonNode value, String writer, long revision) {

    enum Kind {
        CHANGE,
        EVENT,
        TICK
    }

    static TriggerInput of(KvChange change) {
        return new TriggerInput(Kind.CHANGE, change.key(), change.isDelete() ? null : change.value(), change.writer(), change.revision());
    }

    static TriggerInput of(TopicEvent event) {
        return new TriggerInput(Kind.EVENT, event.topic(), event.payload(), event.publisher(), 0);
    }

    static TriggerInput tick() {
        return new TriggerInput(Kind.TICK, null, null, null, 0);
    }
}
