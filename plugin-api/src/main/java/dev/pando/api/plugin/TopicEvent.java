package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;

/** An ephemeral published event. */
public record TopicEvent(String topic, JsonNode payload, String publisher, long timestamp) {}
