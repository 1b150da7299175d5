package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PluginContext;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Set;

/**
 * The {@code rules.*} ops. Changes to the rule set (put, delete, enable, disable) are serialised
 * by one lock so the store and the engine never disagree; they are rare, firings are not, and
 * firings never take this lock.
 */
final class RuleOps {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final PluginContext context;
    private final RulesConfig config;
    private final RuleParser parser;
    private final RuleEngine engine;
    private final RuleStore store;
    private final Object lock = new Object();

    RuleOps(PluginContext context, RulesConfig config, RuleParser parser, RuleEngine engine, RuleStore store) {
        this.context = context;
        this.config = config;
        this.parser = parser;
        this.engine = engine;
        this.store = store;
    }

    /**
     * Installs every stored rule. A rule that no longer validates (the plugin's prefixes or limits
     * changed) is left in the store, logged and not run; its author's rights are checked when it fires.
     */
    int loadAll() {
        int loaded = 0;
        for (KvEntry e : store.loadAll()) {
            try {
                JsonNode doc = e.value();
                Rule rule = parser.parse(doc.get("rule"));
                RuleState state = new RuleState(rule, RuleStore.author(doc), doc.path("created").asLong(),
                        doc.path("updated").asLong(), new RuleStats());
                store.restoreMemory(state);
                engine.install(state);
                loaded++;
            } catch (RuntimeException ex) {
                context.log().error("rules: stored rule {} is not loaded: {}", e.key(), ex.getMessage());
            }
        }
        return loaded;
    }

    JsonNode handle(OpCall call) {
        JsonNode args = call.args() == null || call.args().isNull() ? JSON.objectNode() : call.args();
        if (!args.isObject()) {
            throw PandoException.badRequest(call.op() + ": args must be an object");
        }
        return switch (call.verb()) {
            case "put" -> put(args, call.caller());
            case "get" -> get(args);
            case "list" -> list(args);
            case "delete" -> delete(args, call.caller());
            case "enable" -> setEnabled(args, call.caller(), true);
            case "disable" -> setEnabled(args, call.caller(), false);
            case "test" -> test(args, call.caller());
            default -> throw new PandoException(ErrorCode.NOT_FOUND, "unknown op " + call.op());
        };
    }

    private JsonNode put(JsonNode args, Caller caller) {
        only(args, "rules.put", "rule");
        if (!args.has("rule")) {
            throw PandoException.badRequest("rule: is required");
        }
        Rule rule = parser.parse(args.get("rule"));
        RuleAuthority.checkStatic(rule, caller, context);
        synchronized (lock) {
            RuleState existing = engine.get(rule.id());
            long now = context.clock().millis();
            if (existing != null) {
                requireManage("rules.put", existing, caller);
            } else if (engine.size() >= config.maxRules()) {
                throw PandoException.badRequest("rules.put: already " + engine.size() + " rules; at most "
                        + config.maxRules() + " are allowed (config max_rules)");
            }
            // A replaced rule belongs to whoever replaced it: it acts with their rights from now on.
            RuleState state = new RuleState(rule, caller.name(), existing == null ? now : existing.created(), now,
                    existing == null ? new RuleStats() : existing.stats());
            store.clearMemory(rule.id());
            store.save(state);
            engine.install(state);
            return state.toView();
        }
    }

    private JsonNode get(JsonNode args) {
        only(args, "rules.get", "id");
        return find(id(args)).toView();
    }

    private JsonNode list(JsonNode args) {
        only(args, "rules.list");
        ObjectNode out = JSON.objectNode();
        ArrayNode rules = out.putArray("rules");
        engine.all().stream().sorted(Comparator.comparing(RuleState::id)).forEach(s -> rules.add(s.toView()));
        ObjectNode stats = out.putObject("stats");
        stats.put("rules", engine.size());
        stats.put("depthLimited", engine.depthLimited.get());
        stats.put("forbidden", engine.forbidden.get());
        stats.put("errors", engine.errors.get());
        stats.put("pendingDelays", engine.pendingDelays());
        return out;
    }

    private JsonNode delete(JsonNode args, Caller caller) {
        only(args, "rules.delete", "id");
        String id = id(args);
        synchronized (lock) {
            RuleState s = find(id);
            requireManage("rules.delete", s, caller);
            store.delete(id);
            engine.remove(id);
            store.clearMemory(id);
        }
        ObjectNode out = JSON.objectNode();
        out.put("id", id);
        out.put("deleted", true);
        return out;
    }

