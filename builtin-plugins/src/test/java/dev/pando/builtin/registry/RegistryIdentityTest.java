package dev.pando.builtin.registry;

import static dev.pando.host.testing.TestHost.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.Scope;
import dev.pando.api.plugin.Identity;
import dev.pando.builtin.registry.RegistryHarness.Key;
import dev.pando.host.testing.TestHost;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Challenge, token, the validator's answers, and how namespaces and grants shape them. */
class RegistryIdentityTest {
    private final RegistryHarness h = new RegistryHarness();

    @Test
    void aSignedChallengeGetsATokenTheValidatorKnows() {
        Key a = h.register("a", ",\"scopes\":[\"write:/lights/**\"]");
        JsonNode ch = h.call("challenge", "{\"id\":\"" + a.id() + "\"}", RegistryHarness.anonymous());
        assertThat(Base64.getUrlDecoder().decode(ch.get("challenge").asText())).hasSize(32);
        assertThat(ch.get("expiresAt").asLong()).isEqualTo(RegistryHarness.START + 60_000);

        JsonNode t = h.call("token", "{\"id\":\"" + a.id() + "\",\"challenge\":\"" + ch.get("challenge").asText()
                + "\",\"signature\":\"" + a.sign(ch.get("challenge").asText()) + "\"}", RegistryHarness.anonymous());

        String token = t.get("token").asText();
        assertThat(token).startsWith("ent_");
        assertThat(Base64.getUrlDecoder().decode(token.substring(4))).hasSize(32);
        assertThat(t.get("name").asText()).isEqualTo("ent:" + a.id());
        assertThat(t.get("expiresAt").asLong()).isEqualTo(RegistryHarness.START + 86_400_000);
        Identity id = h.validate(token);
        assertThat(id.name()).isEqualTo("ent:" + a.id());
        assertThat(id.scopes()).containsExactly(Scope.parse("write:/lights/**"));
        assertThat(id.expiresAt()).contains(Instant.ofEpochMilli(RegistryHarness.START + 86_400_000));
        assertThat(h.validator().byName("ent:" + a.id()).map(Identity::expiresAt)).contains(Optional.empty());
        // Only the hash is stored.
        assertThat(h.memory.entries().keySet()).noneMatch(k -> k.contains(token.substring(4)));
        assertThat(h.memory.entries()).containsKey(RegistryStore.tokenKey(a.id(), dev.pando.builtin.KeyHash.of(token)));
    }

    @Test
    void aBase64urlSignatureIsAcceptedToo() {
        Key a = h.register("a", "");
        String c = h.challenge(a.id());
        String b64 = Base64.getUrlEncoder().withoutPadding().encodeToString(HexFormat.of().parseHex(a.sign(c)));
        JsonNode t = h.call("token", "{\"id\":\"" + a.id() + "\",\"challenge\":\"" + c + "\",\"signature\":\"" + b64 + "\"}",
                RegistryHarness.anonymous());
        assertThat(h.validate(t.get("token").asText()).name()).isEqualTo("ent:" + a.id());
    }

    @Test
    void aWrongSignatureIsUnauthorizedAndUsesUpTheChallenge() {
        Key a = h.register("a", "");
        Key other = h.register("other", "");
        String c = h.challenge(a.id());
        long rev = h.revision();

        assertRefused(() -> token(a, c, other.sign(c)), ErrorCode.UNAUTHORIZED, "registry.token", "does not verify");
        assertRefused(() -> token(a, c, a.sign(c)), ErrorCode.UNAUTHORIZED, "registry.token", "no outstanding challenge");
        assertThat(h.revision()).isEqualTo(rev);
    }

    @Test
    void aChallengeIsUsedOnceAndNotAfterItExpires() {
        Key a = h.register("a", "");
        String c = h.challenge(a.id());
        token(a, c, a.sign(c));
        assertRefused(() -> token(a, c, a.sign(c)), ErrorCode.UNAUTHORIZED, "no outstanding challenge");

        String late = h.challenge(a.id());
        h.clock.advance(60_000);
        long rev = h.revision();
        assertRefused(() -> token(a, late, a.sign(late)), ErrorCode.UNAUTHORIZED, "expired");
        assertThat(h.revision()).isEqualTo(rev);
    }

    @Test
    void aMalformedSignatureIsABadRequestThatLeavesTheChallenge() {
        Key a = h.register("a", "");
        String c = h.challenge(a.id());
        assertRefused(() -> token(a, c, "zz"), ErrorCode.BAD_REQUEST, "'signature'");
        assertThat(token(a, c, a.sign(c)).get("token").asText()).startsWith("ent_");
    }

    @Test
    void outstandingChallengesAreBoundedPerEntity() {
        RegistryHarness small = new RegistryHarness(TestHost.json("{\"max_challenges\":2}"));
        Key a = small.register("a", "");
        small.challenge(a.id());
        small.challenge(a.id());
        PandoExceptionAssert.rateLimited(() -> small.challenge(a.id()));
        small.clock.advance(60_000);
        assertThat(small.challenge(a.id())).isNotEmpty();
    }

