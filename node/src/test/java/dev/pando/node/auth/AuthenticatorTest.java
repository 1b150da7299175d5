package dev.pando.node.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.plugin.Identity;
import dev.pando.api.plugin.TokenValidator;
import dev.pando.node.dispatch.RateLimiter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
    private static final Instant NOW = Instant.parse("2026-12-06T00:00:00Z");

    /** Answers {@code tst_<name>} tokens from a map it counts lookups in. */
    private static class Counting implements TokenValidator {
        final Map<String, Identity> known = new ConcurrentHashMap<>();
        final AtomicInteger validations = new AtomicInteger();

        @Override
        public String prefix() {
            return "tst_";
        }

        @Override
        public Identity validate(String token) {
            validations.incrementAndGet();
            Identity i = known.get(token);
            if (i == null) {
                throw new PandoException(ErrorCode.UNAUTHORIZED, "unknown test token");
            }
            return i;
        }

        @Override
        public Optional<Identity> byName(String name) {
            return known.values().stream().filter(i -> i.name().equals(name)).findFirst();
        }
    }

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    private Authenticator authenticator(int cacheSize) {
        return new Authenticator(AuthMode.AUTHENTICATED, clock, cacheSize, new RateLimiter(0, 0));
    }

    private static Identity identity(String name, Optional<Instant> expires) {
        return new Identity(name, List.of(Scope.parse("read:/a/**")), expires);
    }

    @Test
    void answersAreCachedPerTokenUntilInvalidated() {
        Authenticator auth = authenticator(100);
        Counting v = new Counting();
        v.known.put("tst_a", identity("t:a", Optional.empty()));
        auth.register("plugin:x", v);
        AtomicInteger told = new AtomicInteger();
        auth.onInvalidation(told::incrementAndGet);

        assertThat(auth.authenticate(Optional.of("tst_a"), "1.2.3.4").name()).isEqualTo("t:a");
        assertThat(auth.authenticate(Optional.of("tst_a"), "1.2.3.4").name()).isEqualTo("t:a");
        assertThat(v.validations).hasValue(1);

        v.known.clear(); // the plugin suspended it, then told the node
        auth.invalidate("t:a");
        assertThat(told).as("sessions told to check again").hasValue(1);
        assertThatThrownBy(() -> auth.authenticate(Optional.of("tst_a"), "1.2.3.4"))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
    }

    @Test
    void aCachedAnswerEndsAtItsExpiry() {
        Clock[] now = {clock};
        Authenticator auth = new Authenticator(AuthMode.AUTHENTICATED, new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0].instant();
            }
        }, 100, new RateLimiter(0, 0));
        Counting v = new Counting();
        v.known.put("tst_a", identity("t:a", Optional.of(NOW.plusSeconds(10))));
        auth.register("plugin:x", v);
        auth.authenticate(Optional.of("tst_a"), "h");
        now[0] = Clock.fixed(NOW.plusSeconds(10), ZoneOffset.UTC);
        assertThatThrownBy(() -> auth.authenticate(Optional.of("tst_a"), "h")).hasMessageContaining("expired");
        assertThat(auth.byName("t:a")).as("an expired identity holds no rights").isEmpty();
    }

    @Test
    void theCacheIsBounded() {
        Authenticator auth = authenticator(2);
        Counting v = new Counting();
        for (String t : List.of("tst_a", "tst_b", "tst_c")) {
            v.known.put(t, identity(t, Optional.empty()));
        }
        auth.register("plugin:x", v);
        auth.authenticate(Optional.of("tst_a"), "h");
        auth.authenticate(Optional.of("tst_b"), "h");
        auth.authenticate(Optional.of("tst_c"), "h"); // full: starts over
        auth.authenticate(Optional.of("tst_a"), "h");
        assertThat(v.validations).hasValue(4);
    }

    @Test
    void aPrefixBelongsToOneOwnerAndOnlyTheRegisteredValidatorIsWithdrawn() {
        Authenticator auth = authenticator(10);
        Counting first = new Counting();
        Counting second = new Counting();
        second.known.put("tst_a", identity("t:a", Optional.empty()));
        auth.register("plugin:x", first);
        assertThatThrownBy(() -> auth.register("plugin:y", second))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        auth.register("plugin:x", second); // a reload of the same plugin replaces its validator
        auth.withdraw(first);              // the old instance stopping withdraws nothing of the new one's
        assertThat(auth.authenticate(Optional.of("tst_a"), "h").name()).isEqualTo("t:a");
        auth.withdraw(second);
        assertThatThrownBy(() -> auth.authenticate(Optional.of("tst_a"), "h")).hasMessageContaining("unknown or invalid token");
    }

    @Test
    void aBrokenValidatorIsAnInternalErrorNotAVerdict() {
        Authenticator auth = authenticator(10);
        auth.register("plugin:x", new Counting() {
            @Override
            public Identity validate(String token) {
                throw new IllegalStateException("bug");
            }
        });
        assertThatThrownBy(() -> auth.authenticate(Optional.of("tst_a"), "h"))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
    }

    @Test
    void unknownTokensAreRateLimitedPerAddressButCachedOnesAndRechecksAreNot() {
        Authenticator auth = new Authenticator(AuthMode.AUTHENTICATED, clock, 10, new RateLimiter("token validation rate limit", 1, 2));
        Counting v = new Counting();
        v.known.put("tst_a", identity("t:a", Optional.empty()));
        auth.register("plugin:x", v);
        auth.authenticate(Optional.of("tst_a"), "h");
        assertThatThrownBy(() -> auth.authenticate(Optional.of("tst_forged1"), "h")).hasMessageContaining("unknown test token");
        assertThatThrownBy(() -> auth.authenticate(Optional.of("tst_forged2"), "h"))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED));
        assertThat(auth.authenticate(Optional.of("tst_a"), "h").name()).as("cached").isEqualTo("t:a");
        auth.invalidate(Authenticator.EVERYONE);
        assertThat(auth.recheck(Optional.of("tst_a"), "h").name()).as("a session's re-check").isEqualTo("t:a");
        assertThat(v.validations.get()).isEqualTo(3);
    }

    @Test
    void withoutATokenTheModeDecides() {
        assertThat(Authenticator.withAdminToken(AuthMode.OPEN, "adm_x").authenticate(Optional.empty(), "h").name()).isEqualTo("anonymous");
        assertThat(Authenticator.withAdminToken(AuthMode.AUTHENTICATED, "adm_x").authenticate(Optional.empty(), "h").name()).isEqualTo("nobody");
        assertThat(Authenticator.withAdminToken(AuthMode.AUTHENTICATED, "adm_x").byName("anonymous")).isEmpty();
        assertThat(Authenticator.withAdminToken(AuthMode.OPEN, "adm_x").authenticate(Optional.of("adm_x"), "h").name()).isEqualTo("admin");
    }
}
