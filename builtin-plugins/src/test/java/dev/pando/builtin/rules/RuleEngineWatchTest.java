package dev.pando.builtin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.host.HostContext;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.TestHost;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whether the engine has a rule that fires on changes, through installs, replacements and removals. */
class RuleEngineWatchTest {
    private final ManualClock clock = new ManualClock(RulesHarness.START);
    private final HostContext context = new HostContext(RulesHarness.MANIFEST, new MemoryHostServices(clock), TestHost.json("{}"), clock);
    private final RuleEngine engine = new RuleEngine(context, new RuleStore(context.kv(), RulesHarness.MANIFEST.defaultPrefix()),
            RulesConfig.DEFAULT, new ManualScheduler(clock));
    private final RuleParser parser = new RuleParser(RulesHarness.MANIFEST, RulesConfig.DEFAULT);
    private final List<String> aroundFirst = new ArrayList<>();

    private RuleState rule(String id, String trigger, boolean enabled) {
        return new RuleState(parser.parse(TestHost.json("{\"id\":\"" + id + "\",\"enabled\":" + enabled + ",\"trigger\":" + trigger
                + ",\"actions\":[{\"type\":\"set\",\"key\":\"/out/" + id + "\",\"value\":1}]}")), "admin", 0, 0, new RuleStats());
    }

    private static final String ON_CHANGE = "{\"type\":\"on_change\",\"pattern\":\"/a/**\"}";
    private static final String ON_EVENT = "{\"type\":\"on_event\",\"topic\":\"/t/*\"}";

    @Test
    void watchesChangesExactlyWhileSomeEnabledChangeRuleIsInstalled() {
        engine.aroundFirstChangeRule(install -> {
            aroundFirst.add("before");
            install.run();
        });
        engine.install(rule("e", ON_EVENT, true));
        engine.install(rule("off", ON_CHANGE, false));
        assertThat(engine.watchesChanges()).as("event and disabled rules only").isFalse();
        assertThat(aroundFirst).isEmpty();

        engine.install(rule("c1", ON_CHANGE, true));
        assertThat(engine.watchesChanges()).isTrue();
        assertThat(aroundFirst).as("the first change rule goes in through the hook").containsExactly("before");
        engine.install(rule("c2", ON_CHANGE, true));
        engine.install(rule("c1", ON_CHANGE, true)); // replaced by the same kind
        assertThat(aroundFirst).as("only the first").hasSize(1);

        engine.remove("c1");
        assertThat(engine.watchesChanges()).as("c2 is left").isTrue();
        engine.install(rule("c2", ON_CHANGE, false)); // disabled in place
        assertThat(engine.watchesChanges()).isFalse();
        engine.remove("nothing-by-this-id");
        engine.remove("off");
        assertThat(engine.watchesChanges()).isFalse();

        engine.install(rule("e", ON_CHANGE, true)); // an event rule replaced by a change rule
        assertThat(engine.watchesChanges()).isTrue();
        assertThat(aroundFirst).hasSize(2);
    }
}
