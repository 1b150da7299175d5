package dev.pando.it;

import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.client.PandoClient;
import dev.pando.testkit.TestNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A reader asking for many large values at once gets pages of about 4 MiB (the store's read byte
 * budget) with a cursor, not one answer holding them all: a scan of 10,000 values of 60 KB used
 * to make the node build a 600 MB answer, and ran a small heap out of memory.
 */
class LargeReadsIT {
    private static final int VALUES = 100;

    @Test
    void scansAndFeedReadsOfLargeValuesComeInPagesOfBoundedSize() {
        try (TestNode node = TestNode.builder().builtins().start()) {
            PandoClient c = node.adminClient();
            JsonNode large = TextNode.valueOf("v".repeat(60_000));
            for (int i = 0; i < VALUES; i++) {
                c.set(String.format("/large/%03d", i), large);
            }

            Set<String> keys = new HashSet<>();
            int pages = 0;
            String cursor = null;
            do {
                JsonNode page = c.call("kv.scan", cursor == null ? obj().put("prefix", "/large").put("limit", 1000)
                        : obj().put("prefix", "/large").put("limit", 1000).put("cursor", cursor));
                assertThat(page.path("entries").size()).as("a page holds about 4 MiB").isLessThan(80);
                page.path("entries").forEach(e -> keys.add(e.path("key").asText()));
                cursor = page.path("cursor").isNull() ? null : page.path("cursor").asText();
                pages++;
            } while (cursor != null);
            assertThat(keys).hasSize(VALUES);
            assertThat(pages).isGreaterThan(1);

            long after = 0;
            int changes = 0;
            while (true) {
                JsonNode read = c.call("kv.changes", obj().put("after", after).put("limit", 1000)).path("changes");
                if (read.isEmpty()) {
                    break;
                }
                assertThat(read.size()).isLessThan(80);
                changes += read.size();
                after = read.get(read.size() - 1).path("revision").asLong();
            }
            assertThat(changes).isEqualTo(VALUES);
        }
    }
}
