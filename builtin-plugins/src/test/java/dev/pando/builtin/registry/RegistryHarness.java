package dev.pando.builtin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.Access;
import dev.pando.api.Scope;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.Identity;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PluginIdentities;
import dev.pando.api.plugin.TokenValidator;
import dev.pando.builtin.Builtins;
import dev.pando.builtin.rules.ManualClock;
import dev.pando.host.HostContext;
import dev.pando.host.HostServices;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.TestHost;
import dev.pando.signing.Ed25519KeyPair;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The registry in the real {@link HostContext} over {@link MemoryHostServices}, with a hand-moved
 * clock, real Ed25519 keys, and a record of every scan the plugin made (to show what a listing reads).
 */
final class RegistryHarness {
    static final PluginManifest MANIFEST = ManifestParser.parse(Builtins.REGISTRY.manifestBytes());
    static final long START = 1_767_322_800_000L;

    final ManualClock clock;
    final MemoryHostServices memory;
    final Recording services;
    final JsonNode config;
    RegistryPlugin plugin;

    RegistryHarness() {
        this(null);
    }

    RegistryHarness(JsonNode config) {
        this.clock = new ManualClock(START);
        this.memory = new MemoryHostServices(clock);
        this.services = new Recording(memory);
        this.config = config;
        start();
    }

    private void start() {
        plugin = new RegistryPlugin();
        plugin.start(new HostContext(MANIFEST, services, config, clock));
    }

    /** A new instance over the same store, as after a node restart. */
    void restart() {
        plugin.stop();
        start();
    }

    JsonNode call(String verb, String argsJson, Caller caller) {
        return plugin.call(new OpCall("registry." + verb, TestHost.json(argsJson), caller));
    }

    JsonNode admin(String verb, String argsJson) {
        return call(verb, argsJson, TestHost.ADMIN);
    }

    /** Registers a fresh key; {@code extraJson} adds fields ({@code ,"tags":["a"]}). */
    Key register(String name, String extraJson) {
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        JsonNode e = admin("register", "{\"publicKey\":\"" + HexFormat.of().formatHex(pair.publicKey())
                + "\",\"type\":\"device\",\"name\":\"" + name + "\"" + extraJson + "}");
        return new Key(e.get("id").asText(), pair);
    }

    /** Challenge, sign, token: the token string. */
    String login(Key key) {
        String challenge = challenge(key.id());
        return call("token", "{\"id\":\"" + key.id() + "\",\"challenge\":\"" + challenge + "\",\"signature\":\""
                + key.sign(challenge) + "\"}", anonymous()).get("token").asText();
    }

    String challenge(String id) {
        return call("challenge", "{\"id\":\"" + id + "\"}", anonymous()).get("challenge").asText();
    }

    TokenValidator validator() {
        return memory.validator("ent_").orElseThrow();
    }

    Identity validate(String token) {
        return validator().validate(token);
    }

    long revision() {
        return memory.feed("harness").lastRevision();
    }

    /** An entity holding key pair {@code pair}, as {@code registry.register} answered. */
    record Key(String id, Ed25519KeyPair pair) {
        /** The signature of a challenge, in hex. */
        String sign(String challenge) {
            return HexFormat.of().formatHex(pair.sign((TokenOps.SIGNING_CONTEXT + challenge).getBytes(StandardCharsets.UTF_8)));
        }

        Caller caller() {
            return named("ent:" + id);
        }
    }

    static Caller anonymous() {
        return named("anonymous");
    }

    /** A caller with no rights on the node: the registry decides by its name alone. */
    static Caller named(String name) {
        return new Caller() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean isAuthenticated() {
                return !name.equals("anonymous");
            }

            @Override
            public boolean may(Access access, String key) {
                return false;
            }

            @Override
            public boolean holds(Scope scope) {
                return false;
            }
        };
    }

    /** {@link MemoryHostServices} recording the prefix or pattern of every scan. */
    static final class Recording implements HostServices {
        private final MemoryHostServices d;
        final List<String> scans = new ArrayList<>();
        int gets;

        Recording(MemoryHostServices delegate) {
            this.d = delegate;
        }

        @Override
        public synchronized Optional<KvEntry> get(String key) {
            gets++;
            return d.get(key);
        }

        @Override
        public KvEntry set(String key, JsonNode value, long ifRevision, String writer) {
            return d.set(key, value, ifRevision, writer);
        }

        @Override
        public boolean delete(String key, String writer) {
            return d.delete(key, writer);
        }

        @Override
        public synchronized KvPage scan(String prefixOrPattern, String after, int limit) {
            scans.add(prefixOrPattern);
            return d.scan(prefixOrPattern, after, limit);
        }

        @Override
        public synchronized KvPage scan(String prefixOrPattern, String after, int limit, Predicate<String> visible) {
            scans.add(prefixOrPattern);
            return d.scan(prefixOrPattern, after, limit, visible);
        }

        synchronized void clear() {
            scans.clear();
            gets = 0;
        }

        @Override
        public void publish(String topic, JsonNode payload, String publisher) {
            d.publish(topic, payload, publisher);
        }

        @Override
        public ChangeFeed feed(String consumer) {
            return d.feed(consumer);
        }

        @Override
        public Caller principal(String name) {
            return d.principal(name);
        }

        @Override
        public PluginIdentities identities(String pluginId) {
            return d.identities(pluginId);
        }

        @Override
        public void withdraw(TokenValidator validator) {
            d.withdraw(validator);
        }
    }
}
