package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.Access;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.PluginContext;
import dev.pando.api.plugin.TopicEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Evaluates the installed rules against changes, events and interval ticks, and carries out
 * their actions. Changes and events arrive on the host's listener thread: the actions up to the
 * first {@code delay} run there (each is one durable write), the rest go to the scheduler, so the
 * listener never waits. Interval rules fire on the scheduler thread.
 *
 * <p>Loop safety: a rule ignores inputs written or published by itself ({@code
 * plugin:rules/rule:<id>}), and a firing whose input is already {@code max_cascade_depth} rule
 * writes deep is refused, logged and counted ({@link CascadeTracker}).
 */
final class RuleEngine implements AutoCloseable {
    /** How a firing learns whether a threshold was crossed; live rules remember, tests do not. */
    interface Crossing {
        boolean crossed(Trigger.OnThreshold trigger, String key, double x);
    }

    private final PluginContext context;
    private final RuleStore store;
    private final String ownPrefix;
    private final RulesConfig config;
    private final Scheduler scheduler;
    private final Logger log;
    private final String writerPrefix;
    private final Map<String, RuleState> rules = new ConcurrentHashMap<>();
    private final CascadeTracker cascade;
    private final AtomicInteger pendingDelays = new AtomicInteger();
    final AtomicLong depthLimited = new AtomicLong();
    final AtomicLong forbidden = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    private volatile boolean closed;
    /** Installed rules that fire on changes; while there are none, the feed need not be read at all. */
    private final AtomicInteger changeRules = new AtomicInteger();
    private volatile Consumer<Runnable> firstChangeRule = Runnable::run;

    RuleEngine(PluginContext context, RuleStore store, RulesConfig config, Scheduler scheduler) {
        this.context = context;
        this.store = store;
        this.ownPrefix = context.manifest().defaultPrefix();
        this.config = config;
        this.scheduler = scheduler;
        this.log = context.log();
        this.writerPrefix = "plugin:" + context.pluginId() + "/";
        this.cascade = new CascadeTracker(writerPrefix + Rule.actorOf(""));
    }

    RuleState get(String id) {
        return rules.get(id);
    }

    Collection<RuleState> all() {
        return rules.values();
    }

    int size() {
        return rules.size();
    }

    int pendingDelays() {
        return pendingDelays.get();
    }

    /** Installs {@code state}, replacing (and retiring) any rule with its id; starts its interval. */
    void install(RuleState state) {
        if (changeRules.get() == 0 && firesOnChanges(state)) {
            firstChangeRule.accept(() -> put(state));
        } else {
            put(state);
        }
    }

    private void put(RuleState state) {
        RuleState old = rules.put(state.id(), state);
        if (old != null) {
            old.retire();
        }
        if (!closed && state.rule().enabled() && state.rule().trigger() instanceof Trigger.OnInterval i) {
            state.interval(scheduler.every(() -> tick(state), i.periodMs()));
        }
        changeRules.addAndGet(count(state) - count(old));
    }

    void remove(String id) {
        RuleState old = rules.remove(id);
        if (old != null) {
            old.retire();
        }
        changeRules.addAndGet(-count(old));
    }

    /** True while some enabled rule fires on committed changes. */
    boolean watchesChanges() {
        return changeRules.get() > 0;
    }

    /**
     * Hands the installation of the first rule that fires on changes (while none does) to
     * {@code around}, which runs it: the feed pump moves its cursor to the head first, so the
     * rule is not fed changes older than itself, and wakes once it is in.
     */
    void aroundFirstChangeRule(Consumer<Runnable> around) {
        firstChangeRule = around;
    }

    private static boolean firesOnChanges(RuleState s) {
        return s.rule().enabled() && s.rule().trigger().reactsToChanges();
    }

    /**
     * 1 if {@code s} fires on changes, else 0 (also for none): what it adds to
     * {@link #changeRules}. Each put or remove adds what it brought minus what it replaced, so the
     * count stays exact under concurrent installs without a scan of every rule each time.
     */
    private static int count(RuleState s) {
        return s != null && firesOnChanges(s) ? 1 : 0;
    }

    void onChange(KvChange change) {
        if (Keys.isUnder(change.key(), ownPrefix)) {
            return; // the plugin's own rules and memory are not state rules react to
        }
        dispatch(TriggerInput.of(change), cascade.depthOf(change));
    }

    void onEvent(TopicEvent event) {
        dispatch(TriggerInput.of(event), cascade.depthOf(event));
    }

    private void dispatch(TriggerInput input, int depth) {
        if (closed) {
            return;
        }
        for (RuleState s : rules.values()) {
            if (s.rule().enabled() && s.rule().trigger().matches(input)) {
                fire(s, input, depth);
            }
        }
    }

