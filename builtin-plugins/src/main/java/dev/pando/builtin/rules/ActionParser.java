package dev.pando.builtin.rules;

import static dev.pando.builtin.rules.RuleJson.bad;
import static dev.pando.builtin.rules.RuleJson.fmt;
import static dev.pando.builtin.rules.RuleJson.forbidden;
import static dev.pando.builtin.rules.RuleJson.integer;
import static dev.pando.builtin.rules.RuleJson.key;
import static dev.pando.builtin.rules.RuleJson.number;
import static dev.pando.builtin.rules.RuleJson.object;
import static dev.pando.builtin.rules.RuleJson.only;
import static dev.pando.builtin.rules.RuleJson.param;
import static dev.pando.builtin.rules.RuleJson.pointer;
import static dev.pando.builtin.rules.RuleJson.require;
import static dev.pando.builtin.rules.RuleJson.text;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.path.Keys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a rule's {@code actions} and their transforms, within the limits of the plugin's
 * configuration, and refuses a write target outside what the rules plugin may write.
 */
final class ActionParser {
    static final int MAX_MAP_ENTRIES = 1024;

    private static final String ACTIONS = "set, publish, set_from_trigger, delay";
    private static final String TRANSFORMS = "scale, clamp, threshold, invert, map";

    private final PluginManifest manifest;
    private final RulesConfig limits;

    ActionParser(PluginManifest manifest, RulesConfig limits) {
        this.manifest = manifest;
        this.limits = limits;
    }

    /** Parses the {@code actions} array at {@code at}; what an action may use depends on the rule's {@code trigger}. */
    List<Action> actions(JsonNode json, String at, Trigger trigger) {
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
}
