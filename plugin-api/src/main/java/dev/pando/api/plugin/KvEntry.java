package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;

/** A stored entry: its value and where it came from. */
public record KvEntry(String key, JsonNode value, long revision, long timestamp, String origin, String writer) {}
