package dev.pando.builtin.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.plugin.KvChange;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeJsonTest {
    private static KvChange change(int n, int valueChars) {
        return new KvChange("/k/" + n, TextNode.valueOf("\u00e9".repeat(valueChars)), n, 0, "node-a", "w", n);
    }

    @Test
    void aMessageHoldsTheChangesThatFitInItsBudgetCountedInBytesAndAlwaysTheFirst() {
        // Each value: 50,000 two-byte characters, about 100 KB of JSON: two fit in 256 KiB, three do not.
        List<KvChange> large = List.of(change(1, 50_000), change(2, 50_000), change(3, 50_000), change(4, 10));
        assertThat(ChangeJson.fitting(large)).extracting(KvChange::revision).containsExactly(1L, 2L);
        assertThat(ChangeJson.fitting(large.subList(2, 4))).extracting(KvChange::revision).containsExactly(3L, 4L);

        KvChange huge = change(5, ChangeJson.MAX_BATCH_BYTES);
        assertThat(ChangeJson.fitting(List.of(huge, change(6, 1)))).as("a change over the budget travels alone").containsExactly(huge);
        List<KvChange> small = List.of(new KvChange("/s", IntNode.valueOf(1), 7, 0, "node-a", "w", 7));
        assertThat(ChangeJson.fitting(small)).isEqualTo(small);
        assertThat(ChangeJson.fitting(List.of())).isEmpty();
    }
}
