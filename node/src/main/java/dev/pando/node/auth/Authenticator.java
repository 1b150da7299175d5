package dev.pando.node.auth;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.Identity;
import dev.pando.api.plugin.TokenValidator;
import dev.pando.node.dispatch.RateLimiter;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a bearer token (or its absence) to a {@link Principal} through a chain of
 * {@link TokenValidator}s chosen by the token's prefix: the node's own ({@code adm_} admin token,
 * {@code cap_} capability tokens) and those plugins register ({@code ent_} from the registry).
 * A token no validator claims is {@code UNAUTHORIZED}.
 *
 * <p>Answers are cached per token (at most {@code auth.cache-size}; a full cache starts over)
 * until the identity's expiry. {@link #invalidate} drops what it names and tells the
 * {@linkplain #onInvalidation listeners} (the open sessions) to check their tokens again at once,
 * which is how a revocation or suspension reaches sessions already open.
 */
public final class Authenticator {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]{1,7}_");
    /** Names {@link #invalidate} takes to mean every identity. */
    public static final String EVERYONE = "*";

    private final AuthMode mode;
    private final Clock clock;
    private final int cacheSize;
    private final RateLimiter validations;
    private final Map<String, Registered> validators = new ConcurrentHashMap<>();
    private final Map<String, Principal> cache = new ConcurrentHashMap<>();
    /** {@link #byName} answers, kept like {@link #cache}: rules ask at every firing. */
    private final Map<String, Principal> named = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    private record Registered(String owner, TokenValidator validator) {}

    /**
     * @param validations how many uncached tokens one address may have checked: a token never seen
     *                    costs signature checks, so a flood of forged ones is refused before them
     */
    public Authenticator(AuthMode mode, Clock clock, int cacheSize, RateLimiter validations) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cacheSize = Math.max(1, cacheSize);
        this.validations = Objects.requireNonNull(validations, "validations");
    }

    /** An authenticator knowing only the admin token (tests, tools). */
    public static Authenticator withAdminToken(AuthMode mode, String adminToken) {
        Authenticator a = new Authenticator(mode, Clock.systemUTC(), 1024, new RateLimiter(0, 0));
        a.register("node", new AdminTokenValidator(adminToken));
        return a;
    }

    public AuthMode mode() {
        return mode;
    }

    /**
     * Makes {@code validator} answer for its prefix on behalf of {@code owner} ({@code node} or a
     * plugin id). The same owner may replace its own (a plugin reloaded); another owner's prefix
     * is {@code FORBIDDEN}.
     */
    public void register(String owner, TokenValidator validator) {
        String prefix = validator.prefix();
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw PandoException.badRequest("a token prefix is 1 to 7 of a-z 0-9 followed by '_', got '" + prefix + "'");
        }
        Registered mine = new Registered(owner, validator);
        Registered before = validators.merge(prefix, mine, (old, neu) -> old.owner().equals(owner) ? neu : old);
        if (before != mine) {
            throw new PandoException(ErrorCode.FORBIDDEN, "token prefix '" + prefix + "' belongs to '" + before.owner() + "'");
        }
        invalidate(EVERYONE); // answers of a replaced validator must not outlive it
    }

    /** Stops asking {@code validator}, if it still answers for its prefix. */
    public void withdraw(TokenValidator validator) {
        if (validators.values().removeIf(r -> r.validator() == validator)) {
            invalidate(EVERYONE);
        }
    }

    /**
     * The principal {@code token} stands for, or the tokenless caller's when it is empty
     * (anonymous in open mode, nobody otherwise).
     *
     * @param remoteAddress the peer's address, the rate-limit key for tokenless callers
     * @throws PandoException {@code UNAUTHORIZED} for a token that stands for nobody, with why
     */
    public Principal authenticate(Optional<String> token, String remoteAddress) {
        return authenticate(token, remoteAddress, true);
    }

    /**
     * {@link #authenticate} for a session that proved its token when it opened: not held up by
     * the flood guard on unknown tokens, which would otherwise cut off sessions sharing an address
     * when an invalidation makes them all check again at once.
     */
    public Principal recheck(Optional<String> token, String remoteAddress) {
        return authenticate(token, remoteAddress, false);
    }

    private Principal authenticate(Optional<String> token, String remoteAddress, boolean guarded) {
        if (token.isEmpty() || token.get().isEmpty()) {
            return mode == AuthMode.OPEN ? Principal.anonymous(remoteAddress) : Principal.nobody(remoteAddress);
        }
        String t = token.get();
        Principal cached = cache.get(t);
        if (cached != null) {
            if (!expired(cached)) {
                return cached;
            }
            cache.remove(t, cached);
            throw new PandoException(ErrorCode.UNAUTHORIZED, "token expired at " + cached.expiresAt().orElseThrow());
        }
        if (guarded) {
            validations.acquire("addr:" + remoteAddress);
        }
        Principal p = Principal.of(validate(validatorFor(t), t));
        if (expired(p)) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, "token expired at " + p.expiresAt().orElseThrow());
        }
        remember(cache, t, p);
        return p;
    }

    private static Identity validate(TokenValidator validator, String token) {
        try {
            return validator.validate(token);
        } catch (PandoException e) {
            throw e;
        } catch (RuntimeException e) {
            // A broken validator (a plugin's bug) is not a verdict on the token: no session is cut off for it.
            log.warn("validator for '{}' failed: {}", validator.prefix(), e.toString());
            throw new PandoException(ErrorCode.INTERNAL, "the validator for '" + validator.prefix() + "' tokens failed");
        }
    }

    private boolean expired(Principal p) {
        return p.expiresAt().isPresent() && !clock.instant().isBefore(p.expiresAt().get());
    }

    private TokenValidator validatorFor(String token) {
        int underscore = token.indexOf('_');
        Registered r = underscore > 0 && underscore < 8 ? validators.get(token.substring(0, underscore + 1)) : null;
        if (r == null) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, "unknown or invalid token");
        }
        return r.validator();
    }

    /**
     * The principal recorded under {@code name} (a write's {@code writer}), with the rights it
     * holds now: how plugins acting later for someone (rules) check that they still may. Empty
     * for a name that holds no rights: unknown, suspended, expired, revoked, or {@code anonymous}
     * outside open mode.
     */
    public Optional<Principal> byName(String name) {
        if (name.equals("anonymous")) {
            return mode == AuthMode.OPEN ? Optional.of(Principal.anonymous("plugin")) : Optional.empty();
        }
        Principal known = named.get(name);
        if (known != null && !expired(known)) {
            return Optional.of(known);
        }
        for (Registered r : validators.values()) {
            try {
                Optional<Identity> found = r.validator().byName(name);
                if (found.isPresent()) {
                    Principal p = Principal.of(found.get());
                    if (expired(p)) {
                        return Optional.empty();
                    }
                    remember(named, name, p);
                    return Optional.of(p);
                }
            } catch (RuntimeException e) {
                log.warn("validator for '{}' failed looking up '{}': {}", r.validator().prefix(), name, e.toString());
            }
        }
        return Optional.empty();
    }

    private void remember(Map<String, Principal> map, String key, Principal p) {
        if (map.size() >= cacheSize) {
            map.clear(); // cheaper than LRU bookkeeping on every hit; a miss costs one validation
        }
        map.put(key, p);
    }

    /**
     * Forgets cached answers for identity {@code name} ({@link #EVERYONE} for all), then has the
     * listeners check their sessions again before returning.
     */
    public void invalidate(String name) {
        if (name.equals(EVERYONE)) {
            cache.clear();
            named.clear();
        } else {
            cache.values().removeIf(p -> p.name().equals(name));
            named.remove(name);
        }
        listeners.forEach(Runnable::run);
    }

    /** Runs {@code listener} after every {@link #invalidate}, on the invalidating thread. */
    public void onInvalidation(Runnable listener) {
        listeners.add(listener);
    }
}
