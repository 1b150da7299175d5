package dev.pando.builtin.rules;

import static dev.pando.host.testing.TestHost.assertRefused;
import static dev.pando.host.testing.TestHost.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RuleParserTest {
    private final RuleParser parser = new RuleParser(RulesHarness.MANIFEST, RulesConfig.DEFAULT);

    private static final String CHANGE = "\"trigger\":{\"type\":\"on_change\",\"pattern\":\"/sensors/*/temp\"}";
    private static final String SET = "{\"type\":\"set\",\"key\":\"/lights/fan\",\"value\":true}";

    @Test
    void parsesAFullRule() {
        Rule r = parser.parse(json("""
                {"id":"fan","description":"fan on when hot","cooldown_ms":500,
                 "trigger":{"type":"on_threshold","pattern":"/sensors/*/temp","field":"c","value":30,"direction":"above"},
                 "conditions":[{"op":"eq","key":"/home/mode","value":"away"},{"op":"lt","pointer":"/c","value":90}],
                 "actions":[{"type":"set","key":"/lights/fan","value":true},{"type":"delay","ms":100},
                            {"type":"publish","topic":"/alerts/hot","payload":{"hot":true}},
                            {"type":"set_from_trigger","key":"/dmx/1","pointer":"/c","transform":{"clamp":{"min":0,"max":255}}}]}
                """));
        assertThat(r.id()).isEqualTo("fan");
        assertThat(r.enabled()).isTrue();
        assertThat(r.source().get("enabled").asBoolean()).isTrue();
        assertThat(r.cooldownMs()).isEqualTo(500);
        assertThat(r.trigger()).isInstanceOf(Trigger.OnThreshold.class);
        assertThat(((Trigger.OnThreshold) r.trigger()).pointer().toString()).isEqualTo("/c");
        assertThat(r.conditions()).hasSize(2);
        assertThat(r.conditions().get(0).onKey()).isTrue();
        assertThat(r.actions()).extracting(Action::type).containsExactly("set", "delay", "publish", "set_from_trigger");
        assertThat(((Action.SetFromTrigger) r.actions().get(3)).transform()).isEqualTo(new Transform.Clamp(0, 255));
    }

    static Stream<Arguments> badRules() {
        return Stream.of(
                bad("{\"id\":\"r\",\"trigger\":{\"type\":\"on_whim\"},\"actions\":[" + SET + "]}",
                        "rule.trigger.type: unknown trigger 'on_whim'; known: on_change, on_threshold, on_event, on_interval"),
                bad("{\"id\":\"r\",\"trigger\":{\"type\":\"on_change\",\"pattern\":\"/sensors/a**\"},\"actions\":[" + SET + "]}",
                        "rule.trigger.pattern: invalid pattern '/sensors/a**'"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[" + SET + ",{\"type\":\"set_from_trigger\",\"key\":\"/dmx/1\","
                        + "\"transform\":{\"clamp\":{\"min\":0}}}]}",
                        "rule.actions[1].transform.clamp: missing 'max'"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"set_from_trigger\",\"key\":\"/dmx/1\","
                        + "\"transform\":{\"scale\":{\"offset\":1}}}]}",
                        "rule.actions[0].transform.scale: missing 'factor'"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"set_from_trigger\",\"key\":\"/dmx/1\","
                        + "\"transform\":{\"invert\":{\"min\":5,\"max\":1}}}]}",
                        "rule.actions[0].transform.invert: min 5 is greater than max 1"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"set_from_trigger\",\"key\":\"/dmx/1\","
                        + "\"transform\":{\"map\":{}}}]}",
                        "rule.actions[0].transform.map: must map at least one value"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"set_from_trigger\",\"key\":\"/dmx/1\","
                        + "\"transform\":{\"smooth\":{}}}]}",
                        "rule.actions[0].transform.smooth: unknown transform 'smooth'"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"set_from_trigger\",\"key\":\"/dmx/1\","
                        + "\"transform\":{\"scale\":{\"factor\":2},\"clamp\":{\"min\":0,\"max\":1}}}]}",
                        "rule.actions[0].transform: must name exactly one transform"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[" + SET + "],\"colour\":\"red\"}",
                        "rule.colour: unknown field; known: id, enabled"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"set\",\"key\":\"/lights/fan\",\"value\":1,\"ttl\":3}]}",
                        "rule.actions[0].ttl: unknown field; known: type, key, value"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"toggle\",\"key\":\"/lights/fan\"}]}",
                        "rule.actions[0].type: unknown action 'toggle'; known: set, publish, set_from_trigger, delay"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[]}", "rule.actions: must be a non-empty array"),
                bad("{\"id\":\"r\"," + CHANGE + "}", "rule.actions: is required"),
                bad("{\"id\":\"R!\"," + CHANGE + ",\"actions\":[" + SET + "]}", "rule.id: 'R!' must be"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[" + SET + "],\"cooldown_ms\":-1}", "rule.cooldown_ms: must be an integer >= 0"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[" + SET + ",{\"type\":\"delay\",\"ms\":10}]}",
                        "rule.actions[1]: a delay must be followed by an action"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"delay\",\"ms\":3600001}," + SET + "]}",
                        "rule.actions[0].ms: 3600001 exceeds the maximum delay of 3600000 ms (config max_delay_ms)"),
                bad("{\"id\":\"r\",\"trigger\":{\"type\":\"on_interval\",\"period_ms\":10},\"actions\":[" + SET + "]}",
                        "rule.trigger.period_ms: 10 is below the minimum of 100 ms (config min_interval_ms)"),
                bad("{\"id\":\"r\",\"trigger\":{\"type\":\"on_interval\",\"period_ms\":1000},\"actions\":[{\"type\":\"set_from_trigger\",\"key\":\"/dmx/1\"}]}",
                        "rule.actions[0].type: set_from_trigger needs a trigger value; an on_interval rule has none"),
                bad("{\"id\":\"r\",\"trigger\":{\"type\":\"on_interval\",\"period_ms\":1000},\"conditions\":[{\"op\":\"eq\",\"value\":1}],\"actions\":[" + SET + "]}",
                        "rule.conditions[0].key: is required: an on_interval rule has no trigger value to test"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"conditions\":[{\"op\":\"like\",\"value\":1}],\"actions\":[" + SET + "]}",
                        "rule.conditions[0].op: unknown operator 'like'; known: eq, ne, gt, gte, lt, lte"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"conditions\":[{\"op\":\"gt\",\"value\":[1]}],\"actions\":[" + SET + "]}",
                        "rule.conditions[0].value: 'gt' compares numbers or strings"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"conditions\":[{\"op\":\"gt\",\"pointer\":\"temp\",\"value\":1}],\"actions\":[" + SET + "]}",
                        "rule.conditions[0].pointer: 'temp' is not a JSON pointer"),
                bad("{\"id\":\"r\",\"trigger\":{\"type\":\"on_threshold\",\"pattern\":\"/sensors/t\",\"value\":\"hot\"},\"actions\":[" + SET + "]}",
                        "rule.trigger.value: must be a number"),
                bad("{\"id\":\"r\",\"trigger\":{\"type\":\"on_threshold\",\"pattern\":\"/sensors/t\",\"value\":3,\"direction\":\"up\"},\"actions\":[" + SET + "]}",
                        "rule.trigger.direction: 'up' must be 'above' or 'below'"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"set\",\"key\":\"/lights/../x\",\"value\":1}]}",
                        "rule.actions[0].key: invalid key '/lights/../x'"),
                bad("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"set\",\"key\":\"/lights/x\",\"value\":null}]}",
                        "rule.actions[0].value: must not be null"));
    }

    private static Arguments bad(String rule, String message) {
        return Arguments.of(rule, message);
    }

    @ParameterizedTest
    @MethodSource("badRules")
    void badRulesAreRefusedNamingTheField(String rule, String message) {
        assertRefused(() -> parser.parse(json(rule)), ErrorCode.BAD_REQUEST, message);
    }

    @Test
    void limitsComeFromConfig() {
        RuleParser tight = new RuleParser(RulesHarness.MANIFEST, RulesConfig.from(json("{\"max_actions\":2,\"max_conditions\":1}")));
        assertRefused(() -> tight.parse(json("{\"id\":\"r\"," + CHANGE + ",\"actions\":[" + SET + "," + SET + "," + SET + "]}")),
                ErrorCode.BAD_REQUEST, "rule.actions: has 3 actions; at most 2 are allowed (config max_actions)");
        assertRefused(() -> tight.parse(json("{\"id\":\"r\"," + CHANGE
                        + ",\"conditions\":[{\"op\":\"eq\",\"value\":1},{\"op\":\"eq\",\"value\":2}],\"actions\":[" + SET + "]}")),
                ErrorCode.BAD_REQUEST, "rule.conditions: has 2 conditions; at most 1 are allowed (config max_conditions)");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> RulesConfig.from(json("{\"max_rules\":0}"))))
                .hasMessageContaining("max_rules");
    }

    @Test
    void keysAndPatternsOutsideThePluginsReachAreForbidden() {
        assertRefused(() -> parser.parse(json("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"set\",\"key\":\"/_sys/x\",\"value\":1}]}")),
                ErrorCode.FORBIDDEN, "rule.actions[0].key: '/_sys/x' is outside what the rules plugin may write");
        assertRefused(() -> parser.parse(json("{\"id\":\"r\"," + CHANGE + ",\"actions\":[{\"type\":\"set\",\"key\":\"/_plugins/rules/rules/x\",\"value\":1}]}")),
                ErrorCode.FORBIDDEN, "rule.actions[0].key: '/_plugins/rules/rules/x' is the rules plugin's own storage");
        assertRefused(() -> parser.parse(json("{\"id\":\"r\"," + CHANGE + ",\"conditions\":[{\"op\":\"eq\",\"key\":\"/_plugins/other/x\",\"value\":1}],\"actions\":[" + SET + "]}")),
                ErrorCode.FORBIDDEN, "rule.conditions[0].key: '/_plugins/other/x' is outside what the rules plugin may read");
        // The manifest's root prefix: any other key and any change pattern is within reach.
        assertThat(parser.parse(json("{\"id\":\"r\",\"trigger\":{\"type\":\"on_change\",\"pattern\":\"/**\"},\"actions\":[" + SET + "]}")).trigger())
                .isInstanceOf(Trigger.OnChange.class);
        // Events are heard everywhere: any topic pattern is accepted.
        Rule r = parser.parse(json("{\"id\":\"r\",\"trigger\":{\"type\":\"on_event\",\"topic\":\"/**\"},\"actions\":[" + SET + "]}"));
        assertThat(r.trigger()).isInstanceOf(Trigger.OnEvent.class);
    }

    @Test
    void errorsArePandoExceptions() {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> parser.parse(json("[1]")));
        assertThat(t).isInstanceOf(PandoException.class).hasMessage("rule: must be an object");
    }
}
