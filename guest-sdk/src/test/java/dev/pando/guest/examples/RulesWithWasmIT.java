package dev.pando.guest.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.client.PandoClient;
import dev.pando.guest.GuestBuild;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.plugins.PluginState;
import dev.pando.testkit.TestNode;
import dev.pando.testkit.Watch;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The rules builtin and a WASM plugin reacting to each other in one node: a rule turns a raw
 * input into a sensor reading, which the thermostat (Rust, WASM) reacts to; its alert, a
 * change made by a WASM plugin, triggers a second rule.
 */
class RulesWithWasmIT {
    private static final Duration BOUND = Duration.ofSeconds(10);

    @Test
    void ruleFeedsTheWasmPluginWhoseOutputFeedsAnotherRule() {
        Path thermostat = GuestBuild.signedPlugin("thermostat", GuestBuild.RUST);
        try (TestNode node = TestNode.builder().builtins("rules").with(NodeConfig.TRUSTED_KEYS, GuestBuild.trustedKeys().toString()).start()) {
            assertThat(node.install(thermostat).action()).isEqualTo(PluginState.LOADED);
            PandoClient admin = node.adminClient();
            // Raw ADC counts on /inputs/<sensor> become degrees on /sensors/<sensor>: c = raw / 10.
            admin.call("rules.put", Examples.json("""
                    {"rule": {"id": "adc-kitchen", "trigger": {"type": "on_change", "pattern": "/inputs/kitchen"},
                              "actions": [{"type": "set_from_trigger", "key": "/sensors/kitchen",
                                           "transform": {"scale": {"factor": 0.1}}}]}}"""));
            // Any thermostat alert switches the siren on.
            admin.call("rules.put", Examples.json("""
                    {"rule": {"id": "siren", "trigger": {"type": "on_change", "pattern": "/alerts/**"},
                              "conditions": [{"op": "ne", "value": false}],
                              "actions": [{"type": "set", "key": "/devices/siren", "value": true}]}}"""));
            try (Watch watch = node.watch("/**")) {
                admin.set("/inputs/kitchen", Examples.json("355"));
                JsonNode reading = watch.awaitChange("/sensors/kitchen", BOUND);
                assertThat(reading.path("value").asDouble()).isEqualTo(35.5);
                assertThat(reading.path("writer").asText()).isEqualTo("plugin:rules/rule:adc-kitchen");
                JsonNode alert = watch.awaitChange("/alerts/kitchen", BOUND);
                assertThat(alert.path("writer").asText()).as("the WASM plugin reacted to the rule's write").isEqualTo("plugin:thermostat");
                assertThat(alert.path("value").path("c").asDouble()).isEqualTo(35.5);
                JsonNode siren = watch.awaitChange("/devices/siren", BOUND);
                assertThat(siren.path("value").asBoolean()).isTrue();
                assertThat(siren.path("writer").asText()).as("a rule reacted to the WASM plugin's write").isEqualTo("plugin:rules/rule:siren");
            }
        }
    }
}
