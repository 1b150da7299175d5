package dev.pando.builtin.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.plugin.KvChange;
import org.junit.jupiter.api.Test;

class ApplierTest {
    private static KvChange set(String origin, long originRevision) {
        return new KvChange("/k", IntNode.valueOf(1), 9, 0, origin, "w", originRevision);
    }

    private static KvChange delete(String origin, long originRevision) {
        return new KvChange("/k", NullNode.getInstance(), 9, 0, origin, "w", originRevision);
    }

    @Test
    void aChangeIsStaleAgainstTheSameOrANewerVersionOfItsOriginOnly() {
        assertThat(Applier.supersedes("nA", 5, false, set("nA", 5))).as("the same change again").isTrue();
        assertThat(Applier.supersedes("nA", 6, false, set("nA", 5))).as("an older one").isTrue();
        assertThat(Applier.supersedes("nA", 5, false, set("nA", 6))).as("a newer one").isFalse();
        assertThat(Applier.supersedes("nB", 9, false, set("nA", 5))).as("another origin's").isFalse();
        assertThat(Applier.supersedes("nA", 6, false, delete("nA", 6))).as("a real delete is newer than any value").isFalse();
    }

    @Test
    void aRetractionRemovesExactlyTheValueItNamesAndNothingLater() {
        assertThat(Applier.supersedes("nA", 5, false, delete("nA", 5))).as("retracting the value held").isFalse();
        assertThat(Applier.supersedes("nA", 5, true, delete("nA", 5))).as("a retraction replayed in one batch").isTrue();
        assertThat(Applier.supersedes("nA", 7, false, delete("nA", 5))).as("after a newer write of the key").isTrue();
    }
}
