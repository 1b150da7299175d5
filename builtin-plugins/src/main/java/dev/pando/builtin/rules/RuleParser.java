package dev.pando.builtin.rules;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates a rule's JSON (see {@code docs/rules.md}). Strict like the manifest parser:
 * unknown fields, wrong types, unknown kinds, missing parameters, invalid keys or patterns and
 * limits exceeded are refused with {@code BAD_REQUEST}; keys and patterns outside what the rules
 * plugin itself may touch with {@code FORBIDDEN}. Every message starts with the field's path,
 * e.g. {@code rule.actions[1].transform.clamp: missing 'max'}.
 *
 * <p>It does not check the author's rights: that depends on who asks and when ({@link RuleAuthority}).
 */
final class RuleParser {
    /** Rule ids become a key segment and part of the writer name {@code plugin:rules/rule:<id>}. */
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,58}");
    static final int MAX_DESCRIPTION = 1024;
    static final int MAX_MAP_ENTRIES = 1024;

    private static final String TRIGGERS = "on_change, on_threshold, on_event, on_interval";
    private static final String ACTIONS = "set, publish, set_from_trigger, delay";
    private static final String TRANSFORMS = "scale, clamp, threshold, invert, map";

    private final PluginManifest manifest;
    private final RulesConfig limits;
    /** Roots the plugin hears changes under ({@code <root>/**} listen patterns). */
    private final List<String> changeRoots;
    private final List<String> eventRoots;

    RuleParser(PluginManifest manifest, RulesConfig limits) {
        this.manifest = manifest;
        this.limits = limits;
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
        List<Action> actions = actions(require(obj, "actions", at), at + ".actions", trigger);
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

    private List<Action> actions(JsonNode json, String at, Trigger trigger) {
        if (!json.isArray() || json.isEmpty()) {
            throw bad(at, "must be a non-empty array");
        }
        if (json.size() > limits.maxActions()) {
            throw bad(at, "has " + json.size() + " actions; at most " + limits.maxActions() + " are allowed (config max_actions)");
        }
        List<Action> out = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            String here = at + "[" + i + "]";
            ObjectNode obj = object(json.get(i), here);
            String type = text(obj, "type", here, true);
            switch (type) {
                case "set" -> {
                    only(obj, here, "type", "key", "value");
                    String key = target(obj, here);
                    JsonNode value = require(obj, "value", here);
                    if (value.isNull()) {
                        throw bad(here + ".value", "must not be null (a rule cannot delete)");
                    }
                    out.add(new Action.Set(key, value.deepCopy()));
                }
                case "publish" -> {
                    only(obj, here, "type", "topic", "payload");
                    String topic = text(obj, "topic", here, true);
                    key(topic, here + ".topic");
                    JsonNode payload = obj.get("payload");
                    out.add(new Action.Publish(topic, payload == null ? null : payload.deepCopy()));
                }
                case "set_from_trigger" -> {
                    only(obj, here, "type", "key", "pointer", "field", "transform");
                    if (trigger instanceof Trigger.OnInterval) {
                        throw bad(here + ".type", "set_from_trigger needs a trigger value; an on_interval rule has none");
                    }
                    String key = target(obj, here);
                    JsonPointer pointer = pointer(obj, here);
                    JsonNode t = obj.get("transform");
                    out.add(new Action.SetFromTrigger(key, pointer, t == null ? null : transform(t, here + ".transform")));
                }
                case "delay" -> {
                    only(obj, here, "type", "ms");
                    long ms = integer(require(obj, "ms", here), here + ".ms", 1, Long.MAX_VALUE);
                    if (ms > limits.maxDelayMs()) {
                        throw bad(here + ".ms", ms + " exceeds the maximum delay of " + limits.maxDelayMs() + " ms (config max_delay_ms)");
                    }
                    if (i == json.size() - 1) {
                        throw bad(here, "a delay must be followed by an action");
                    }
                    out.add(new Action.Delay(ms));
                }
                default -> throw bad(here + ".type", "unknown action '" + type + "'; known: " + ACTIONS);
            }
        }
        return out;
    }

    private Transform transform(JsonNode json, String at) {
        ObjectNode obj = object(json, at);
        if (obj.size() != 1) {
            throw bad(at, "must name exactly one transform (" + TRANSFORMS + "), found " + obj.size());
        }
        Map.Entry<String, JsonNode> e = obj.properties().iterator().next();
        String kind = e.getKey();
        String here = at + "." + kind;
        switch (kind) {
            case "scale" -> {
                ObjectNode p = object(e.getValue(), here);
                only(p, here, "factor", "offset");
                double offset = p.has("offset") ? number(p.get("offset"), here + ".offset") : 0;
                return new Transform.Scale(number(param(p, "factor", here), here + ".factor"), offset);
            }
            case "clamp", "invert" -> {
                ObjectNode p = object(e.getValue(), here);
                only(p, here, "min", "max");
                double min = number(param(p, "min", here), here + ".min");
                double max = number(param(p, "max", here), here + ".max");
                if (min > max) {
                    throw bad(here, "min " + fmt(min) + " is greater than max " + fmt(max));
                }
                return kind.equals("clamp") ? new Transform.Clamp(min, max) : new Transform.Invert(min, max);
            }
            case "threshold" -> {
                ObjectNode p = object(e.getValue(), here);
                only(p, here, "value");
                return new Transform.Threshold(number(param(p, "value", here), here + ".value"));
            }
            case "map" -> {
                ObjectNode p = object(e.getValue(), here);
                if (p.isEmpty()) {
                    throw bad(here, "must map at least one value");
                }
                if (p.size() > MAX_MAP_ENTRIES) {
                    throw bad(here, "has " + p.size() + " entries; at most " + MAX_MAP_ENTRIES + " are allowed");
                }
                Map<String, JsonNode> table = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> m : p.properties()) {
                    if (m.getValue().isNull()) {
                        throw bad(here + "." + m.getKey(), "must not be null (a rule cannot delete)");
                    }
                    table.put(m.getKey(), m.getValue().deepCopy());
                }
                return new Transform.MapTo(table);
            }
            default -> throw bad(here, "unknown transform '" + kind + "'; known: " + TRANSFORMS);
        }
    }

    // ---- pieces ----

    /** A write target: a valid key inside the plugin's write prefixes, never its own store. */
    private String target(ObjectNode obj, String at) {
        String key = text(obj, "key", at, true);
        key(key, at + ".key");
        if (Keys.isUnder(key, manifest.defaultPrefix())) {
            throw forbidden(at + ".key", "'" + key + "' is the rules plugin's own storage");
        }
        if (!manifest.mayWrite(key)) {
            throw forbidden(at + ".key", "'" + key + "' is outside what the rules plugin may write " + writable());
        }
        return key;
    }

    private List<String> writable() {
        return manifest.kvWrite().stream().filter(p -> !Keys.isUnder(p, manifest.defaultPrefix())).toList();
    }

    private static void key(String key, String at) {
        try {
            Keys.requireValid(key);
        } catch (PandoException e) {
            throw bad(at, e.getMessage());
        }
    }

    private static PathPattern pattern(ObjectNode obj, String field, String at) {
        String text = text(obj, field, at, true);
        try {
            return PathPattern.compile(text);
        } catch (PandoException e) {
            throw bad(at + "." + field, e.getMessage());
        }
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

    /** {@code pointer} (a JSON pointer) or {@code field} (a top-level field name); the whole value if neither. */
    private static JsonPointer pointer(ObjectNode obj, String at) {
        String p = text(obj, "pointer", at, false);
        String f = text(obj, "field", at, false);
        if (p != null && f != null) {
            throw bad(at, "give 'pointer' or 'field', not both");
        }
        if (f != null) {
            return JsonPointer.compile("/" + f.replace("~", "~0").replace("/", "~1"));
        }
        if (p == null) {
            return JsonPointer.empty();
        }
        try {
            return JsonPointer.compile(p);
        } catch (IllegalArgumentException e) {
            throw bad(at + ".pointer", "'" + p + "' is not a JSON pointer (RFC 6901: empty, or '/' followed by fields)");
        }
    }

    private static ObjectNode object(JsonNode json, String at) {
        if (json == null || !json.isObject()) {
            throw bad(at, "must be an object");
        }
        return (ObjectNode) json;
    }

    private static JsonNode require(ObjectNode obj, String field, String at) {
        JsonNode v = obj.get(field);
        if (v == null) {
            throw bad(at + "." + field, "is required");
        }
        return v;
    }

    /** A transform parameter: "missing 'max'" reads better than "max is required" inside a transform. */
    private static JsonNode param(ObjectNode obj, String field, String at) {
        JsonNode v = obj.get(field);
        if (v == null) {
            throw bad(at, "missing '" + field + "'");
        }
        return v;
    }

    private static String text(ObjectNode obj, String field, String at, boolean required) {
        JsonNode v = obj.get(field);
        if (v == null) {
            if (required) {
                throw bad(at + "." + field, "is required");
            }
            return null;
        }
        if (!v.isTextual() || (required && v.asText().isEmpty())) {
            throw bad(at + "." + field, "must be a " + (required ? "non-empty " : "") + "string");
        }
        return v.asText();
    }

    private static double number(JsonNode v, String at) {
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw bad(at, "must be a number");
        }
        return v.asDouble();
    }

    private static long integer(JsonNode v, String at, long min, long max) {
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw bad(at, "must be an integer " + (min == 0 ? ">= 0" : ">= " + min));
        }
        return v.asLong();
    }

    private static void only(ObjectNode obj, String at, String... known) {
        Set<String> allowed = Set.of(known);
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw bad(at + "." + name, "unknown field; known: " + String.join(", ", known));
            }
        }
    }

    private static String fmt(double d) {
        return Transform.num(d).asText();
    }

    static PandoException bad(String at, String problem) {
        return new PandoException(ErrorCode.BAD_REQUEST, at + ": " + problem);
    }

    static PandoException forbidden(String at, String problem) {
        return new PandoException(ErrorCode.FORBIDDEN, at + ": " + problem);
    }
}
