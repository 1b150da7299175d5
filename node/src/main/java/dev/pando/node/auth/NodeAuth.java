package dev.pando.node.auth;

import dev.pando.node.config.NodeConfig;
import dev.pando.node.dispatch.RateLimiter;
import dev.pando.node.kv.StateStore;
import dev.pando.signing.TrustedKeys;
import dev.pando.signing.cap.CapabilityVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;

/**
 * The node's authentication as configured: the mode ({@code auth.mode} on {@code bind}), the admin
 * token, and capability tokens rooted in the node's own key or one of {@code auth.trusted-issuers},
 * checked against the durable {@link Revocations}. Plugins add their validators later.
 */
public record NodeAuth(Authenticator authenticator, Revocations revocations) {

    public static NodeAuth create(NodeConfig config, NodeIdentity identity, AdminToken adminToken, StateStore store, Clock clock)
            throws IOException {
        AuthMode mode = AuthMode.resolve(config.get(NodeConfig.AUTH_MODE), config.get(NodeConfig.BIND));
        int cacheSize = config.get(NodeConfig.AUTH_CACHE_SIZE);
        long validations = config.get(NodeConfig.AUTH_VALIDATIONS_PER_SECOND);
        Authenticator auth = new Authenticator(mode, clock, cacheSize, new RateLimiter("token validation rate limit", validations, 2 * validations));
        auth.register("node", new AdminTokenValidator(adminToken.value()));
        Revocations revocations = new Revocations(store);
        String issuersPath = config.get(NodeConfig.AUTH_TRUSTED_ISSUERS);
        TrustedKeys issuers = issuersPath.isBlank() ? TrustedKeys.of() : TrustedKeys.load(Path.of(issuersPath));
        byte[] own = identity.keyPair().publicKey();
        CapabilityVerifier verifier = new CapabilityVerifier(key -> Arrays.equals(key, own) || issuers.contains(key),
                identity.nodeId(), config.get(NodeConfig.AUTH_MAX_DELEGATION_DEPTH), clock, revocations::isRevoked);
        auth.register("node", new CapabilityValidator(verifier, store, cacheSize));
        return new NodeAuth(auth, revocations);
    }
}
