package dev.pando.builtin.rules;

import static dev.pando.host.testing.TestHost.ADMIN;
import static dev.pando.host.testing.TestHost.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.api.plugin.OpCall;
import dev.pando.host.HostContext;
import dev.pando.host.testing.MemoryHostServices;
import java.time.Clock;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The public constructor, as the node builds it: a real daemon scheduler, released by stop. */
class RulesPluginRealSchedulerTest {

    @Test
    void intervalRulesRunOnTheRealSchedulerAndStopLeavesNoThread() throws Exception {
        Set<Thread> before = schedulerThreads();
        MemoryHostServices services = new MemoryHostServices(Clock.systemUTC());
        services.principal(ADMIN);
        RulesPlugin plugin = new RulesPlugin();
        plugin.start(new HostContext(RulesHarness.MANIFEST, services, null, Clock.systemUTC()));
        plugin.call(new OpCall("rules.put", json("""
                {"rule":{"id":"tick","trigger":{"type":"on_interval","period_ms":100},
                 "actions":[{"type":"set","key":"/state/tick","value":1}]}}"""), ADMIN));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (services.get("/state/tick").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(services.get("/state/tick")).isPresent();
        assertThat(services.get("/state/tick").orElseThrow().writer()).isEqualTo("plugin:rules/rule:tick");

        plugin.stop();
        Set<Thread> leaked = schedulerThreads();
        leaked.removeAll(before);
        // The executor reports termination a moment before its worker thread has returned.
        for (Thread t : leaked) {
            t.join(2000);
        }
        assertThat(leaked).noneMatch(Thread::isAlive);
    }

    private static Set<Thread> schedulerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("pando-rules-scheduler-"))
                .collect(Collectors.toSet());
    }
}