    private JsonNode setEnabled(JsonNode args, Caller caller, boolean on) {
        String op = on ? "rules.enable" : "rules.disable";
        only(args, op, "id");
        synchronized (lock) {
            RuleState s = find(id(args));
            requireManage(op, s, caller);
            RuleState next = new RuleState(s.rule().withEnabled(on), s.author(), s.created(), context.clock().millis(), s.stats());
            store.clearMemory(next.id());
            store.save(next);
            engine.install(next);
            return next.toView();
        }
    }

    /**
     * Evaluates a stored rule ({@code id}, with its author's current rights) or a new one
     * ({@code rule}, validated as {@code put} would, with the caller's rights) against a sample:
     * {@code change: {key, value}} ({@code value} absent or null: a delete), {@code event: {topic,
     * payload}}, or neither (an interval tick). {@code previous} is the number before the change,
     * for threshold rules; without it the rule is taken as armed. Nothing is written, published or
     * remembered; cooldown and cascade depth are not considered.
     */
    private JsonNode test(JsonNode args, Caller caller) {
        only(args, "rules.test", "id", "rule", "change", "event", "previous");
        if (args.has("id") == args.has("rule")) {
            throw PandoException.badRequest("rules.test: give exactly one of 'id' (a stored rule) and 'rule' (a new one)");
        }
        Rule rule;
        Caller authority;
        if (args.has("rule")) {
            rule = parser.parse(args.get("rule"));
            RuleAuthority.checkStatic(rule, caller, context);
            authority = caller;
        } else {
            RuleState s = find(id(args));
            rule = s.rule();
            authority = context.principal(s.author());
        }
        TriggerInput input = sample(args);
        JsonNode prev = args.get("previous");
        if (prev != null && !prev.isNumber()) {
            throw PandoException.badRequest("previous: must be a number");
        }
        RuleEngine.Crossing crossing = (t, key, x) -> t.beyond(x) && (prev == null || !t.beyond(prev.asDouble()));
        Evaluation ev = engine.evaluate(rule, authority, input, crossing);
        ObjectNode out = JSON.objectNode();
        out.put("id", rule.id());
        out.put("enabled", rule.enabled());
        out.put("fires", ev.fires());
        out.put("reason", ev.reason());
        ArrayNode actions = out.putArray("actions");
        ev.actions().forEach(a -> actions.add(a.toJson()));
        return out;
    }

    private static TriggerInput sample(JsonNode args) {
        JsonNode change = args.get("change");
        JsonNode event = args.get("event");
        if (change != null && event != null) {
            throw PandoException.badRequest("rules.test: give 'change' or 'event', not both");
        }
        if (change != null) {
            if (!change.isObject()) {
                throw PandoException.badRequest("change: must be an object {key, value}");
            }
            only(change, "change", "key", "value");
            String key = sampleKey(change, "key", "change");
            JsonNode value = change.get("value");
            return new TriggerInput(TriggerInput.Kind.CHANGE, key, value == null || value.isNull() ? null : value, "test", 0);
        }
        if (event != null) {
            if (!event.isObject()) {
                throw PandoException.badRequest("event: must be an object {topic, payload}");
            }
            only(event, "event", "topic", "payload");
            return new TriggerInput(TriggerInput.Kind.EVENT, sampleKey(event, "topic", "event"), event.get("payload"), "test", 0);
        }
        return TriggerInput.tick();
    }

    private static String sampleKey(JsonNode obj, String field, String at) {
        JsonNode k = obj.get(field);
        if (k == null || !k.isTextual()) {
            throw PandoException.badRequest(at + "." + field + ": is required and must be a string");
        }
        try {
            return dev.pando.api.path.Keys.requireValid(k.asText());
        } catch (PandoException e) {
            throw PandoException.badRequest(at + "." + field + ": " + e.getMessage());
        }
    }

    /** Only the author, or someone with admin rights over the rule's stored key, may change a rule. */
    private void requireManage(String op, RuleState s, Caller caller) {
        if (!caller.name().equals(s.author()) && !caller.may(Access.ADMIN, store.keyOf(s.id()))) {
            throw RuleAuthority.notYours(op, s.id(), s.author(), caller.name());
        }
    }

    private RuleState find(String id) {
        RuleState s = engine.get(id);
        if (s == null) {
            throw new PandoException(ErrorCode.NOT_FOUND, "no rule '" + id + "'");
        }
        return s;
    }

    private static String id(JsonNode args) {
        JsonNode id = args.get("id");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            throw PandoException.badRequest("id: is required and must be a non-empty string");
        }
        return id.asText();
    }

    private static void only(JsonNode obj, String at, String... known) {
        Set<String> allowed = Set.of(known);
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw PandoException.badRequest(at + "." + name + ": unknown field"
                        + (known.length == 0 ? "; it takes no arguments" : "; known: " + String.join(", ", known)));
            }
        }
    }
}
