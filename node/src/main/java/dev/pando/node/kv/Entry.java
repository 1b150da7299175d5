package dev.pando.node.kv;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A stored value with its metadata. {@code revision} is node-wide and strictly increasing;
 * {@code origin} is the id of the node that first accepted the write; {@code writer} the
 * principal that made it.
 */
public record Entry(String key, JsonNode value, long revision, long timestamp, String origin, String writer) {}
