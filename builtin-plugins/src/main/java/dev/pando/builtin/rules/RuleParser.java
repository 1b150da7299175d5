package dev.pando.builtin.rules;

import static dev.pando.builtin.rules.RuleJson.bad;
import static dev.pando.builtin.rules.RuleJson.integer;
import static dev.pando.builtin.rules.RuleJson.key;
import static dev.pando.builtin.rules.RuleJson.number;
import static dev.pando.builtin.rules.RuleJson.object;
import static dev.pando.builtin.rules.RuleJson.only;
import static dev.pando.builtin.rules.RuleJson.pattern;
import static dev.pando.builtin.rules.RuleJson.pointer;
import static dev.pando.builtin.rules.RuleJson.require;
import static dev.pando.builtin.rules.RuleJson.text;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads and validates a rule's JSON (see {@code docs/rules.md}). Strict like the manifest parser:
 * unknown fields, wrong types, unknown kinds, missing parameters, invalid keys or patterns and
 * limits exceeded are refused with {@code BAD_REQUEST}; keys and patterns outside what the rules
 * plugin itself may touch with {@code FORBIDDEN}. Every message starts with the field's path,
 * e.g. {@code rule.actions[1].transform.clamp: missing 'max'}.
 *
 * <p>It does not check the author's rights: that depends on who asks and when ({@link RuleAuthority}).
 * {@link ActionParser} reads the actions, {@link RuleJson} the single fields.
 */
