package dev.pando.builtin.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.builtin.rules.ManualClock;
import dev.pando.host.testing.MemoryHostServices;
import org.junit.jupiter.api.Test;

class AgesTest {
    private final ManualClock clock = new ManualClock(10_000);
    private final MemoryHostServices services = new MemoryHostServices(clock);
    private final ChangeFeed feed = services.feed("federation");

    @Test
    void lagIsTheAgeOfTheOldestChangeNotYetTaken() {
        assertThat(Ages.oldestAfter(feed, 0, 20_000)).as("nothing to take").isZero();
        services.set("/a", IntNode.valueOf(1), MemoryHostServices.NO_CAS, "w"); // at 10,000
        clock.set(12_000);
        services.set("/b", IntNode.valueOf(2), MemoryHostServices.NO_CAS, "w");

        assertThat(Ages.oldestAfter(feed, 0, 15_000)).isEqualTo(5_000);
        assertThat(Ages.oldestAfter(feed, 1, 15_000)).isEqualTo(3_000);
        assertThat(Ages.oldestAfter(feed, 2, 15_000)).as("caught up").isZero();
    }
}
