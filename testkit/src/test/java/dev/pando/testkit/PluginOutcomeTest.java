package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.node.plugins.PluginState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PluginOutcomeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsTheOutcomesOfAReportByFile() throws Exception {
        JsonNode report = JSON.readTree("""
                {"generation": 3, "outcomes": [
                  {"id": "echo", "file": "echo.wasm", "action": "unloaded", "version": null, "previousVersion": "1.0.0"},
                  {"id": "mirror", "file": "echo.wasm", "action": "loaded", "version": "1.0.0"},
                  {"id": null, "file": "bad.wasm", "action": "failed", "version": null, "error": "UNSIGNED: no signature"}]}""");
        List<PluginOutcome> echo = TestNode.outcomes(report, "echo.wasm");
        assertThat(echo).extracting(PluginOutcome::id, PluginOutcome::action, PluginOutcome::serving)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Optional.of("echo"), PluginState.UNLOADED, false),
                        org.assertj.core.groups.Tuple.tuple(Optional.of("mirror"), PluginState.LOADED, true));
        assertThat(echo.get(0).version()).isEmpty();
        assertThat(echo.get(1).version()).contains("1.0.0");

        PluginOutcome bad = TestNode.outcomes(report, "bad.wasm").get(0);
        assertThat(bad.id()).isEmpty();
        assertThat(bad.action()).isEqualTo(PluginState.FAILED);
        assertThat(bad.serving()).isFalse();
        assertThat(bad.error()).contains("UNSIGNED: no signature");
        assertThat(bad.json()).isSameAs(report.path("outcomes").get(2));
        assertThat(TestNode.outcomes(report, "none.wasm")).isEmpty();
    }
}
