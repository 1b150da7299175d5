package dev.pando.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.testkit.TestNode;
import java.util.function.Supplier;

/** The check every denial test makes: refused with the code and a reason, and nothing written. */
final class Refusals {
    private Refusals() {}

    /** Runs {@code call} against {@code node}, expects {@code code} with a message containing {@code why}, and the revision unchanged. */
    static void refused(TestNode node, ErrorCode code, String why, Supplier<?> call) {
        long before = node.node().store().lastRevision();
        assertThatThrownBy(call::get).isInstanceOfSatisfying(PandoException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(why);
        });
        assertThat(node.node().store().lastRevision()).as("revision unchanged").isEqualTo(before);
    }
}
