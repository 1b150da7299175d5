package dev.pando.node.auth;

import dev.pando.api.PandoException;
import dev.pando.api.plugin.Identity;
import dev.pando.api.plugin.TokenValidator;
import dev.pando.node.kv.StateStore;
import dev.pando.signing.cap.CapabilityToken;
import dev.pando.signing.cap.CapabilityVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Capability tokens ({@code cap_}): every link verified up to a trusted root by the
 * {@link CapabilityVerifier}. The holder is named {@code cap:<nonce>} after the presented token's
 * nonce. To act for a holder later (a rule's author), the node must still have their token: it
 * remembers the tokens it validated lately, and keeps durably (store meta
 * {@code auth.holder.<nonce>}) those a plugin has asked to act for, so their rules outlive a
 * restart. Acting for them re-verifies the token, so expiry and revocation apply.
 */
final class CapabilityValidator implements TokenValidator {
    static final String NAME_PREFIX = "cap:";
    private static final String META = "auth.holder.";

    private final CapabilityVerifier verifier;
    private final StateStore store;
    private final Map<String, String> recent;

    CapabilityValidator(CapabilityVerifier verifier, StateStore store, int remembered) {
        this.verifier = verifier;
        this.store = store;
        this.recent = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > remembered;
            }
        });
    }

    @Override
    public String prefix() {
        return CapabilityToken.PREFIX;
    }

    @Override
    public Identity validate(String token) {
        CapabilityVerifier.Verified v = verifier.verify(token);
        String name = NAME_PREFIX + v.nonce();
        recent.put(name, token);
        return new Identity(name, v.scopes(), Optional.of(Instant.ofEpochSecond(v.expiresAt())));
    }

    @Override
    public Optional<Identity> byName(String name) {
        if (!name.startsWith(NAME_PREFIX)) {
            return Optional.empty();
        }
        String meta = META + name.substring(NAME_PREFIX.length());
        Optional<String> token = Optional.ofNullable(recent.get(name));
        if (token.isPresent()) {
            if (store.meta(meta).isEmpty()) {
                store.putMeta(meta, token.get().getBytes(StandardCharsets.UTF_8));
            }
        } else {
            token = store.meta(meta).map(b -> new String(b, StandardCharsets.UTF_8));
        }
        try {
            return token.map(this::validate);
        } catch (PandoException refused) {
            return Optional.empty(); // expired, revoked or no longer trusted: no rights
        }
    }
}
