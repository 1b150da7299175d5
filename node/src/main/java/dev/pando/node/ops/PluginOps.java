package dev.pando.node.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.plugin.OpArgs;
import dev.pando.api.Access;
import dev.pando.api.manifest.OpDecl;
import dev.pando.api.manifest.Permission;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.PluginStats;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.plugins.PluginManager;
import dev.pando.node.plugins.PluginStatus;
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
        for (ReloadReport.Action a : ReloadReport.Action.values()) {
            n.put(a.name().toLowerCase(Locale.ROOT), r.count(a));
        }
        ArrayNode list = n.putArray("outcomes");
        for (ReloadReport.Outcome o : r.outcomes()) {
            list.add(outcome(o));
        }
        return n;
    }

    private static ObjectNode outcome(ReloadReport.Outcome o) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", o.id());
        n.put("file", o.file());
        n.put("action", o.action().name().toLowerCase(Locale.ROOT));
        n.put("version", o.version());
        if (o.previousVersion() != null) {
            n.put("previousVersion", o.previousVersion());
        }
        if (o.error() != null) {
            n.put("error", o.error());
        }
        return n;
    }

    private static ObjectNode status(PluginStatus s) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", s.id());
        n.put("file", s.file());
        n.put("state", s.state().name());
        if (s.error() != null) {
            n.put("error", s.error());
        }
        PluginManifest m = s.manifest();
        if (m == null) {
            if (s.lastReload() != null && s.lastReload().version() != null) {
                n.put("version", s.lastReload().version());
            }
            return n;
        }
        n.put("version", m.version());
        n.put("kind", s.kind().name().toLowerCase(Locale.ROOT));
        n.put("signer", s.signer());
        n.put("hash", s.hash());
        n.put("loadedAt", s.loadedAt());
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
        PluginStats st = s.stats();
        n.putObject("stats")
                .put("calls", st.calls())
                .put("errors", st.errors())
                .put("timeouts", st.timeouts())
                .put("failures", st.failures())
                .put("busy", st.busy())
                .put("deliveries", st.deliveries())
                .put("deliveryErrors", st.deliveryErrors())
                .put("lastError", st.lastError());
        if (s.listenerOverflowed()) {
            n.put("listener", "cut off after falling behind; reload the plugin to resubscribe");
        }
        s.listenerStopped().ifPresent(why -> n.put("listener", "STOPPED: " + why));
        if (s.lastReload() != null) {
            n.set("lastReload", outcome(s.lastReload()).put("at", s.lastReloadAt()));
        }
        return n;
    }
}
