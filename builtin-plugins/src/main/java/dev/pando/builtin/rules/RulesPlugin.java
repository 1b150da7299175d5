package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.api.plugin.PluginContext;
import dev.pando.api.plugin.TopicEvent;
import java.util.function.Supplier;

/**
 * The builtin rules engine: reactive automation ({@code on_change}, {@code on_threshold},
 * {@code on_event}, {@code on_interval} triggers; conditions; {@code set}, {@code publish},
 * {@code set_from_trigger} and {@code delay} actions) that acts with its author's rights and
 * nothing more. Written against the public plugin API only. See {@code docs/rules.md}.
 */
public final class RulesPlugin implements PandoPlugin {
    private final Supplier<Scheduler> schedulers;
    /** Changes come from the durable feed (the node) or straight from onChange (unit tests). */
    private final boolean fromFeed;
    private volatile Scheduler scheduler;
    private volatile FeedPump pump;
    private volatile RuleEngine engine;
    private volatile RuleOps ops;

    public RulesPlugin() {
        this(ExecutorScheduler::new, true);
    }

    /** With the scheduler tests drive by hand, and changes delivered by {@link #onChange} directly. */
    RulesPlugin(Supplier<Scheduler> schedulers) {
        this(schedulers, false);
    }

    private RulesPlugin(Supplier<Scheduler> schedulers, boolean fromFeed) {
        this.schedulers = schedulers;
        this.fromFeed = fromFeed;
    }

    @Override
    public void start(PluginContext context) {
        RulesConfig config = RulesConfig.from(context.config());
        Scheduler s = schedulers.get();
        try {
            RuleStore store = new RuleStore(context.kv(), context.manifest().defaultPrefix());
            RuleEngine e = new RuleEngine(context, store, config, s);
            RuleOps o = new RuleOps(context, config, new RuleParser(context.manifest(), config), e, store);
            int loaded = o.loadAll();
            scheduler = s;
            engine = e;
            ops = o;
            if (fromFeed) {
                FeedPump p = new FeedPump(context.feed(), e::onChange, e::watchesChanges, context.log());
                p.start();
                e.aroundFirstChangeRule(p::aroundFirstRule);
                pump = p;
            }
            context.log().info("rules: {} rules loaded", loaded);
        } catch (RuntimeException e) {
            s.close(); // a failed start gets no stop(): release the thread here
            throw e;
        }
    }

    @Override
    public JsonNode call(OpCall call) {
        RuleOps o = ops;
        if (o == null) {
            throw new PandoException(ErrorCode.UNAVAILABLE, "rules: not started");
        }
        return o.handle(call);
    }

    @Override
    public void onChange(KvChange change) {
        RuleEngine e = engine;
        if (e != null && !fromFeed) {
            e.onChange(change);
        }
    }

    @Override
    public void onEvent(TopicEvent event) {
        RuleEngine e = engine;
        if (e != null) {
            e.onEvent(event);
        }
    }

    @Override
    public void stop() {
        FeedPump p = pump;
        if (p != null) {
            p.stop();
        }
        pump = null;
        RuleEngine e = engine;
        if (e != null) {
            e.close();
        }
        Scheduler s = scheduler;
        if (s != null) {
            s.close();
        }
        engine = null;
        ops = null;
        scheduler = null;
    }
}