final class RuleParser {
    /** Rule ids become a key segment and part of the writer name {@code plugin:rules/rule:<id>}. */
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,58}");
    static final int MAX_DESCRIPTION = 1024;

    private static final String TRIGGERS = "on_change, on_threshold, on_event, on_interval";

    private final PluginManifest manifest;
    private final RulesConfig limits;
    private final ActionParser actions;
    /** Roots the plugin hears changes under ({@code <root>/**} listen patterns). */
    private final List<String> changeRoots;
    private final List<String> eventRoots;

    RuleParser(PluginManifest manifest, RulesConfig limits) {
        this.manifest = manifest;
        this.limits = limits;
        this.actions = new ActionParser(manifest, limits);
        this.changeRoots = roots(manifest.listenChanges());
        this.eventRoots = roots(manifest.listenEvents());
    }

    private static List<String> roots(List<String> patterns) {
        List<String> out = new ArrayList<>();
        for (String p : patterns) {
            if (p.equals("/**")) {
                out.add("/");
            } else if (p.endsWith("/**")) {
                out.add(p.substring(0, p.length() - 3));
            }
        }
        return out;
    }

    /** Parses {@code json}, the value of the {@code rule} argument. */
    Rule parse(JsonNode json) {
        String at = "rule";
        ObjectNode obj = object(json, at);
        only(obj, at, "id", "enabled", "description", "trigger", "conditions", "actions", "cooldown_ms");
        String id = text(obj, "id", at, true);
        if (!ID.matcher(id).matches()) {
            throw bad(at + ".id", "'" + id + "' must be 1 to 59 of a-z 0-9 _ . - starting with a letter or digit");
        }
        boolean enabled = true;
        JsonNode en = obj.get("enabled");
        if (en != null) {
            if (!en.isBoolean()) {
                throw bad(at + ".enabled", "must be true or false");
            }
            enabled = en.asBoolean();
        }
        String description = text(obj, "description", at, false);
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw bad(at + ".description", "is longer than " + MAX_DESCRIPTION + " characters");
        }
        Trigger trigger = trigger(require(obj, "trigger", at), at + ".trigger");
        List<Condition> conditions = conditions(obj.get("conditions"), at + ".conditions", trigger);
        List<Action> actions = this.actions.actions(require(obj, "actions", at), at + ".actions", trigger);
        long cooldown = 0;
        if (obj.has("cooldown_ms")) {
            cooldown = integer(obj.get("cooldown_ms"), at + ".cooldown_ms", 0, Long.MAX_VALUE);
        }
        ObjectNode source = obj.deepCopy();
        source.put("enabled", enabled);
        return new Rule(id, enabled, trigger, conditions, actions, cooldown, source);
    }

    private Trigger trigger(JsonNode json, String at) {
        ObjectNode obj = object(json, at);
        String type = text(obj, "type", at, true);
        switch (type) {
            case "on_change" -> {
                only(obj, at, "type", "pattern");
                return new Trigger.OnChange(heard(pattern(obj, "pattern", at), at + ".pattern", changeRoots, "changes"));
            }
            case "on_threshold" -> {
                only(obj, at, "type", "pattern", "pointer", "field", "value", "direction");
                PathPattern pattern = heard(pattern(obj, "pattern", at), at + ".pattern", changeRoots, "changes");
                JsonPointer pointer = pointer(obj, at);
                double value = number(require(obj, "value", at), at + ".value");
                String dir = text(obj, "direction", at, false);
                Trigger.Direction direction;
                if (dir == null || dir.equals("above")) {
                    direction = Trigger.Direction.ABOVE;
                } else if (dir.equals("below")) {
                    direction = Trigger.Direction.BELOW;
                } else {
                    throw bad(at + ".direction", "'" + dir + "' must be 'above' or 'below'");
                }
                return new Trigger.OnThreshold(pattern, pointer, value, direction);
            }
            case "on_event" -> {
                only(obj, at, "type", "topic");
                return new Trigger.OnEvent(heard(pattern(obj, "topic", at), at + ".topic", eventRoots, "events"));
            }
            case "on_interval" -> {
                only(obj, at, "type", "period_ms");
                long period = integer(require(obj, "period_ms", at), at + ".period_ms", 1, Long.MAX_VALUE);
                if (period < limits.minIntervalMs()) {
                    throw bad(at + ".period_ms", period + " is below the minimum of " + limits.minIntervalMs()
                            + " ms (config min_interval_ms)");
                }
                return new Trigger.OnInterval(period);
            }
            default -> throw bad(at + ".type", "unknown trigger '" + type + "'; known: " + TRIGGERS);
        }
    }

    private List<Condition> conditions(JsonNode json, String at, Trigger trigger) {
        List<Condition> out = new ArrayList<>();
        if (json == null) {
            return out;
        }
        if (!json.isArray()) {
            throw bad(at, "must be an array");
        }
        if (json.size() > limits.maxConditions()) {
            throw bad(at, "has " + json.size() + " conditions; at most " + limits.maxConditions()
                    + " are allowed (config max_conditions)");
        }
        for (int i = 0; i < json.size(); i++) {
            String here = at + "[" + i + "]";
            ObjectNode obj = object(json.get(i), here);
            only(obj, here, "op", "value", "key", "pointer", "field");
            String opName = text(obj, "op", here, true);
            Comparison op = Comparison.named(opName);
            if (op == null) {
                throw bad(here + ".op", "unknown operator '" + opName + "'; known: " + Comparison.KNOWN);
            }
            JsonNode value = require(obj, "value", here);
            if (op.isOrdering() && !value.isNumber() && !value.isTextual()) {
                throw bad(here + ".value", "'" + opName + "' compares numbers or strings, not " + value.getNodeType().name().toLowerCase());
            }
            String key = text(obj, "key", here, false);
            if (key != null) {
                key(key, here + ".key");
                if (!manifest.mayRead(key)) {
                    throw forbidden(here + ".key", "'" + key + "' is outside what the rules plugin may read " + manifest.kvRead());
                }
            } else if (trigger instanceof Trigger.OnInterval) {
                throw bad(here + ".key", "is required: an on_interval rule has no trigger value to test");
            }
            out.add(new Condition(op, pointer(obj, here), key, value.deepCopy()));
        }
        return out;
    }

    /** Refuses a pattern the plugin would never hear, so a rule cannot silently never fire. */
    private PathPattern heard(PathPattern pattern, String at, List<String> roots, String what) {
        String literal = pattern.literalPrefix();
        if (roots.stream().noneMatch(r -> Keys.isUnder(literal, r))) {
            throw forbidden(at, "'" + pattern + "' reaches outside the " + what + " the rules plugin hears (under "
                    + roots + "); see docs/rules.md");
        }
        return pattern;
    }

    /** {@code FORBIDDEN} with the message {@code <at>: <problem>}. */
    static PandoException forbidden(String at, String problem) {
        return RuleJson.forbidden(at, problem);
    }
}
