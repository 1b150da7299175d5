package dev.pando.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.Permission;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.PluginContext;
import dev.pando.api.plugin.PluginIdentities;
import dev.pando.api.plugin.PluginKv;
import dev.pando.api.plugin.Replica;
import dev.pando.api.plugin.TokenValidator;
import dev.pando.host.kv.ScopedKv;
import dev.pando.host.kv.WriteBudget;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link PluginContext} the host hands each plugin, bounded by its manifest. */
public final class HostContext implements PluginContext {
    private static final Pattern ACTOR = Pattern.compile("[a-z0-9][a-z0-9:_.-]{0,63}");
    private static final Pattern GAUGE = Pattern.compile("[a-z0-9_]{1,64}");
    private final PluginManifest manifest;
    private final HostServices host;
    private final ScopedKv kv;
    private final Logger log;
    private final JsonNode config;
    private final Clock clock;
    private final SecureRandom random;
    /** {@code plugin:<id>}, or {@code plugin:<id>/<actor>} in an {@link #actingAs} view. */
    private final String writer;
    private final WriteBudget budget;
    /** Validators and the ownership guard this plugin registered, shared by every view: withdrawn when it stops. */
    private final Registrations registered;

    /**
     * A context with no write budget (tests, tools); the node passes its budgets explicitly.
     *
     * @param operatorConfig the operator's overrides for this plugin, or null
     */
    public HostContext(PluginManifest manifest, HostServices host, JsonNode operatorConfig, Clock clock) {
        this(manifest, host, operatorConfig, clock, WriteBudget.Limits.UNLIMITED);
    }

    /** A context whose writes are bounded by {@code writeLimits} (builtins: {@link WriteBudget.Limits#UNLIMITED}). */
    public HostContext(PluginManifest manifest, HostServices host, JsonNode operatorConfig, Clock clock, WriteBudget.Limits writeLimits) {
        this(manifest, host, merge(manifest, operatorConfig), clock, new SecureRandom(), "plugin:" + manifest.id(),
                new WriteBudget(manifest.id(), writeLimits), new Registrations());
    }

    private HostContext(PluginManifest manifest, HostServices host, JsonNode config, Clock clock, SecureRandom random, String writer,
                        WriteBudget budget, Registrations registered) {
        this.manifest = manifest;
        this.registered = registered;
        this.host = host;
        this.writer = writer;
        this.budget = budget;
        this.kv = new ScopedKv(manifest, host, writer, budget);
        this.log = LoggerFactory.getLogger("pando.plugin." + manifest.id());
        this.clock = clock;
        this.random = random;
        this.config = config;
    }

    private static JsonNode merge(PluginManifest manifest, JsonNode operatorConfig) {
        ObjectNode merged = manifest.config().deepCopy();
        if (operatorConfig != null && operatorConfig.isObject()) {
            // Copied: setAll would share the operator's nested nodes with the plugin.
            merged.setAll(((ObjectNode) operatorConfig).deepCopy());
        }
        return merged;
    }

    @Override
    public String pluginId() {
        return manifest.id();
    }

    @Override
    public PluginManifest manifest() {
        return manifest;
    }

    @Override
    public PluginKv kv() {
        return kv;
    }

    @Override
    public void publish(String topic, JsonNode payload) {
        require(Permission.PUBLISH);
        host.publish(Keys.requireValid(topic), payload, writer);
    }

    @Override
    public Logger log() {
        return log;
    }

    @Override
    public Clock clock() {
        require(Permission.CLOCK);
        return clock;
    }

    @Override
    public SecureRandom random() {
        require(Permission.RANDOM);
        return random;
    }

    @Override
    public JsonNode config() {
        return config;
    }

    @Override
    public ChangeFeed feed() {
        require(Permission.FEED);
        return host.feed("plugin:" + manifest.id());
    }

