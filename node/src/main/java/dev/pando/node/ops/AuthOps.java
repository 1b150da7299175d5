package dev.pando.node.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.plugin.OpArgs;
import dev.pando.node.auth.Authenticator;
import dev.pando.node.auth.NodeIdentity;
import dev.pando.node.auth.Principal;
import dev.pando.node.auth.Revocations;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.signing.cap.CapabilityToken;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * {@code node.whoami} (who the caller is and what they may do) and {@code admin.revoke}
 * (revoke a capability token by nonce, durably, cutting off the sessions that hold it).
 */
public final class AuthOps {
    private static final String[] REVOKE = {"nonce", "token"};
    private static final Pattern NONCE = Pattern.compile("[0-9a-f]{8,64}");

    private final Authenticator authenticator;
    private final Revocations revocations;
    private final NodeIdentity identity;

    public AuthOps(Authenticator authenticator, Revocations revocations, NodeIdentity identity) {
        this.authenticator = authenticator;
        this.revocations = revocations;
        this.identity = identity;
    }

    public List<OpSpec> specs() {
        return List.of(
                OpSpec.inline("node.whoami", Access.NONE, CoreOps.OWNER, this::whoami),
                OpSpec.inline("node.key", Access.NONE, CoreOps.OWNER, this::key),
                OpSpec.worker("admin.revoke", Access.ADMIN, CoreOps.OWNER, this::revoke));
    }

    /** The node's public key: what a peer puts in its trusted keys (federation), what capability tokens name as audience. */
    private CompletionStage<JsonNode> key(CallContext ctx, JsonNode args) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("nodeId", identity.nodeId());
        n.put("publicKey", HexFormat.of().formatHex(identity.keyPair().publicKey()));
        return CompletableFuture.completedFuture(n);
    }

    private CompletionStage<JsonNode> whoami(CallContext ctx, JsonNode args) {
        Principal p = ctx.principal();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("name", p.name());
        n.put("authenticated", p.isAuthenticated());
        n.put("mode", authenticator.mode().name().toLowerCase());
        p.scopes().stream().map(Scope::toString).forEach(n.putArray("scopes")::add);
        p.expiresAt().ifPresent(e -> n.put("expiresAt", e.toEpochMilli()));
        return CompletableFuture.completedFuture(n);
    }

    /**
     * Revokes {@code nonce}, or the nonce of {@code token} (its own link: the links above it stay
     * valid). Every token whose chain holds the nonce is refused from then on, across restarts;
     * open sessions holding one are cut off before this answers.
     */
    private CompletionStage<JsonNode> revoke(CallContext ctx, JsonNode json) {
        OpArgs args = OpArgs.of("admin.revoke", json, REVOKE);
        String nonce;
        if (args.optString("token").isPresent()) {
            if (args.optString("nonce").isPresent()) {
                throw PandoException.badRequest("admin.revoke: give 'nonce' or 'token', not both");
            }
            nonce = CapabilityToken.decode(args.string("token")).nonce();
        } else {
            nonce = args.string("nonce");
            if (!NONCE.matcher(nonce).matches()) {
                throw PandoException.badRequest("admin.revoke: 'nonce' must be 8 to 64 lower-case hex digits, as `pando token inspect` shows it");
            }
        }
        boolean fresh = revocations.revoke(nonce, ctx.principal().name());
        authenticator.invalidate(Authenticator.EVERYONE); // a revoked parent ends every token below it
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("nonce", nonce);
        n.put("revoked", true);
        n.put("already", !fresh);
        return CompletableFuture.completedFuture(n);
    }
}
