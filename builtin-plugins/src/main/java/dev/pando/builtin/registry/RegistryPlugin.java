package dev.pando.builtin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.api.plugin.PluginContext;
import dev.pando.builtin.registry.Entity.Status;

/**
 * The builtin entity registry: Ed25519-keyed entities (devices, users, services, nodes) with tags,
 * metadata, granted scopes and owned namespaces; challenge-response login to {@code ent_} bearer
 * tokens the node accepts through the validator this plugin registers; lock, unlock and grants
 * per namespace. Written against the public plugin API only. See {@code docs/registry.md}.
 */
public final class RegistryPlugin implements PandoPlugin {
    private volatile Ops ops;

    private record Ops(EntityOps entities, NamespaceOps namespaces, TokenOps tokens) {}

    @Override
    public void start(PluginContext context) {
        Registry registry = new Registry(context, RegistryConfig.from(context.config()));
        registry.load();
        registry.register(registry.validator());
        ops = new Ops(new EntityOps(registry), new NamespaceOps(registry), new TokenOps(registry));
        context.log().info("registry: {} entities, {} namespaces, {} live tokens loaded", registry.directory.entities().size(),
                registry.directory.namespaces().size(), registry.tokens.size());
    }

    @Override
    public JsonNode call(OpCall call) {
        Ops o = ops;
        if (o == null) {
            throw new PandoException(ErrorCode.UNAVAILABLE, "registry: not started");
        }
        return switch (call.verb()) {
            case "register" -> o.entities().register(call);
            case "get" -> o.entities().get(call);
            case "list" -> o.entities().list(call);
            case "update" -> o.entities().update(call);
            case "suspend" -> o.entities().setStatus(call, Status.SUSPENDED);
            case "activate" -> o.entities().setStatus(call, Status.ACTIVE);
            case "revoke" -> o.entities().setStatus(call, Status.REVOKED);
            case "lock" -> o.namespaces().lock(call);
            case "unlock" -> o.namespaces().unlock(call);
            case "grant" -> o.namespaces().grant(call);
            case "ungrant" -> o.namespaces().ungrant(call);
            case "namespaces" -> o.namespaces().namespaces(call);
            case "challenge" -> o.tokens().challenge(call);
            case "token" -> o.tokens().token(call);
            default -> throw new PandoException(ErrorCode.NOT_FOUND, "unknown op " + call.op());
        };
    }

    @Override
    public void stop() {
        ops = null; // the host withdraws the validator it registered
    }
}
