package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;

/** A committed write; {@code value} is null for a delete. */
public record KvChange(String key, JsonNode value, long revision, long timestamp, String origin, String writer) {

    public boolean isDelete() {
        return value == null;
    }
}
