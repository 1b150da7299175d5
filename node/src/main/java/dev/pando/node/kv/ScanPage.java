package dev.pando.node.kv;

import dev.pando.api.plugin.KvEntry;
import java.util.List;

/**
 * One page of a scan. {@code cursor} is an opaque continuation token, null when the scan is
 * complete. A page may hold fewer than {@code limit} entries and still have a cursor (the store
 * bounds how many non-matching keys one page may examine).
 */
public record ScanPage(List<KvEntry> entries, String cursor) {
    public ScanPage {
        entries = List.copyOf(entries);
    }
}
