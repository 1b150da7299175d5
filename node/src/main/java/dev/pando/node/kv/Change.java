package dev.pando.node.kv;

import com.fasterxml.jackson.databind.JsonNode;

/** One committed write as it appears in the change feed; {@code value} is null for a delete. */
public record Change(String key, JsonNode value, long revision, long timestamp, String origin, String writer) {

    public boolean isDelete() {
        return value == null;
    }

    /** The state entry this change leaves behind (not meaningful for deletes). */
    public Entry toEntry() {
        return new Entry(key, value, revision, timestamp, origin, writer);
    }
}
