package dev.pando.node.events;

import com.fasterxml.jackson.databind.JsonNode;

/** An ephemeral message on a topic (a path): delivered to current subscribers, never stored. */
public record Event(String topic, JsonNode payload, long timestamp, String publisher) {}
