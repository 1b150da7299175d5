package dev.pando.signing.cap;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.signing.Ed25519KeyPair;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Verifies a capability token and its whole delegation chain: every link's own signature, every
 * link's time window, each link narrowing its parent (scopes covered, expiry no later), the chain
 * no deeper than {@code maxDepth}, the audience (when set) naming this node, no link's nonce
 * revoked, and the root issued by a key this node trusts. Any failure is {@code UNAUTHORIZED}
 * naming the link (0 is the token presented, 1 its parent, ...).
 */
public final class CapabilityVerifier {
    /** Default for {@code auth.max-delegation-depth}: links above the token presented. */
    public static final int DEFAULT_MAX_DEPTH = 5;

    private final Predicate<byte[]> trustedIssuer;
    private final String nodeId;
    private final int maxDepth;
    private final Clock clock;
    private final Predicate<String> revoked;

    /**
     * @param trustedIssuer  whether a root key (a 32-byte Ed25519 public key) is one this node
     *                       accepts, e.g. {@code TrustedKeys::contains}
     * @param nodeId         this node's id, matched against a token's audience
     * @param revoked        whether a nonce has been revoked
     */
    public CapabilityVerifier(Predicate<byte[]> trustedIssuer, String nodeId, int maxDepth, Clock clock, Predicate<String> revoked) {
        this.trustedIssuer = Objects.requireNonNull(trustedIssuer, "trustedIssuer");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.maxDepth = maxDepth;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.revoked = Objects.requireNonNull(revoked, "revoked");
    }

    /** The scopes {@code token} grants, once every check above holds. */
    public Verified verify(String token) {
        CapabilityToken leaf = CapabilityToken.decode(token);
        if (leaf.proofs().size() > maxDepth) {
            throw CapabilityToken.refused("is delegated " + leaf.proofs().size() + " times; at most " + maxDepth + " are allowed");
        }
        List<CapabilityToken> links = leaf.links();
        long now = clock.instant().getEpochSecond();
        for (int i = 0; i < links.size(); i++) {
            CapabilityToken link = links.get(i);
            check(i, link, now);
            if (i + 1 < links.size()) {
                CapabilityToken parent = links.get(i + 1);
                // Each link's signature covers its parent's hash: a link cannot be moved under another parent.
                if (!link.parent().equals(Optional.of(parent.hash()))) {
                    throw refusal(i, "does not name the link above it as its parent");
                }
                narrows(i, link, parent);
            } else if (link.parent().isPresent()) {
                throw refusal(i, "names a parent the token does not carry");
            }
        }
        CapabilityToken root = links.get(links.size() - 1);
        String rootKey = HexFormat.of().formatHex(root.issuer());
        if (!trustedIssuer.test(root.issuer())) {
            throw refusal(links.size() - 1, "is issued by key " + Ed25519KeyPair.fingerprint(root.issuer()) + ", which this node does not trust");
        }
        return new Verified(leaf.nonce(), leaf.scopes(), rootKey, links.size() - 1, leaf.expiresAt());
    }

    private void check(int i, CapabilityToken link, long now) {
        if (!Ed25519KeyPair.verify(link.issuer(), link.signedBytes(), link.signature())) {
            throw refusal(i, "has a bad signature");
        }
        if (now < link.notBefore()) {
            throw refusal(i, "is not valid before " + link.notBefore());
        }
        if (now >= link.expiresAt()) {
            throw refusal(i, "expired at " + link.expiresAt());
        }
        if (link.audience().isPresent() && !link.audience().get().equals(nodeId)) {
            throw refusal(i, "is for node '" + link.audience().get() + "', not this one");
        }
        if (revoked.test(link.nonce())) {
            throw refusal(i, "was revoked");
        }
    }

    private static void narrows(int i, CapabilityToken child, CapabilityToken parent) {
        if (child.expiresAt() > parent.expiresAt()) {
            throw refusal(i, "expires after its parent");
        }
        if (!child.audience().equals(parent.audience())) {
            throw refusal(i, "names another audience than its parent");
        }
        for (Scope s : child.scopes()) {
            if (parent.scopes().stream().noneMatch(p -> p.covers(s))) {
                throw refusal(i, "claims " + s + ", which its parent does not grant");
            }
        }
    }

    private static PandoException refusal(int link, String why) {
        return new PandoException(ErrorCode.UNAUTHORIZED, "capability token" + (link == 0 ? "" : " link " + link) + " " + why);
    }

    /**
     * A token that verified.
     *
     * @param nonce      the presented token's own nonce: what names its holder, and what revokes it
     * @param scopes     what it grants
     * @param rootIssuer the trusted key (hex) at the root of its chain
     * @param depth      how many delegations it is below the root
     * @param expiresAt  when it stops being valid (Unix seconds)
     */
    public record Verified(String nonce, List<Scope> scopes, String rootIssuer, int depth, long expiresAt) {
        public Verified {
            scopes = List.copyOf(scopes);
        }
    }
}