    @Test
    void unknownAndExpiredTokensAreUnauthorized() {
        Key a = h.register("a", "");
        String token = h.login(a);
        assertRefused(() -> h.validate("ent_nope"), ErrorCode.UNAUTHORIZED, "unknown or expired entity token");
        h.clock.advance(86_400_000);
        assertRefused(() -> h.validate(token), ErrorCode.UNAUTHORIZED, "unknown or expired entity token");
    }

    @Test
    void aSuspendedEntitysTokenIsRefusedUntilItIsActivated() {
        Key a = h.register("a", "");
        String token = h.login(a);

        h.admin("suspend", "{\"id\":\"" + a.id() + "\"}");

        assertRefused(() -> h.validate(token), ErrorCode.UNAUTHORIZED, "suspended");
        assertThat(h.memory.invalidated()).contains("ent:" + a.id());
        assertThat(h.validator().byName("ent:" + a.id())).isEmpty();
        assertRefused(() -> h.challenge(a.id()), ErrorCode.UNAUTHORIZED, "suspended");

        h.admin("activate", "{\"id\":\"" + a.id() + "\"}");
        assertThat(h.validate(token).name()).isEqualTo("ent:" + a.id());
    }

    @Test
    void revokedIsFinalAndItsTokensAreGoneForGood() {
        Key a = h.register("a", ",\"namespaces\":[\"/agents/a/**\"]");
        String token = h.login(a);

        JsonNode e = h.admin("revoke", "{\"id\":\"" + a.id() + "\"}");

        assertThat(e.get("status").asText()).isEqualTo("revoked");
        assertThat(h.memory.invalidated()).contains("ent:" + a.id());
        assertRefused(() -> h.validate(token), ErrorCode.UNAUTHORIZED, "unknown or expired");
        assertThat(h.memory.entries().keySet()).noneMatch(k -> k.startsWith(RegistryStore.TOKENS));
        long rev = h.revision();
        assertRefused(() -> h.admin("activate", "{\"id\":\"" + a.id() + "\"}"), ErrorCode.CONFLICT, "revoked", "final");
        assertRefused(() -> h.admin("update", "{\"id\":\"" + a.id() + "\",\"name\":\"x\"}"), ErrorCode.CONFLICT, "final");
        assertRefused(() -> h.challenge(a.id()), ErrorCode.UNAUTHORIZED, "revoked");
        assertThat(h.revision()).isEqualTo(rev);
        h.restart();
        assertRefused(() -> h.validate(token), ErrorCode.UNAUTHORIZED, "unknown or expired");
    }

    @Test
    void aNewTokenPastMaxTokensRetiresTheOldest() {
        RegistryHarness small = new RegistryHarness(TestHost.json("{\"max_tokens\":2}"));
        Key a = small.register("a", "");
        String first = small.login(a);
        small.clock.advance(1);
        String second = small.login(a);
        small.clock.advance(1);
        String third = small.login(a);

        assertRefused(() -> small.validate(first), ErrorCode.UNAUTHORIZED);
        assertThat(small.validate(second).name()).isEqualTo("ent:" + a.id());
        assertThat(small.validate(third).name()).isEqualTo("ent:" + a.id());
        assertThat(small.memory.invalidated()).contains("ent:" + a.id());
    }

    @Test
    void namespacesShapeEveryEntitysScopes() {
        Key owner = h.register("owner", ",\"namespaces\":[\"/agents/owner/**\"]");
        Key locked = h.register("locked", ",\"namespaces\":[\"/agents/locked/**\"]");
        Key stranger = h.register("stranger", "");
        h.call("lock", "{\"namespace\":\"/agents/locked/**\"}", locked.caller());

        assertThat(scopes(owner)).contains("admin:/agents/owner/**").doesNotContain("read:/agents/locked/**");
        assertThat(scopes(stranger)).containsExactlyInAnyOrder("read:/agents/owner/**", "subscribe:/agents/owner/**");
        assertThat(scopes(locked)).containsExactlyInAnyOrder("admin:/agents/locked/**", "read:/agents/owner/**",
                "subscribe:/agents/owner/**");

        h.call("grant", "{\"namespace\":\"/agents/locked/**\",\"entity\":\"" + stranger.id()
                + "\",\"actions\":[\"write\",\"subscribe\"],\"pattern\":\"/agents/locked/inbox/**\"}", locked.caller());
        assertThat(h.memory.invalidated()).contains("ent:" + stranger.id());
        assertThat(scopes(stranger)).contains("write:/agents/locked/inbox/**", "subscribe:/agents/locked/inbox/**");

        h.call("unlock", "{\"namespace\":\"/agents/owner/**\",\"public\":true}", owner.caller());
        assertThat(scopes(stranger)).contains("read:/agents/owner/**", "subscribe:/agents/owner/**", "publish:/agents/owner/**");
        assertThat(h.memory.invalidated()).contains("*");

        h.call("ungrant", "{\"namespace\":\"/agents/locked/**\",\"entity\":\"" + stranger.id() + "\"}", TestHost.ADMIN);
        assertThat(scopes(stranger)).noneMatch(s -> s.contains("/agents/locked"));
    }

