package dev.pando.guest.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.client.PandoClient;
import dev.pando.guest.GuestBuild;
import dev.pando.testkit.TestNode;
import dev.pando.testkit.Watch;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * guest-sdk/examples/thermostat (Rust): reacts to sensor changes by setting and clearing
 * {@code /alerts/...} and publishing on {@code /thermostat/alerts}, once per crossing.
 */
class ThermostatExampleIT {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private Path plugin;
    private TestNode node;
    private PandoClient client;

    @BeforeEach
    void start() {
        plugin = GuestBuild.signedPlugin("thermostat", GuestBuild.RUST);
        node = Examples.nodeWith(plugin);
        client = node.adminClient();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private void sensor(String key, String value) {
        client.set(key, Examples.json(value));
    }

    @Test
    void alertsOnceWhenTheThresholdIsCrossedAndClearsWhenItFalls() {
        try (Watch alerts = node.watch("/alerts/**"); Watch events = node.watch("/thermostat/alerts")) {
            sensor("/sensors/kitchen", "{\"c\":25}");
            sensor("/sensors/kitchen", "{\"c\":35.5}");
            JsonNode set = alerts.awaitChange("/alerts/kitchen", BOUND);
            // the first alert is the crossing to 35.5; 25 raised none
            assertThat(set.path("value").path("c").asDouble()).isEqualTo(35.5);
            assertThat(set.path("value").path("threshold").asDouble()).isEqualTo(30);
            assertThat(set.path("value").path("sensor").asText()).isEqualTo("/sensors/kitchen");
            assertThat(set.path("value").path("since").isIntegralNumber()).isTrue();
            assertThat(set.path("writer").asText()).isEqualTo("plugin:thermostat");
            JsonNode alert = events.awaitEvent("/thermostat/alerts", BOUND);
            assertThat(alert.path("payload").path("state").asText()).isEqualTo("alert");
            assertThat(alert.path("payload").path("sensor").asText()).isEqualTo("/sensors/kitchen");

            sensor("/sensors/kitchen", "{\"c\":36}"); // still hot: no second alert
            sensor("/sensors/kitchen", "21");         // a bare number is a reading too
            JsonNode cleared = alerts.awaitChange("/alerts/kitchen", BOUND);
            assertThat(cleared.path("value").isNull()).as("the alert is deleted: %s", cleared).isTrue();
            JsonNode clear = events.awaitEvent("/thermostat/alerts", BOUND);
            assertThat(clear.path("payload").path("state").asText()).as("no event between alert and clear").isEqualTo("clear");
            assertThat(clear.path("payload").path("c").asDouble()).isEqualTo(21);
        }
        assertThat(client.find("/alerts/kitchen")).isEmpty();
    }

    @Test
    void nestedSensorsIgnoredValuesAndDeletes() {
        try (Watch alerts = node.watch("/alerts/**")) {
            sensor("/sensors/floor1/hall", "\"hot\"");        // not a reading: ignored
            sensor("/sensors/floor1/hall", "{\"humidity\":90}"); // no "c": ignored
            sensor("/sensors/floor1/hall", "{\"c\":41}");
            JsonNode set = alerts.awaitChange("/alerts/floor1/hall", BOUND);
            assertThat(set.path("value").path("c").asDouble()).isEqualTo(41);
            client.delete("/sensors/floor1/hall");
            assertThat(alerts.awaitChange("/alerts/floor1/hall", BOUND).path("value").isNull()).isTrue();
        }
    }

    @Test
    void statusListsActiveAlertsAndTheOperatorCanMoveTheThreshold() {
        try (Watch alerts = node.watch("/alerts/**")) {
            sensor("/sensors/a", "31");
            alerts.awaitChange("/alerts/a", BOUND);
        }
        JsonNode status = client.call("thermostat.status", Examples.json("{}"));
        assertThat(status.path("threshold").asDouble()).isEqualTo(30);
        assertThat(status.path("alerts")).hasSize(1);
        assertThat(status.path("alerts").get(0).path("sensor").asText()).isEqualTo("/sensors/a");
        assertThat(Examples.failure(() -> client.call("thermostat.status", Examples.json("{\"verbose\":true}"))))
                .satisfies(e -> assertThat(e.code().name()).isEqualTo("BAD_REQUEST"))
                .satisfies(e -> assertThat(e.getMessage()).contains("unknown argument 'verbose'"));

        node.configurePlugin("thermostat", Examples.json("{\"threshold\":50}"));
        node.reload();
        assertThat(client.call("thermostat.status", Examples.json("{}")).path("threshold").asDouble()).isEqualTo(50);
        try (Watch alerts = node.watch("/alerts/**")) {
            sensor("/sensors/b", "45"); // under the new threshold
            sensor("/sensors/c", "55");
            JsonNode first = alerts.awaitChange(c -> c.path("value").isObject(), BOUND);
            assertThat(first.path("key").asText()).isEqualTo("/alerts/c");
            assertThat(first.path("value").path("threshold").asDouble()).isEqualTo(50);
        }
    }
}
