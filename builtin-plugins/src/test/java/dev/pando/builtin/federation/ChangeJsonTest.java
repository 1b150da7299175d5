package dev.pando.builtin.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.plugin.KvChange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeJsonTest {
    private static KvChange change(int n, int valueChars) {
        return new KvChange("/k/" + n, TextNode.valueOf("\u00e9".repeat(valueChars)), n, 0, "node-a", "w", n);
    }

    private static List<Long> revisions(ArrayNode message) {
        List<Long> out = new ArrayList<>();
        message.forEach(c -> out.add(c.get("revision").asLong()));
        return out;
    }

    @Test
    void aMessageHoldsTheChangesThatFitInItsBudgetCountedInBytesAndAlwaysTheFirst() {
        // Each value: 50,000 two-byte characters, about 100 KB of JSON: two fit in 256 KiB, three do not.
        List<KvChange> large = List.of(change(1, 50_000), change(2, 50_000), change(3, 50_000), change(4, 10));
        assertThat(revisions(ChangeJson.writeFitting(large))).containsExactly(1L, 2L);
        assertThat(revisions(ChangeJson.writeFitting(large.subList(2, 4)))).containsExactly(3L, 4L);

        KvChange huge = change(5, ChangeJson.MAX_BATCH_BYTES);
        assertThat(revisions(ChangeJson.writeFitting(List.of(huge, change(6, 1))))).as("a change over the budget travels alone")
                .containsExactly(5L);
        List<KvChange> small = List.of(new KvChange("/s", IntNode.valueOf(1), 7, 0, "node-a", "w", 7));
        assertThat(ChangeJson.writeFitting(small)).isEqualTo(ChangeJson.write(small));
        assertThat(ChangeJson.writeFitting(List.of())).isEmpty();
    }
}
