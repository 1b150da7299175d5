package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.OpArgs;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PluginContext;
import java.util.Comparator;
import java.util.Optional;

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
        Caller caller = call.caller();
        return switch (call.verb()) {
            case "put" -> put(OpArgs.of(call, "rule"), caller);
            case "get" -> find(id(OpArgs.of(call, "id"))).toView();
            case "list" -> list(OpArgs.of(call));
            case "delete" -> delete(OpArgs.of(call, "id"), caller);
            case "enable" -> setEnabled(OpArgs.of(call, "id"), caller, true);
            case "disable" -> setEnabled(OpArgs.of(call, "id"), caller, false);
            case "test" -> test(OpArgs.of(call, "id", "rule", "change", "event", "previous"), caller);
            default -> throw new PandoException(ErrorCode.NOT_FOUND, "unknown op " + call.op());
        };
    }

    private JsonNode put(OpArgs args, Caller caller) {
        Rule rule = parser.parse(args.anyValue("rule"));
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

    private JsonNode list(OpArgs args) {
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

    private JsonNode delete(OpArgs args, Caller caller) {
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

    private JsonNode setEnabled(OpArgs args, Caller caller, boolean on) {
        String op = args.op();
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
    private JsonNode test(OpArgs args, Caller caller) {
        if (args.has("id") == args.has("rule")) {
            throw PandoException.badRequest("rules.test: give exactly one of 'id' (a stored rule) and 'rule' (a new one)");
        }
        Rule rule;
        Caller authority;
        if (args.has("rule")) {
            rule = parser.parse(args.anyValue("rule"));
            RuleAuthority.checkStatic(rule, caller, context);
            authority = caller;
        } else {
            RuleState s = find(id(args));
            rule = s.rule();
            authority = context.principal(s.author());
        }
        TriggerInput input = sample(args);
        Optional<JsonNode> prev = args.optValue("previous");
        if (prev.isPresent() && !prev.get().isNumber()) {
            throw args.fail("previous", "must be a number, got " + prev.get());
        }
        RuleEngine.Crossing crossing = (t, key, x) -> t.beyond(x) && (prev.isEmpty() || !t.beyond(prev.get().asDouble()));
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

    private static TriggerInput sample(OpArgs args) {
        Optional<JsonNode> change = args.optObject("change");
        Optional<JsonNode> event = args.optObject("event");
        if (change.isPresent() && event.isPresent()) {
            throw PandoException.badRequest(args.op() + ": give 'change' or 'event', not both");
        }
        if (change.isPresent()) {
            OpArgs c = OpArgs.of(args.op() + " change", change.get(), "key", "value");
            return new TriggerInput(TriggerInput.Kind.CHANGE, c.optKey("key").orElseThrow(() -> c.fail("key", "is required")),
                    c.optValue("value").orElse(null), "test", 0);
        }
        if (event.isPresent()) {
            OpArgs e = OpArgs.of(args.op() + " event", event.get(), "topic", "payload");
            return new TriggerInput(TriggerInput.Kind.EVENT, e.optKey("topic").orElseThrow(() -> e.fail("topic", "is required")),
                    e.optValue("payload").orElse(NullNode.getInstance()), "test", 0);
        }
        return TriggerInput.tick();
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

    private static String id(OpArgs args) {
        String id = args.string("id");
        if (id.isEmpty()) {
            throw args.fail("id", "must not be empty");
        }
        return id;
    }
}
