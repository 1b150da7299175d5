package dev.pando.builtin.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import org.junit.jupiter.api.Test;

class FederationConfigTest {
    private static ObjectNode hub() {
        return JsonNodeFactory.instance.objectNode().put("mode", "hub");
    }

    @Test
    void thePeerTimeoutDefaultsToTenSecondsAndMustOutlastAHeldPull() {
        assertThat(FederationConfig.parse(hub()).peerTimeoutMs()).isEqualTo(10_000);
        assertThat(FederationConfig.parse(hub().put("peer_timeout_ms", 300).put("pull_wait_ms", 100)).peerTimeoutMs()).isEqualTo(300);
        assertThatThrownBy(() -> FederationConfig.parse(hub().put("peer_timeout_ms", 250).put("pull_wait_ms", 250)))
                .isInstanceOfSatisfying(PandoException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("federation.peer-timeout-ms").contains("federation.pull-wait-ms");
                });
        assertThatThrownBy(() -> FederationConfig.parse(hub().put("peer_timeout_ms", 0))).isInstanceOf(PandoException.class)
                .hasMessageContaining("must be positive");
    }
}
