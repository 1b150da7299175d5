package dev.pando.builtin.rules;

import static dev.pando.host.testing.TestHost.ADMIN;
import static dev.pando.host.testing.TestHost.assertRefused;
import static dev.pando.host.testing.TestHost.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.host.testing.MemoryHostServices;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RulesPluginTest {
    private RulesHarness h = new RulesHarness();

    @AfterEach
    void stop() {
        h.plugin.stop();
    }

    private static String onChange(String id, String pattern, String actions) {
        return "{\"id\":\"" + id + "\",\"trigger\":{\"type\":\"on_change\",\"pattern\":\"" + pattern + "\"},\"actions\":" + actions + "}";
    }

    // ---- triggers and actions ----

    @Test
    void onChangeSetsTheTargetAsTheRule() {
        h.put(onChange("fan", "/sensors/*/temp", "[{\"type\":\"set\",\"key\":\"/lights/fan\",\"value\":true}]"));

        h.write("/sensors/a/humidity", "40");
        assertThat(h.value("/lights/fan")).isNull();

        h.write("/sensors/a/temp", "31");
        assertThat(h.value("/lights/fan")).isEqualTo(json("true"));
        assertThat(h.entry("/lights/fan").orElseThrow().writer()).isEqualTo("plugin:rules/rule:fan");
        assertThat(h.stats("fan").get("fired").asLong()).isEqualTo(1);
    }

    @Test
    void onChangeAlsoFiresOnDeletesWithNoTriggerValue() {
        h.put(onChange("gone", "/devices/*", "[{\"type\":\"set\",\"key\":\"/alerts/gone\",\"value\":1},"
                + "{\"type\":\"set_from_trigger\",\"key\":\"/alerts/last\"}]"));
        h.write("/devices/d1", "\"up\"");
        assertThat(h.value("/alerts/last")).isEqualTo(json("\"up\""));
        h.delete("/devices/d1");
        assertThat(h.writesTo("/alerts/gone")).hasSize(2);
        // set_from_trigger has nothing to write for a delete: skipped, counted, last value kept.
        assertThat(h.value("/alerts/last")).isEqualTo(json("\"up\""));
        assertThat(h.stats("gone").get("skippedActions").asLong()).isEqualTo(1);
    }

    @Test
    void thresholdFiresOncePerCrossingAndReArmsBelow() {
        h.put("""
                {"id":"hot","trigger":{"type":"on_threshold","pattern":"/sensors/*/temp","pointer":"/c","value":30},
                 "actions":[{"type":"set_from_trigger","key":"/alerts/hot","pointer":"/c"}]}""");
        h.write("/sensors/a/temp", "{\"c\":25}");
        h.write("/sensors/a/temp", "{\"c\":30}"); // not above: equal
        assertThat(h.writesTo("/alerts/hot")).isEmpty();
        h.write("/sensors/a/temp", "{\"c\":31}");
        h.write("/sensors/a/temp", "{\"c\":35}");
        h.write("/sensors/a/temp", "{\"c\":40}");
        assertThat(h.writesTo("/alerts/hot")).hasSize(1);
        assertThat(h.value("/alerts/hot")).isEqualTo(json("31"));
        h.write("/sensors/a/temp", "{\"c\":29}");
        h.write("/sensors/a/temp", "{\"c\":33}");
        assertThat(h.writesTo("/alerts/hot")).hasSize(2);
        assertThat(h.value("/alerts/hot")).isEqualTo(json("33"));
        // Each key crosses on its own.
        h.write("/sensors/b/temp", "{\"c\":50}");
        assertThat(h.writesTo("/alerts/hot")).hasSize(3);
        // Not a number at the pointer: ignored, no state change.
        h.write("/sensors/a/temp", "{\"c\":\"n/a\"}");
        assertThat(h.stats("hot").get("fired").asLong()).isEqualTo(3);
    }

    @Test
    void thresholdBelowFiresWhenGoingUnder() {
        h.put("""
                {"id":"cold","trigger":{"type":"on_threshold","pattern":"/sensors/t","value":5,"direction":"below"},
                 "actions":[{"type":"set","key":"/alerts/cold","value":true}]}""");
        h.write("/sensors/t", "10");
        h.write("/sensors/t", "4");
        h.write("/sensors/t", "3");
        h.write("/sensors/t", "5");
        h.write("/sensors/t", "2");
        assertThat(h.writesTo("/alerts/cold")).hasSize(2);
    }

    @Test
    void onEventWithConditionOnThePayloadSetsAndForwards() {
        h.put("""
                {"id":"door","trigger":{"type":"on_event","topic":"/alerts/*"},
                 "conditions":[{"op":"eq","field":"open","value":true}],
                 "actions":[{"type":"set","key":"/lights/hall","value":"on"},
                            {"type":"publish","topic":"/status/door"},
                            {"type":"publish","topic":"/status/fixed","payload":{"x":1}}]}""");
        h.event("/alerts/door", "{\"open\":false}");
        assertThat(h.value("/lights/hall")).isNull();
        h.event("/other/door", "{\"open\":true}");
        assertThat(h.value("/lights/hall")).isNull();

        h.event("/alerts/door", "{\"open\":true}");
        assertThat(h.value("/lights/hall")).isEqualTo(json("\"on\""));
        assertThat(h.published()).containsExactly(
                new MemoryHostServices.Published("/status/door", json("{\"open\":true}"), "plugin:rules/rule:door"),
                new MemoryHostServices.Published("/status/fixed", json("{\"x\":1}"), "plugin:rules/rule:door"));
    }

    @Test
    void intervalRulesTickUntilDisabledAndAgainWhenEnabled() {
        h.put("""
                {"id":"tick","trigger":{"type":"on_interval","period_ms":1000},
                 "actions":[{"type":"set","key":"/state/tick","value":1}]}""");
        h.advance(999);
        assertThat(h.writesTo("/state/tick")).isEmpty();
        h.advance(1);
        h.advance(2000);
        assertThat(h.writesTo("/state/tick")).hasSize(3);

        h.call("disable", "{\"id\":\"tick\"}", ADMIN);
        h.advance(5000);
        assertThat(h.writesTo("/state/tick")).hasSize(3);
        assertThat(h.call("get", "{\"id\":\"tick\"}", ADMIN).get("enabled").asBoolean()).isFalse();

        h.call("enable", "{\"id\":\"tick\"}", ADMIN);
        h.advance(1000);
        assertThat(h.writesTo("/state/tick")).hasSize(4);
    }

    @Test
    void conditionsOnOtherKeysUseTheirCurrentValue() {
        h.put("""
                {"id":"away","trigger":{"type":"on_change","pattern":"/sensors/motion"},
                 "conditions":[{"op":"eq","key":"/home/mode","value":"away"},
                               {"op":"gte","key":"/home/level","pointer":"/n","value":2},
                               {"op":"ne","value":0}],
                 "actions":[{"type":"set","key":"/alerts/intruder","value":true}]}""");
        h.write("/sensors/motion", "1");
        assertThat(h.value("/alerts/intruder")).as("mode missing: no condition holds").isNull();
        h.write("/home/mode", "\"home\"");
        h.write("/home/level", "{\"n\":3}");
        h.write("/sensors/motion", "1");
        assertThat(h.value("/alerts/intruder")).isNull();
        h.write("/home/mode", "\"away\"");
        h.write("/sensors/motion", "0");
        assertThat(h.value("/alerts/intruder")).as("trigger value 0 fails ne 0").isNull();
        h.write("/home/level", "{\"n\":1}");
        h.write("/sensors/motion", "1");
        assertThat(h.value("/alerts/intruder")).isNull();
        h.write("/home/level", "{\"n\":2}");
        h.write("/sensors/motion", "1");
        assertThat(h.value("/alerts/intruder")).isEqualTo(json("true"));
    }

    @Test
    void setFromTriggerAppliesEachTransform() {
        String[][] cases = {
            {"{\"scale\":{\"factor\":2.55}}", "100", "255"},
            {"{\"scale\":{\"factor\":2,\"offset\":1}}", "10", "21"},
            {"{\"clamp\":{\"min\":0,\"max\":255}}", "300", "255"},
            {"{\"threshold\":{\"value\":50}}", "51", "1"},
            {"{\"invert\":{\"min\":0,\"max\":255}}", "55", "200"},
            {"{\"map\":{\"on\":255,\"off\":0}}", "\"on\"", "255"},
        };
        for (int i = 0; i < cases.length; i++) {
            h.put(onChange("t" + i, "/control/in" + i,
                    "[{\"type\":\"set_from_trigger\",\"key\":\"/dmx/" + i + "\",\"transform\":" + cases[i][0] + "}]"));
            h.write("/control/in" + i, cases[i][1]);
            assertThat(h.value("/dmx/" + i)).as(cases[i][0]).isEqualTo(json(cases[i][2]));
        }
        // A map miss skips that action only, and is counted.
        h.write("/control/in5", "\"dim\"");
        assertThat(h.value("/dmx/5")).isEqualTo(json("255"));
        assertThat(h.stats("t5").get("skippedActions").asLong()).isEqualTo(1);
    }

    // ---- delay and cooldown ----

    @Test
    void delayRunsTheRestOnTheSchedulerLater() {
        h.put(onChange("seq", "/control/go", """
                [{"type":"set","key":"/lights/a","value":1},{"type":"delay","ms":500},
                 {"type":"set","key":"/lights/b","value":2},{"type":"delay","ms":100},
                 {"type":"publish","topic":"/show/done","payload":true}]"""));
        h.write("/control/go", "true");
        assertThat(h.value("/lights/a")).isEqualTo(json("1"));
        assertThat(h.value("/lights/b")).isNull();
        assertThat(h.scheduler.pending()).isEqualTo(1);
        h.advance(499);
        assertThat(h.value("/lights/b")).isNull();
        h.advance(1);
        assertThat(h.value("/lights/b")).isEqualTo(json("2"));
        assertThat(h.published()).isEmpty();
        h.advance(100);
        assertThat(h.published()).extracting(MemoryHostServices.Published::topic).containsExactly("/show/done");
    }

    @Test
    void aDeletedRulesPendingActionsDoNotRun() {
        h.put(onChange("seq", "/control/go", """
                [{"type":"delay","ms":500},{"type":"set","key":"/lights/b","value":2}]"""));
        h.write("/control/go", "true");
        h.call("delete", "{\"id\":\"seq\"}", ADMIN);
        h.advance(1000);
        assertThat(h.value("/lights/b")).isNull();
    }

    @Test
    void cooldownSuppressesFiringsUntilItHasPassed() {
        h.put("""
                {"id":"cool","cooldown_ms":1000,"trigger":{"type":"on_change","pattern":"/sensors/b"},
                 "actions":[{"type":"set_from_trigger","key":"/lights/b"}]}""");
        h.write("/sensors/b", "1");
        h.write("/sensors/b", "2");
        h.clock.advance(999);
        h.write("/sensors/b", "3");
        assertThat(h.value("/lights/b")).isEqualTo(json("1"));
        h.clock.advance(1);
        h.write("/sensors/b", "4");
        assertThat(h.value("/lights/b")).isEqualTo(json("4"));
        JsonNode stats = h.stats("cool");
        assertThat(stats.get("fired").asLong()).isEqualTo(2);
        assertThat(stats.get("cooldownSkips").asLong()).isEqualTo(2);
    }

    // ---- loop safety ----

    @Test
    void aRuleIsNotRetriggeredByItsOwnOutput() {
        h.put(onChange("inc", "/data/**", "[{\"type\":\"set_from_trigger\",\"key\":\"/data/x\","
                + "\"transform\":{\"scale\":{\"factor\":1,\"offset\":1}}}]"));
        h.write("/data/y", "1");
        assertThat(h.value("/data/x")).isEqualTo(json("2"));
        assertThat(h.writesTo("/data/x")).hasSize(1);
        assertThat(h.stats("inc").get("fired").asLong()).isEqualTo(1);
        // Someone else's write to the same key does trigger it.
        h.write("/data/x", "10");
        assertThat(h.value("/data/x")).isEqualTo(json("11"));
    }

    @Test
    void cascadesStopAtTheDepthLimitWithAnErrorCounted() {
        h.plugin.stop();
        h = new RulesHarness(json("{\"max_cascade_depth\":3}"));
        h.put(onChange("ping", "/data/a", "[{\"type\":\"set_from_trigger\",\"key\":\"/data/b\",\"transform\":{\"scale\":{\"factor\":1,\"offset\":1}}}]"));
        h.put(onChange("pong", "/data/b", "[{\"type\":\"set_from_trigger\",\"key\":\"/data/a\",\"transform\":{\"scale\":{\"factor\":1,\"offset\":1}}}]"));
        h.write("/data/a", "0");
        // b=1 (depth 1), a=2 (depth 2), b=3 (depth 3); pong on the depth-3 write is refused.
        assertThat(h.value("/data/b")).isEqualTo(json("3"));
        assertThat(h.value("/data/a")).isEqualTo(json("2"));
        assertThat(h.stats("pong").get("depthLimited").asLong()).isEqualTo(1);
        assertThat(h.stats("ping").get("depthLimited").asLong()).isZero();
        assertThat(h.stats("pong").get("lastError").asText()).contains("cascade depth limit 3");
        assertThat(h.call("list", "{}", ADMIN).get("stats").get("depthLimited").asLong()).isEqualTo(1);
        // A fresh outside write starts a new cascade at depth 0.
        h.write("/data/a", "100");
        assertThat(h.value("/data/b")).isEqualTo(json("103"));
        assertThat(h.stats("pong").get("depthLimited").asLong()).isEqualTo(2);
    }

    @Test
    void theDefaultDepthLimitIsEightAndAlsoCoversEvents() {
        h.put(onChange("ping", "/data/a", "[{\"type\":\"publish\",\"topic\":\"/show/b\"}]"));
        h.put("{\"id\":\"pong\",\"trigger\":{\"type\":\"on_event\",\"topic\":\"/show/b\"},"
                + "\"actions\":[{\"type\":\"set_from_trigger\",\"key\":\"/data/a\",\"transform\":{\"scale\":{\"factor\":1,\"offset\":1}}}]}");
        h.write("/data/a", "0");
        long ruleOutputs = h.writesTo("/data/a").stream().filter(c -> c.writer().startsWith("plugin:rules/")).count() + h.published().size();
        assertThat(ruleOutputs).isEqualTo(RulesConfig.DEFAULT_MAX_CASCADE_DEPTH);
        assertThat(h.call("list", "{}", ADMIN).get("stats").get("depthLimited").asLong()).isEqualTo(1);
    }

    // ---- authority ----

    @Test
    void putIsRefusedWhenTheAuthorMayNotWriteATarget() {
        TestPrincipal alice = TestPrincipal.writer("alice", "/lights").reading("/sensors");
        h.services.principal(alice);
        assertRefused(() -> h.put(onChange("r", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":1},"
                        + "{\"type\":\"set\",\"key\":\"/dmx/1\",\"value\":1}]"), alice),
                ErrorCode.FORBIDDEN, "rule.actions[1].key: author 'alice' may not write '/dmx/1'");
        assertRefused(() -> h.put(onChange("r", "/sensors/*", "[{\"type\":\"publish\",\"topic\":\"/alerts/x\"}]"), alice),
                ErrorCode.FORBIDDEN, "rule.actions[0].topic: author 'alice' may not write '/alerts/x'");
        assertRefused(() -> h.put("{\"id\":\"r\",\"trigger\":{\"type\":\"on_change\",\"pattern\":\"/sensors/*\"},"
                        + "\"conditions\":[{\"op\":\"eq\",\"key\":\"/home/mode\",\"value\":1}],"
                        + "\"actions\":[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":1}]}", alice),
                ErrorCode.FORBIDDEN, "rule.conditions[0].key: author 'alice' may not read '/home/mode'");
        assertThat(h.call("list", "{}", ADMIN).get("rules")).isEmpty();

        JsonNode ok = h.put(onChange("r", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":1}]"), alice);
        assertThat(ok.get("author").asText()).isEqualTo("alice");
    }

    @Test
    void putIsRefusedWhenTheNodeCannotLendTheAuthorsRightsLater() {
        // Allowed in this request, but unknown to context.principal(name): the rule could never act.
        TestPrincipal carol = TestPrincipal.writer("carol", "/lights").reading("/sensors");
        assertRefused(() -> h.put(onChange("r", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":1}]"), carol),
                ErrorCode.FORBIDDEN, "rule.actions[0].key: author 'carol' may not write '/lights/x' (the rights the node lends");
        h.services.principal(carol);
        assertThat(h.put(onChange("r", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":1}]"), carol)
                .get("author").asText()).isEqualTo("carol");
    }

    @Test
    void aRuleWhoseAuthorLosesTheRightStopsActing() {
        TestPrincipal alice = TestPrincipal.writer("alice", "/lights").reading("/sensors");
        h.services.principal(alice);
        h.put(onChange("r", "/sensors/*", "[{\"type\":\"set_from_trigger\",\"key\":\"/lights/x\"}]"), alice);
        h.write("/sensors/s", "1");
        assertThat(h.value("/lights/x")).isEqualTo(json("1"));

        h.services.revoke("alice");
        h.write("/sensors/s", "2");
        assertThat(h.value("/lights/x")).isEqualTo(json("1"));
        assertThat(h.stats("r").get("forbidden").asLong()).isEqualTo(1);
        assertThat(h.stats("r").get("fired").asLong()).isEqualTo(1);
    }

    @Test
    void rightsAreCheckedAgainBeforeADelayedAction() {
        TestPrincipal alice = TestPrincipal.writer("alice", "/lights").reading("/sensors");
        h.services.principal(alice);
        h.put(onChange("r", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/a\",\"value\":1},"
                + "{\"type\":\"delay\",\"ms\":100},{\"type\":\"set\",\"key\":\"/lights/b\",\"value\":1}]"), alice);
        h.write("/sensors/s", "1");
        assertThat(h.value("/lights/a")).isNotNull();
        h.services.principal(TestPrincipal.writer("alice", "/lights/a").reading("/sensors"));
        h.advance(100);
        assertThat(h.value("/lights/b")).isNull();
        assertThat(h.stats("r").get("forbidden").asLong()).isEqualTo(1);
    }

    @Test
    void aRuleOnlyHearsKeysItsAuthorMayRead() {
        TestPrincipal alice = TestPrincipal.writer("alice", "/lights").reading("/sensors/public");
        h.services.principal(alice);
        h.put(onChange("copy", "/sensors/**", "[{\"type\":\"set_from_trigger\",\"key\":\"/lights/copy\"}]"), alice);
        h.write("/sensors/secret", "\"pin 1234\"");
        assertThat(h.value("/lights/copy")).isNull();
        assertThat(h.stats("copy").get("forbidden").asLong()).isEqualTo(1);
        h.write("/sensors/public/t", "20");
        assertThat(h.value("/lights/copy")).isEqualTo(json("20"));
    }

    @Test
    void onlyTheAuthorOrAnAdminMayChangeARule() {
        TestPrincipal alice = TestPrincipal.writer("alice", "/lights").reading("/sensors");
        TestPrincipal bob = TestPrincipal.writer("bob", "/lights").reading("/sensors");
        h.services.principal(alice);
        h.services.principal(bob);
        h.put(onChange("r", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":1}]"), alice);
        assertRefused(() -> h.call("delete", "{\"id\":\"r\"}", bob), ErrorCode.FORBIDDEN,
                "rules.delete: rule 'r' belongs to 'alice'; only its author or an admin may change it, not 'bob'");
        assertRefused(() -> h.call("disable", "{\"id\":\"r\"}", bob), ErrorCode.FORBIDDEN, "belongs to 'alice'");
        assertRefused(() -> h.put(onChange("r", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/y\",\"value\":1}]"), bob),
                ErrorCode.FORBIDDEN, "rules.put: rule 'r' belongs to 'alice'");
        h.call("disable", "{\"id\":\"r\"}", alice);
        assertThat(h.call("delete", "{\"id\":\"r\"}", ADMIN).get("deleted").asBoolean()).isTrue();
        assertRefused(() -> h.call("get", "{\"id\":\"r\"}", ADMIN), ErrorCode.NOT_FOUND, "no rule 'r'");
    }

    // ---- persistence ----

    @Test
    void rulesSurviveARestartAndIntervalsResume() {
        TestPrincipal alice = TestPrincipal.writer("alice", "/lights", "/state").reading("/sensors");
        h.services.principal(alice);
        h.put(onChange("copy", "/sensors/*", "[{\"type\":\"set_from_trigger\",\"key\":\"/lights/copy\"}]"), alice);
        h.put("{\"id\":\"tick\",\"trigger\":{\"type\":\"on_interval\",\"period_ms\":1000},"
                + "\"actions\":[{\"type\":\"set\",\"key\":\"/state/tick\",\"value\":1}]}", alice);
        h.put(onChange("off", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/off\",\"value\":1}]"), alice);
        h.call("disable", "{\"id\":\"off\"}", alice);
        assertThat(h.entry("/_plugins/rules/rules/copy")).isPresent();

        ManualScheduler old = h.scheduler;
        h = h.restart();
        assertThat(old.isClosed()).as("stop closes the old scheduler").isTrue();

        JsonNode list = h.call("list", "{}", ADMIN).get("rules");
        assertThat(list).extracting(r -> r.get("id").asText()).containsExactly("copy", "off", "tick");
        assertThat(list.get(0).get("author").asText()).isEqualTo("alice");
        assertThat(list.get(1).get("enabled").asBoolean()).isFalse();

        h.write("/sensors/s", "7");
        assertThat(h.value("/lights/copy")).isEqualTo(json("7"));
        assertThat(h.value("/lights/off")).isNull();
        assertThat(h.entry("/lights/copy").orElseThrow().writer()).isEqualTo("plugin:rules/rule:copy");
        h.advance(1000);
        assertThat(h.writesTo("/state/tick")).hasSize(1);
    }

    @Test
    void thresholdMemorySurvivesARestartSoAHandledCrossingDoesNotFireAgain() {
        h.put("""
                {"id":"hot","trigger":{"type":"on_threshold","pattern":"/sensors/*","value":30},
                 "actions":[{"type":"set_from_trigger","key":"/alerts/hot"}]}""");
        h.write("/sensors/a", "35");
        h.write("/sensors/b", "35");
        h.write("/sensors/b", "20"); // b is back below: nothing of it is kept
        assertThat(h.writesTo("/alerts/hot")).hasSize(2);
        assertThat(h.services.entries().keySet()).filteredOn(k -> k.startsWith("/_plugins/rules/memory/hot/beyond/")).hasSize(1);

        h = h.restart();
        h.write("/sensors/a", "36"); // still above since before the restart: no new crossing
        assertThat(h.writesTo("/alerts/hot")).hasSize(2);
        h.write("/sensors/b", "31"); // b crosses
        assertThat(h.writesTo("/alerts/hot")).hasSize(3);
        h.write("/sensors/a", "10");
        h.write("/sensors/a", "40"); // re-armed, crosses again
        assertThat(h.writesTo("/alerts/hot")).hasSize(4);
    }

    @Test
    void aCooldownRunsOnAcrossARestart() {
        h.put("""
                {"id":"cool","cooldown_ms":1000,"trigger":{"type":"on_change","pattern":"/sensors/b"},
                 "actions":[{"type":"set_from_trigger","key":"/lights/b"}]}""");
        h.write("/sensors/b", "1");
        h = h.restart();
        h.clock.advance(500);
        h.write("/sensors/b", "2");
        assertThat(h.value("/lights/b")).isEqualTo(json("1"));
        h.clock.advance(500);
        h.write("/sensors/b", "3");
        assertThat(h.value("/lights/b")).isEqualTo(json("3"));
    }

    @Test
    void putEnableDisableAndDeleteStartTheRuleWithoutMemory() {
        String hot = """
                {"id":"hot","trigger":{"type":"on_threshold","pattern":"/sensors/*","value":30},
                 "actions":[{"type":"set_from_trigger","key":"/alerts/hot"}]}""";
        h.put(hot);
        h.write("/sensors/a", "35");
        h.put(hot); // replaced: the next value beyond crosses again, as documented
        h.write("/sensors/a", "36");
        assertThat(h.writesTo("/alerts/hot")).hasSize(2);
        h.call("disable", "{\"id\":\"hot\"}", ADMIN);
        h.call("enable", "{\"id\":\"hot\"}", ADMIN);
        h.write("/sensors/a", "37");
        assertThat(h.writesTo("/alerts/hot")).hasSize(3);
        h.call("delete", "{\"id\":\"hot\"}", ADMIN);
        assertThat(h.services.entries().keySet()).noneMatch(k -> k.startsWith("/_plugins/rules/memory/hot"));
    }

    @Test
    void rulesDoNotReactToThePluginsOwnStorage() {
        h.put(onChange("all", "/**", "[{\"type\":\"set\",\"key\":\"/seen/all\",\"value\":1}]"));
        h.put(onChange("other", "/x", "[{\"type\":\"set\",\"key\":\"/seen/other\",\"value\":1}]"));
        assertThat(h.writesTo("/seen/all")).isEmpty();
        h.write("/y", "1");
        assertThat(h.writesTo("/seen/all")).hasSize(1);
    }

    @Test
    void stopCancelsIntervalsAndPendingDelays() {
        h.put("{\"id\":\"tick\",\"trigger\":{\"type\":\"on_interval\",\"period_ms\":1000},"
                + "\"actions\":[{\"type\":\"set\",\"key\":\"/state/tick\",\"value\":1}]}");
        assertThat(h.scheduler.pending()).isEqualTo(1);
        h.plugin.stop();
        assertThat(h.scheduler.isClosed()).isTrue();
        h.scheduler.advance(5000);
        assertThat(h.writesTo("/state/tick")).isEmpty();
    }

    // ---- rules.test ----

    @Test
    void testReportsWhatWouldHappenWithoutSideEffects() {
        h.put("""
                {"id":"hot","trigger":{"type":"on_threshold","pattern":"/sensors/*/temp","value":30},
                 "actions":[{"type":"set_from_trigger","key":"/dmx/1","transform":{"clamp":{"min":0,"max":40}}},
                            {"type":"delay","ms":10},{"type":"publish","topic":"/alerts/hot"}]}""");
        Map<String, ?> before = h.services.entries();

        JsonNode r = h.call("test", "{\"id\":\"hot\",\"change\":{\"key\":\"/sensors/a/temp\",\"value\":55}}", ADMIN);
        assertThat(r.get("fires").asBoolean()).isTrue();
        assertThat(r.get("actions").toString()).isEqualTo(json("""
                [{"type":"set","key":"/dmx/1","value":40},{"type":"delay","ms":10},
                 {"type":"publish","topic":"/alerts/hot","payload":55}]""").toString());
        JsonNode no = h.call("test", "{\"id\":\"hot\",\"change\":{\"key\":\"/sensors/a/temp\",\"value\":55},\"previous\":31}", ADMIN);
        assertThat(no.get("fires").asBoolean()).isFalse();
        assertThat(no.get("reason").asText()).contains("no crossing");
        JsonNode miss = h.call("test", "{\"id\":\"hot\",\"change\":{\"key\":\"/sensors/a/hum\",\"value\":55}}", ADMIN);
        assertThat(miss.get("reason").asText()).isEqualTo("the trigger (on_threshold) does not match");

        assertThat(h.services.entries()).isEqualTo(before);
        assertThat(h.published()).isEmpty();
        assertThat(h.scheduler.pending()).isZero();
        assertThat(h.stats("hot").get("fired").asLong()).isZero();
        // The test did not consume the crossing: the real change still fires.
        h.write("/sensors/a/temp", "55");
        assertThat(h.value("/dmx/1")).isEqualTo(json("40"));
    }

    @Test
    void testOfANewRuleValidatesItLikePutAndStoresNothing() {
        JsonNode r = h.call("test", "{\"rule\":" + onChange("n", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":1}]")
                + ",\"change\":{\"key\":\"/sensors/q\",\"value\":1}}", ADMIN);
        assertThat(r.get("fires").asBoolean()).isTrue();
        assertThat(h.call("list", "{}", ADMIN).get("rules")).isEmpty();
        assertThat(h.entry("/_plugins/rules/rules/n")).isEmpty();

        assertRefused(() -> h.call("test", "{\"rule\":{\"id\":\"n\",\"trigger\":{\"type\":\"on_change\",\"pattern\":\"/sensors/*\"},"
                + "\"actions\":[{\"type\":\"set_from_trigger\",\"key\":\"/dmx/1\",\"transform\":{\"clamp\":{\"min\":0}}}]}}", ADMIN),
                ErrorCode.BAD_REQUEST, "rule.actions[0].transform.clamp: missing 'max'");
        TestPrincipal alice = TestPrincipal.writer("alice", "/lights").reading("/sensors");
        h.services.principal(alice);
        assertRefused(() -> h.call("test", "{\"rule\":" + onChange("n", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/dmx/x\",\"value\":1}]")
                + "}", alice), ErrorCode.FORBIDDEN, "author 'alice' may not write '/dmx/x'");
        // A condition that does not hold is named.
        JsonNode c = h.call("test", "{\"rule\":{\"id\":\"c\",\"trigger\":{\"type\":\"on_change\",\"pattern\":\"/sensors/*\"},"
                + "\"conditions\":[{\"op\":\"gt\",\"value\":10}],\"actions\":[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":1}]},"
                + "\"change\":{\"key\":\"/sensors/q\",\"value\":3}}", ADMIN);
        assertThat(c.get("fires").asBoolean()).isFalse();
        assertThat(c.get("reason").asText()).isEqualTo("conditions[0] does not hold: trigger value gt 10");
    }

    // ---- ops and limits ----

    @Test
    void maxRulesIsEnforcedAndReplacingDoesNotCount() {
        h.plugin.stop();
        h = new RulesHarness(json("{\"max_rules\":2}"));
        h.put(onChange("a", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":1}]"));
        h.put(onChange("b", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":1}]"));
        h.put(onChange("b", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/y\",\"value\":1}]"));
        assertRefused(() -> h.put(onChange("c", "/sensors/*", "[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":1}]")),
                ErrorCode.BAD_REQUEST, "rules.put: already 2 rules; at most 2 are allowed (config max_rules)");
    }

    @Test
    void opArgumentsAreStrict() {
        assertRefused(() -> h.call("put", "{}", ADMIN), ErrorCode.BAD_REQUEST, "rules.put: missing argument 'rule'");
        assertRefused(() -> h.call("list", "{\"all\":true}", ADMIN), ErrorCode.BAD_REQUEST, "rules.list: unknown argument 'all' (it takes none)");
        assertRefused(() -> h.call("get", "{}", ADMIN), ErrorCode.BAD_REQUEST, "rules.get: missing argument 'id'");
        assertRefused(() -> h.call("test", "{}", ADMIN), ErrorCode.BAD_REQUEST, "exactly one of 'id'");
    }

    @Test
    void theManifestDeclaresWhatTheRulesPluginNeeds() {
        assertThat(RulesHarness.MANIFEST.id()).isEqualTo("rules");
        assertThat(RulesHarness.MANIFEST.ops()).extracting(o -> o.verb())
                .containsExactlyInAnyOrder("put", "get", "list", "delete", "enable", "disable", "test");
        assertThat(RulesHarness.MANIFEST.permissions()).extracting(p -> p.jsonName())
                .containsExactlyInAnyOrder("publish", "clock", "log", "feed");
        assertThat(RulesHarness.MANIFEST.mayWrite("/_plugins/rules/rules/x")).isTrue();
        assertThat(RulesHarness.MANIFEST.mayWrite("/_sys/x")).isFalse();
        assertThat(RulesHarness.MANIFEST.mayWrite("/_plugins/journal/head")).isFalse();
        assertThat(RulesHarness.MANIFEST.mayWrite("/anything/at/all")).isTrue();
        // Everything it may read is heard, so any rule pattern can fire.
        assertThat(RulesHarness.MANIFEST.listenChanges()).containsExactly("/**");
        assertThat(RulesConfig.from(RulesHarness.MANIFEST.config())).isEqualTo(RulesConfig.DEFAULT);
    }
}
