package dev.pando.api.plugin;

import java.util.List;

/** One page of a scan; {@code next} is null on the last page. */
public record KvPage(List<KvEntry> entries, String next) {

    public KvPage {
        entries = List.copyOf(entries);
    }
}
