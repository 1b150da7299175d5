package dev.pando.node.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.manifest.OpDecl;
import dev.pando.api.manifest.Permission;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.OpArgs;
import dev.pando.host.PluginStats;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.plugins.PluginManager;
import dev.pando.node.plugins.PluginState;
import dev.pando.node.plugins.PluginStatus;
import dev.pando.node.plugins.ReloadOutcome;
import dev.pando.node.plugins.ReloadReport;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code admin.reload} and {@code admin.plugins}: reload the plugins directory and list what is loaded. */
public final class PluginOps {
    private final PluginManager plugins;

    public PluginOps(PluginManager plugins) {
        this.plugins = plugins;
    }

    public List<OpSpec> specs() {
        return List.of(
                OpSpec.worker("admin.reload", Access.ADMIN, CoreOps.OWNER, this::reload),
                OpSpec.inline("admin.plugins", Access.ADMIN, CoreOps.OWNER, this::list));
    }

    private CompletionStage<JsonNode> reload(CallContext ctx, JsonNode args) {
        OpArgs a = OpArgs.of("admin.reload", args, "plugin");
        return CompletableFuture.completedFuture(report(a.optString("plugin").map(plugins::reload).orElseGet(plugins::reload)));
    }

    private CompletionStage<JsonNode> list(CallContext ctx, JsonNode args) {
        OpArgs.of("admin.plugins", args);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("directory", plugins.directory().toString());
        ArrayNode list = n.putArray("plugins");
        for (PluginStatus s : plugins.status()) {
            list.add(status(s));
        }
        return CompletableFuture.completedFuture(n);
    }

    /** The JSON form of a reload report, shared with the CLI's output. */
    public static ObjectNode report(ReloadReport r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("generation", r.generation());
        n.put("loadMs", r.loadMillis());
        n.put("swapMicros", r.swapMicros());
        for (PluginState a : PluginState.REPORTED) {
            n.put(a.reportName(), r.count(a));
        }
        ArrayNode list = n.putArray("outcomes");
        for (ReloadOutcome o : r.outcomes()) {
            list.add(outcome(o));
        }
        return n;
    }

    /** Absent values are written as null, except {@code previousVersion} and {@code error}, which are left out. */
    private static ObjectNode outcome(ReloadOutcome o) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", o.id().orElse(null));
        n.put("file", o.file().orElse(null));
        n.put("action", o.action().reportName());
        n.put("version", o.version().orElse(null));
        o.previousVersion().ifPresent(v -> n.put("previousVersion", v));
        o.error().ifPresent(e -> n.put("error", e));
        return n;
    }

    private static ObjectNode status(PluginStatus s) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", s.id().orElse(null));
        n.put("file", s.file());
        n.put("state", s.state().listingName());
        if (s instanceof PluginStatus.Failed f) {
            n.put("error", f.error());
            f.version().ifPresent(v -> n.put("version", v));
            return n;
        }
        PluginStatus.Serving p = (PluginStatus.Serving) s;
        PluginManifest m = p.manifest();
        n.put("version", m.version());
        n.put("kind", p.kind().name().toLowerCase(Locale.ROOT));
        n.put("signer", p.signer().orElse(null));
        n.put("hash", p.hash());
        n.put("loadedAt", p.loadedAt());
        ArrayNode ops = n.putArray("ops");
        for (OpDecl op : m.ops()) {
            ops.addObject().put("name", op.name()).put("scope", op.scope().name().toLowerCase(Locale.ROOT));
        }
        ObjectNode kv = n.putObject("kv");
        m.kvRead().forEach(kv.putArray("read")::add);
        m.kvWrite().forEach(kv.putArray("write")::add);
        ObjectNode listens = n.putObject("listens");
        m.listenChanges().forEach(listens.putArray("changes")::add);
        m.listenEvents().forEach(listens.putArray("events")::add);
        ArrayNode perms = n.putArray("permissions");
        m.permissions().stream().map(Permission::jsonName).sorted().forEach(perms::add);
        n.putObject("limits")
                .put("memoryPages", m.limits().memoryPages())
                .put("callTimeoutMs", m.limits().callTimeoutMs())
                .put("instances", m.limits().instances());
        PluginStats st = p.stats();
        n.putObject("stats")
                .put("calls", st.calls())
                .put("errors", st.errors())
                .put("timeouts", st.timeouts())
                .put("failures", st.failures())
                .put("busy", st.busy())
                .put("deliveries", st.deliveries())
                .put("deliveryErrors", st.deliveryErrors())
                .put("lastError", st.lastError());
        if (p.listenerOverflowed()) {
            n.put("listener", "cut off after falling behind; reload the plugin to resubscribe");
        }
        p.listenerStopped().ifPresent(why -> n.put("listener", "STOPPED: " + why));
        n.set("lastReload", outcome(p.lastReload()).put("at", p.lastReloadAt()));
        return n;
    }
}