    private void tick(RuleState s) {
        if (current(s)) {
            fire(s, TriggerInput.tick(), 0);
        }
    }

    /** True while {@code s} is the installed, enabled version of its rule. */
    private boolean current(RuleState s) {
        return !closed && rules.get(s.id()) == s && s.rule().enabled();
    }

    private void fire(RuleState s, TriggerInput input, int depth) {
        Rule rule = s.rule();
        Remembering crossing = new Remembering(s);
        boolean claimed = false;
        try {
            Evaluation ev = evaluate(rule, context.principal(s.author()), input, crossing);
            if (!ev.fires()) {
                if (ev.denied()) {
                    s.stats().forbidden.incrementAndGet();
                    forbidden.incrementAndGet();
                    log.warn("rule '{}' skipped: {}", rule.id(), ev.reason());
                }
                return;
            }
            if (depth >= config.maxCascadeDepth()) {
                s.stats().depthLimited.incrementAndGet();
                depthLimited.incrementAndGet();
                s.stats().lastError = "cascade depth limit " + config.maxCascadeDepth() + " reached on " + input.path();
                log.error("rule '{}' refused: its input {} is already {} rule writes deep (max_cascade_depth {}); a rule cascade was cut",
                        rule.id(), input.path(), depth, config.maxCascadeDepth());
                return;
            }
            long now = context.clock().millis();
            if (!s.claim(now)) {
                s.stats().cooldownSkips.incrementAndGet();
                return;
            }
            claimed = true;
            s.stats().fired.incrementAndGet();
            s.stats().lastFiredAt = now;
            run(s, ev.actions(), 0, depth + 1);
        } catch (RuntimeException e) {
            s.stats().error(e.getMessage());
            errors.incrementAndGet();
            log.warn("rule '{}' failed: {}", rule.id(), e.toString());
        } finally {
            // After the actions, so a crash in between fires again rather than not at all.
            remember(s, crossing, claimed && rule.cooldownMs() > 0);
        }
    }

    /** Saves what a firing changed of the rule's memory; a failure is logged, never thrown. */
    private void remember(RuleState s, Remembering crossing, boolean fired) {
        if (rules.get(s.id()) != s || (crossing.move == RuleState.Move.STAYED && !fired)) {
            return; // a replaced rule's memory was cleared and must stay so
        }
        try {
            if (crossing.move != RuleState.Move.STAYED) {
                store.saveBeyond(s.id(), crossing.key, crossing.move == RuleState.Move.CROSSED);
            }
            if (fired) {
                store.saveFired(s.id(), s.stats().lastFiredAt);
            }
        } catch (RuntimeException e) {
            log.warn("rule '{}': its memory was not saved, a restart may fire it again: {}", s.id(), e.toString());
        }
    }

    /** The live rule's crossing: remembers the move so the firing can save it. */
    private static final class Remembering implements Crossing {
        private final RuleState state;
        private RuleState.Move move = RuleState.Move.STAYED;
        private String key;

        Remembering(RuleState state) {
            this.state = state;
        }

        @Override
        public boolean crossed(Trigger.OnThreshold trigger, String key, double x) {
            this.key = key;
            this.move = state.move(trigger, key, x);
            return move == RuleState.Move.CROSSED;
        }
    }

    /**
     * Works out what {@code rule} would do for {@code input} with {@code author}'s rights, without
     * writing anything. Shared by real firings and {@code rules.test}, so a test says exactly what
     * a firing would do (cooldown and cascade depth aside).
     */
    Evaluation evaluate(Rule rule, Caller author, TriggerInput input, Crossing crossing) {
        Trigger trigger = rule.trigger();
        if (!trigger.matches(input)) {
            return Evaluation.no("the trigger (" + trigger.type() + ") does not match");
        }
        if (input.writer() != null && input.writer().equals(writerPrefix + rule.actor())) {
            return Evaluation.no("the input is this rule's own output");
        }
        if (trigger instanceof Trigger.OnThreshold t) {
            JsonNode x = input.value() == null ? null : input.value().at(t.pointer());
            if (x == null || !x.isNumber()) {
                return Evaluation.no("no number at '" + t.pointer() + "' in the value");
            }
            if (!crossing.crossed(t, input.path(), x.asDouble())) {
                return Evaluation.no("no crossing of " + Transform.num(t.value()) + " " + t.direction().name().toLowerCase());
            }
        }
        if (input.path() != null && !author.may(Access.READ, input.path())) {
            return Evaluation.deny(RuleAuthority.cannot(author.name(), "read", input.path()));
        }
        List<Condition> conditions = rule.conditions();
        for (int i = 0; i < conditions.size(); i++) {
            Condition c = conditions.get(i);
            JsonNode subject = input.value();
            if (c.onKey()) {
                if (!author.may(Access.READ, c.key())) {
                    return Evaluation.deny(RuleAuthority.cannot(author.name(), "read", c.key()));
                }
                subject = context.kv().get(c.key()).map(KvEntry::value).orElse(null);
            }
            if (!c.test(subject)) {
                return Evaluation.no("conditions[" + i + "] does not hold: " + c.describe());
            }
        }
        List<PlannedAction> plan = plan(rule, input);
        String denial = RuleAuthority.denial(author, plan);
        return denial != null ? Evaluation.deny(denial) : Evaluation.fire(plan);
    }

