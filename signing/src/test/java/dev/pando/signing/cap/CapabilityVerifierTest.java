package dev.pando.signing.cap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.TrustedKeys;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class CapabilityVerifierTest {
    private static final Instant NOW = Instant.parse("2026-12-06T00:00:00Z");
    private final Ed25519KeyPair root = Ed25519KeyPair.generate();
    private final Ed25519KeyPair k2 = Ed25519KeyPair.generate();
    private final Ed25519KeyPair k3 = Ed25519KeyPair.generate();
    private final Set<String> revoked = new HashSet<>();

    private CapabilityVerifier verifier(int maxDepth) {
        return new CapabilityVerifier(TrustedKeys.of(root.publicKey())::contains, "node-a", maxDepth,
                Clock.fixed(NOW, ZoneOffset.UTC), revoked::contains);
    }

    private CapabilityVerifier verifier() {
        return verifier(CapabilityVerifier.DEFAULT_MAX_DEPTH);
    }

    private static List<Scope> scopes(String... s) {
        return List.of(s).stream().map(Scope::parse).toList();
    }

    private CapabilityToken rootToken(String scope, long ttlSeconds) {
        return CapabilityToken.issue(root, scopes(scope), NOW.minusSeconds(60), NOW.plusSeconds(ttlSeconds), Optional.empty());
    }

    /** root → k2 → k3: a 3-link chain, each link narrower. */
    private CapabilityToken threeLinks() {
        CapabilityToken a = rootToken("write:/lights/**", 3600);
        CapabilityToken b = CapabilityToken.delegate(a, k2, scopes("write:/lights/room1/**"), NOW.minusSeconds(60), NOW.plusSeconds(1800));
        return CapabilityToken.delegate(b, k3, scopes("read:/lights/room1/lamp"), NOW.minusSeconds(60), NOW.plusSeconds(600));
    }

    private static void refused(ThrowingCallable call, String... reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(PandoException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(e.getMessage()).contains(reason);
        });
    }

    @Test
    void aThreeLinkChainVerifiesToItsLeafScopes() {
        CapabilityVerifier.Verified v = verifier().verify(threeLinks().encode());
        assertThat(v.scopes()).containsExactly(Scope.parse("read:/lights/room1/lamp"));
        assertThat(v.depth()).isEqualTo(2);
        assertThat(v.rootIssuer()).isEqualTo(HexFormat.of().formatHex(root.publicKey()));
        assertThat(CapabilityToken.decode(threeLinks().encode()).chain()).hasSize(2);
    }

    @Test
    void aForgedSignatureOnAnyLinkFails() {
        CapabilityToken leaf = threeLinks();
        for (int link = 0; link < 3; link++) {
            String forged = forge(leaf, link);
            refused(() -> verifier().verify(forged), link == 0 ? "bad signature" : "link " + link + " has a bad signature");
        }
    }

    /**
     * The chain with link {@code link} (0 = the leaf) signed by a stranger in its issuer's name,
     * and every link below it re-signed honestly by its own key under the forged chain: only the
     * forged link's own signature is wrong.
     */
    private String forge(CapabilityToken leaf, int link) {
        List<CapabilityToken> links = new ArrayList<>(leaf.links());
        List<Ed25519KeyPair> keys = List.of(k3, k2, root);
        Optional<CapabilityToken> above = Optional.empty();
        for (int i = links.size() - 1; i >= 0; i--) {
            above = Optional.of(links.get(i).signedBy(i == link ? Ed25519KeyPair.generate() : keys.get(i), above));
        }
        return above.orElseThrow().encode();
    }

    @Test
    void aLinkMovedUnderAnotherParentFails() {
        CapabilityToken leaf = threeLinks();
        CapabilityToken otherParent = CapabilityToken.delegate(CapabilityToken.issue(root, scopes("read:/**"), NOW.minusSeconds(1),
                NOW.plusSeconds(600), Optional.empty()), k2, scopes("read:/lights/**"), NOW.minusSeconds(1), NOW.plusSeconds(600));
        // The leaf's own signature is intact, but it names its original parent's hash.
        CapabilityToken moved = new CapabilityToken(leaf.version(), leaf.issuer(), leaf.audience(), leaf.scopes(), leaf.notBefore(),
                leaf.expiresAt(), leaf.nonce(), leaf.parent(), otherParent.links(), leaf.signature());
        refused(() -> verifier().verify(moved.encode()), "does not name the link above it as its parent");
    }

    @Test
    void aTokensSizeGrowsLinearlyWithItsChain() {
        CapabilityToken t = CapabilityToken.issue(root, scopes("read:/lights/**"), NOW.minusSeconds(1), NOW.plusSeconds(600), Optional.empty());
        int one = t.encode().length();
        for (int i = 0; i < 5; i++) {
            t = CapabilityToken.delegate(t, k2, scopes("read:/lights/**"), NOW.minusSeconds(1), NOW.plusSeconds(600));
        }
        assertThat(t.encode().length()).as("six links").isLessThan(one * 8);
    }

    @Test
    void expiredTokensAndExpiredParentsFail() {
        refused(() -> verifier().verify(CapabilityToken.issue(root, scopes("read:/**"), NOW.minusSeconds(120),
                NOW.minusSeconds(1), Optional.empty()).encode()), "expired");
        CapabilityToken shortParent = CapabilityToken.issue(root, scopes("read:/**"), NOW.minusSeconds(120), NOW.minusSeconds(1), Optional.empty());
        CapabilityToken child = CapabilityToken.delegate(shortParent, k2, scopes("read:/a"), NOW.minusSeconds(120), NOW.minusSeconds(2));
        refused(() -> verifier().verify(child.encode()), "expired");
        refused(() -> verifier().verify(CapabilityToken.issue(root, scopes("read:/**"), NOW.plusSeconds(60),
                NOW.plusSeconds(120), Optional.empty()).encode()), "not valid before");
    }

    @Test
    void delegationCannotEscalate() {
        CapabilityToken parent = rootToken("read:/lights/*", 3600);
        refused(() -> verifier().verify(CapabilityToken.delegate(parent, k2, scopes("read:/lights/**"),
                NOW.minusSeconds(1), NOW.plusSeconds(60)).encode()), "read:/lights/**", "does not grant");
        refused(() -> verifier().verify(CapabilityToken.delegate(parent, k2, scopes("write:/lights/a"),
                NOW.minusSeconds(1), NOW.plusSeconds(60)).encode()), "write:/lights/a", "does not grant");
        refused(() -> verifier().verify(CapabilityToken.delegate(parent, k2, scopes("read:/lights/a"),
                NOW.minusSeconds(1), NOW.plusSeconds(7200)).encode()), "expires after its parent");
    }

    @Test
    void aChainDeeperThanTheLimitFails() {
        CapabilityToken t = rootToken("read:/**", 3600);
        for (int i = 0; i < 3; i++) {
            t = CapabilityToken.delegate(t, k2, scopes("read:/**"), NOW.minusSeconds(1), NOW.plusSeconds(60));
        }
        String token = t.encode();
        assertThat(verifier(3).verify(token).depth()).isEqualTo(3);
        refused(() -> verifier(2).verify(token), "delegated 3 times; at most 2");
    }

    @Test
    void anUntrustedRootFails() {
        CapabilityToken selfIssued = CapabilityToken.issue(k2, scopes("admin:/**"), NOW.minusSeconds(1), NOW.plusSeconds(60), Optional.empty());
        refused(() -> verifier().verify(selfIssued.encode()), "does not trust");
        CapabilityToken chained = CapabilityToken.delegate(selfIssued, k3, scopes("read:/a"), NOW.minusSeconds(1), NOW.plusSeconds(30));
        refused(() -> verifier().verify(chained.encode()), "link 1", "does not trust");
    }

    @Test
    void theAudienceMustNameThisNode() {
        CapabilityToken other = CapabilityToken.issue(root, scopes("read:/**"), NOW.minusSeconds(1), NOW.plusSeconds(60), Optional.of("node-b"));
        refused(() -> verifier().verify(other.encode()), "for node 'node-b'");
        CapabilityToken mine = CapabilityToken.issue(root, scopes("read:/**"), NOW.minusSeconds(1), NOW.plusSeconds(60), Optional.of("node-a"));
        assertThat(verifier().verify(mine.encode()).scopes()).hasSize(1);
    }

    @Test
    void revokingAnyLinksNonceRevokesTheToken() {
        CapabilityToken leaf = threeLinks();
        assertThat(verifier().verify(leaf.encode()).depth()).isEqualTo(2);
        revoked.add(leaf.proofs().get(0).nonce());
        refused(() -> verifier().verify(leaf.encode()), "link 1 was revoked");
    }

    @Test
    void malformedOrOversizedTokensAreUnauthorized() {
        String good = threeLinks().encode();
        refused(() -> verifier().verify("cap_" + "A".repeat(CapabilityToken.MAX_TOKEN_CHARS)), "more than");
        refused(() -> verifier().verify("ent_abc"), "does not start with cap_");
        refused(() -> verifier().verify("cap_!!!"), "malformed");
        refused(() -> verifier().verify(good + "A"), "capability token");
        String json = "{\"v\":2}";
        refused(() -> verifier().verify("cap_" + Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes())), "version");
    }
}