    @Override
    public void gauge(String name, String help, LongSupplier value, String... labels) {
        if (name == null || !GAUGE.matcher(name).matches()) {
            throw PandoException.badRequest("a gauge name is 1 to 64 of a-z 0-9 _, got '" + name + "'");
        }
        if (labels.length % 2 != 0) {
            throw PandoException.badRequest("gauge labels come in name, value pairs");
        }
        host.gauge("pando_plugin_" + manifest.id().replace('-', '_') + "_" + name, help, Objects.requireNonNull(value, "value"), labels);
    }

    @Override
    public Replica replica() {
        require(Permission.REPLICATE);
        return new Replica() {
            @Override
            public Optional<KvChange> apply(KvChange change) {
                kv.writable(change.key());
                if (change.originRevision() <= 0) {
                    throw PandoException.badRequest("a replicated change needs a positive origin revision, got " + change.originRevision());
                }
                budget.charge();
                return host.replicate(change);
            }

            @Override
            public int applyAll(List<KvChange> changes) {
                for (KvChange c : changes) {
                    kv.writable(c.key());
                    if (c.originRevision() <= 0) {
                        throw PandoException.badRequest("a replicated change needs a positive origin revision, got " + c.originRevision());
                    }
                }
                budget.charge(changes.size());
                return host.replicateAll(changes);
            }

            @Override
            public String nodeId() {
                return host.nodeKey().nodeId();
            }

            @Override
            public byte[] nodePublicKey() {
                return host.nodeKey().publicKey();
            }

            @Override
            public byte[] signAsNode(byte[] message) {
                byte[] context = Replica.SIGNING_CONTEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byte[] all = new byte[context.length + message.length];
                System.arraycopy(context, 0, all, 0, context.length);
                System.arraycopy(message, 0, all, context.length, message.length);
                return host.nodeKey().sign(all);
            }

            @Override
            public void refuseWritesOwnedElsewhere(Function<String, Optional<String>> owner) {
                host.refuseWritesOwnedElsewhere(owner);
                Function<String, Optional<String>> before = registered.guard.getAndSet(owner);
                if (before != null && before != owner) {
                    host.withdrawOwnershipGuard(before);
                }
            }
        };
    }

    @Override
    public PluginIdentities identities() {
        require(Permission.IDENTITY);
        PluginIdentities node = host.identities(manifest.id());
        return new PluginIdentities() {
            @Override
            public void register(TokenValidator validator) {
                node.register(validator);
                registered.validators.add(validator);
            }

            @Override
            public void invalidate(String name) {
                node.invalidate(name);
            }

            @Override
            public void invalidateAll() {
                node.invalidateAll();
            }
        };
    }

    /** Withdraws what this plugin registered with the node (token validators, an ownership guard): it stopped. */
    public void withdrawRegistrations() {
        for (TokenValidator v : registered.validators) {
            host.withdraw(v);
        }
        registered.validators.clear();
        Function<String, Optional<String>> guard = registered.guard.getAndSet(null);
        if (guard != null) {
            host.withdrawOwnershipGuard(guard);
        }
    }

    /** What the plugin registered with the node through any view of its context. */
    private static final class Registrations {
        final List<TokenValidator> validators = new CopyOnWriteArrayList<>();
        final AtomicReference<Function<String, Optional<String>>> guard = new AtomicReference<>();
    }

    @Override
    public Caller principal(String name) {
        return host.principal(Objects.requireNonNull(name, "name"));
    }

    @Override
    public PluginContext actingAs(String actor) {
        if (actor == null || !ACTOR.matcher(actor).matches()) {
            throw PandoException.badRequest("actor must be 1 to 64 of a-z 0-9 : _ . - starting with a letter or digit, got '" + actor + "'");
        }
        return new HostContext(manifest, host, config, clock, random, "plugin:" + manifest.id() + "/" + actor, budget, registered);
    }

    /** The plugin's write budget, shared by every view of this context. */
    public WriteBudget writeBudget() {
        return budget;
    }

    /** Throws {@code FORBIDDEN} unless the manifest declares {@code permission}. */
    public void require(Permission permission) {
        if (!manifest.has(permission)) {
            throw new PandoException(ErrorCode.FORBIDDEN, "plugin '" + manifest.id() + "' did not declare the '"
                    + permission.jsonName() + "' permission");
        }
    }
}