    private static List<PlannedAction> plan(Rule rule, TriggerInput input) {
        List<PlannedAction> plan = new ArrayList<>();
        for (Action a : rule.actions()) {
            if (a instanceof Action.Set s) {
                plan.add(PlannedAction.set(s.key(), s.value().deepCopy()));
            } else if (a instanceof Action.Publish p) {
                JsonNode payload = p.payload() != null ? p.payload() : input.value();
                plan.add(PlannedAction.publish(p.topic(), payload == null ? NullNode.getInstance() : payload.deepCopy()));
            } else if (a instanceof Action.SetFromTrigger f) {
                JsonNode source = input.value() == null ? null : input.value().at(f.pointer());
                if (source == null || source.isMissingNode() || source.isNull()) {
                    plan.add(PlannedAction.skippedSet(f.key(), "no value at '" + f.pointer() + "' in the trigger value"));
                    continue;
                }
                Optional<JsonNode> v = f.transform() == null ? Optional.of(source.deepCopy()) : f.transform().apply(source);
                plan.add(v.map(value -> PlannedAction.set(f.key(), value))
                        .orElseGet(() -> PlannedAction.skippedSet(f.key(), "the transform has no result for " + source)));
            } else if (a instanceof Action.Delay d) {
                plan.add(PlannedAction.delay(d.ms()));
            }
        }
        return plan;
    }

    /** Carries out {@code plan} from {@code from}; a delay hands the rest to the scheduler. */
    private void run(RuleState s, List<PlannedAction> plan, int from, int depth) {
        PluginContext actor = context.actingAs(s.rule().actor());
        String writer = writerPrefix + s.rule().actor();
        for (int i = from; i < plan.size(); i++) {
            if (!current(s)) {
                return; // deleted, replaced or disabled meanwhile: its pending steps die with it
            }
            PlannedAction a = plan.get(i);
            if (a.isDelay()) {
                later(s, plan, i + 1, depth, a.delayMs());
                return;
            }
            if (a.skipped() != null) {
                s.stats().skippedActions.incrementAndGet();
                log.debug("rule '{}' actions[{}] skipped: {}", s.id(), i, a.skipped());
                continue;
            }
            // Again for every action: a delayed step runs long after the firing's checks.
            Caller author = context.principal(s.author());
            if (!author.may(Access.WRITE, a.target())) {
                s.stats().forbidden.incrementAndGet();
                forbidden.incrementAndGet();
                log.warn("rule '{}' stopped at actions[{}]: {}", s.id(), i,
                        RuleAuthority.cannot(author.name(), a.writes() ? "write" : "publish on", a.target()));
                return;
            }
            try {
                if (a.writes()) {
                    cascade.set(actor, a.target(), a.value(), depth);
                } else {
                    cascade.publish(actor, writer, a.target(), a.value(), depth);
                }
            } catch (RuntimeException e) {
                // The rest of the list may rely on this step; stop rather than half-apply it.
                s.stats().error("actions[" + i + "]: " + e.getMessage());
                errors.incrementAndGet();
                log.warn("rule '{}' actions[{}] failed, the rest of this firing is dropped: {}", s.id(), i, e.getMessage());
                return;
            }
        }
    }

    private void later(RuleState s, List<PlannedAction> plan, int next, int depth, long delayMs) {
        if (pendingDelays.incrementAndGet() > config.maxPendingDelays()) {
            pendingDelays.decrementAndGet();
            s.stats().error("too many delayed actions pending (max_pending_delays " + config.maxPendingDelays() + ")");
            errors.incrementAndGet();
            log.warn("rule '{}': {} delayed actions already pending (max_pending_delays); this firing's rest is dropped",
                    s.id(), config.maxPendingDelays());
            return;
        }
        scheduler.once(() -> {
            pendingDelays.decrementAndGet();
            try {
                run(s, plan, next, depth);
            } catch (RuntimeException e) {
                s.stats().error(e.getMessage());
                errors.incrementAndGet();
                log.warn("rule '{}' delayed actions failed: {}", s.id(), e.toString());
            }
        }, delayMs);
    }

    @Override
    public void close() {
        closed = true;
        rules.values().forEach(RuleState::retire);
    }
}
