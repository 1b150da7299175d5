package dev.pando.node.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** One enum, the protocol's two spellings. */
class PluginStateTest {

    @Test
    void reportsSpellTheirActionsInLowerCaseInTheProtocolsOrder() {
        assertThat(PluginState.REPORTED).extracting(PluginState::reportName)
                .containsExactly("loaded", "replaced", "unloaded", "unchanged", "failed");
        PluginState.REPORTED.forEach(s -> assertThat(PluginState.ofReportName(s.reportName())).isEqualTo(s));
        assertThatThrownBy(() -> PluginState.ofReportName("serving")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theListingWritesServingAsLoaded() {
        assertThat(PluginState.SERVING.listingName()).isEqualTo("LOADED");
        assertThat(PluginState.FAILED.listingName()).isEqualTo("FAILED");
    }

    @Test
    void anAppliedOutcomeIsNeverAFailure() {
        assertThatThrownBy(() -> new ReloadOutcome.Applied(PluginState.FAILED, "a", "a.jar", java.util.Optional.empty(),
                java.util.Optional.empty())).isInstanceOf(IllegalArgumentException.class);
        assertThat(ReloadOutcome.unloaded("a", "a.jar", "1.0.0").version()).isEmpty();
    }
}
