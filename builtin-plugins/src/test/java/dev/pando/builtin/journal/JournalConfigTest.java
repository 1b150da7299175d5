package dev.pando.builtin.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import org.junit.jupiter.api.Test;

class JournalConfigTest {
    private static ObjectNode config() {
        return JsonNodeFactory.instance.objectNode();
    }

    @Test
    void lingerDefaultsAndIsBounded() {
        assertThat(JournalConfig.parse(null).lingerMs()).isEqualTo(JournalConfig.DEFAULT_LINGER_MS);
        assertThat(JournalConfig.parse(config()).lingerMs()).isEqualTo(JournalConfig.DEFAULT_LINGER_MS);
        assertThat(JournalConfig.parse(config().put("lingerMs", 0)).lingerMs()).isZero();
        assertThat(JournalConfig.parse(config().put("lingerMs", 1_000)).lingerMs()).isEqualTo(1_000);
        for (ObjectNode bad : new ObjectNode[] {config().put("lingerMs", -1), config().put("lingerMs", 1_001), config().put("lingerMs", "5"),
                config().put("lingerMs", 2.5)}) {
            assertThatThrownBy(() -> JournalConfig.parse(bad)).as(bad.toString()).isInstanceOfSatisfying(PandoException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(e.getMessage()).contains("lingerMs").contains("0 to 1000");
            });
        }
        assertThatThrownBy(() -> JournalConfig.parse(config().put("linger", 5))).isInstanceOf(PandoException.class)
                .hasMessageContaining("known: retention, hmac, lingerMs");
    }
}