    @Test
    void aTokenAlreadyIssuedSeesScopeChangesAtOnce() {
        Key a = h.register("a", "");
        String token = h.login(a);
        assertThat(h.validate(token).scopes()).isEmpty();
        h.register("b", ",\"namespaces\":[\"/agents/b/**\"]");
        assertThat(h.validate(token).scopes()).extracting(Scope::toString).contains("read:/agents/b/**");
        h.admin("update", "{\"id\":\"" + a.id() + "\",\"scopes\":[\"read:/x/**\"]}");
        assertThat(h.validate(token).scopes()).extracting(Scope::toString).contains("read:/x/**");
    }

    @Test
    void onlyTheOwnerOrANodeAdminDecidesAboutANamespace() {
        Key owner = h.register("owner", ",\"namespaces\":[\"/agents/owner/**\"]");
        Key other = h.register("other", "");
        long rev = h.revision();
        int invalidations = h.memory.invalidated().size();

        assertRefused(() -> h.call("lock", "{\"namespace\":\"/agents/owner/**\"}", other.caller()), ErrorCode.FORBIDDEN,
                "registry.lock", "ent:" + other.id());
        assertRefused(() -> h.call("unlock", "{\"namespace\":\"/agents/owner/**\",\"public\":true}", other.caller()),
                ErrorCode.FORBIDDEN, "registry.unlock");
        assertRefused(() -> h.call("grant", "{\"namespace\":\"/agents/owner/**\",\"entity\":\"" + other.id()
                + "\",\"actions\":[\"write\"]}", other.caller()), ErrorCode.FORBIDDEN, "registry.grant");
        assertRefused(() -> h.call("ungrant", "{\"namespace\":\"/agents/owner/**\",\"entity\":\"" + other.id() + "\"}",
                other.caller()), ErrorCode.FORBIDDEN, "registry.ungrant");
        assertRefused(() -> h.call("grant", "{\"namespace\":\"/agents/owner/**\",\"entity\":\"" + other.id()
                + "\",\"actions\":[\"write\"],\"pattern\":\"/elsewhere/**\"}", owner.caller()), ErrorCode.BAD_REQUEST, "'pattern'");
        assertRefused(() -> h.call("grant", "{\"namespace\":\"/agents/owner/**\",\"entity\":\"" + other.id()
                + "\",\"actions\":[\"admin\"]}", owner.caller()), ErrorCode.BAD_REQUEST, "'actions[0]'");
        assertRefused(() -> h.call("lock", "{\"namespace\":\"/nobody/**\"}", owner.caller()), ErrorCode.NOT_FOUND, "'/nobody/**'");

        assertThat(h.revision()).isEqualTo(rev);
        assertThat(h.memory.invalidated()).hasSize(invalidations);
        assertThat(scopes(other)).containsExactlyInAnyOrder("read:/agents/owner/**", "subscribe:/agents/owner/**");
    }

    @Test
    void namespacesListsOwnersAndVisibilityAndGrantsOnlyToTheirOwner() {
        Key a = h.register("a", ",\"namespaces\":[\"/agents/a/**\"]");
        Key b = h.register("b", ",\"namespaces\":[\"/agents/b/**\"]");
        h.call("grant", "{\"namespace\":\"/agents/a/**\",\"entity\":\"" + b.id() + "\",\"actions\":[\"read\"]}", a.caller());

        JsonNode seenByB = h.call("namespaces", "{}", b.caller()).get("namespaces");
        assertThat(seenByB).hasSize(2);
        assertThat(seenByB.get(0).get("owner").asText()).isEqualTo(a.id());
        assertThat(seenByB.get(0).has("grants")).isFalse();
        assertThat(seenByB.get(1).has("grants")).isTrue();
        assertThat(h.call("namespaces", "{}", a.caller()).get("namespaces").get(0).get("grants").get(0).get("entity").asText())
                .isEqualTo(b.id());
    }

    private List<String> scopes(Key k) {
        return h.validator().byName("ent:" + k.id()).orElseThrow().scopes().stream().map(Scope::toString).toList();
    }

    private JsonNode token(Key k, String challenge, String signature) {
        return h.call("token", "{\"id\":\"" + k.id() + "\",\"challenge\":\"" + challenge + "\",\"signature\":\"" + signature + "\"}",
                RegistryHarness.anonymous());
    }

    /** RATE_LIMITED with a retry hint. */
    private static final class PandoExceptionAssert {
        static void rateLimited(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
            dev.pando.api.PandoException e = TestHost.failure(call);
            assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(e.getMessage()).contains("registry.challenge", "max_challenges");
            assertThat(e.retryAfterMillis()).isPositive();
        }
    }
}
