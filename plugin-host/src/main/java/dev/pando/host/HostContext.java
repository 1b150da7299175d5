package dev.pando.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.Permission;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.PluginContext;
import dev.pando.api.plugin.PluginKv;
import dev.pando.host.kv.ScopedKv;
import java.security.SecureRandom;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link PluginContext} the host hands each plugin, bounded by its manifest. */
public final class HostContext implements PluginContext {
    private final PluginManifest manifest;
    private final HostServices host;
    private final ScopedKv kv;
    private final Logger log;
    private final JsonNode config;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param operatorConfig the operator's overrides for this plugin, or null
     */
    public HostContext(PluginManifest manifest, HostServices host, JsonNode operatorConfig, Clock clock) {
        this.manifest = manifest;
        this.host = host;
        this.kv = new ScopedKv(manifest, host);
        this.log = LoggerFactory.getLogger("pando.plugin." + manifest.id());
        this.clock = clock;
        ObjectNode merged = manifest.config().deepCopy();
        if (operatorConfig != null && operatorConfig.isObject()) {
            // Copied: setAll would share the operator's nested nodes with the plugin.
            merged.setAll(((ObjectNode) operatorConfig).deepCopy());
        }
        this.config = merged;
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
        host.publish(Keys.requireValid(topic), payload, "plugin:" + manifest.id());
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

    /** Throws {@code FORBIDDEN} unless the manifest declares {@code permission}. */
    public void require(Permission permission) {
        if (!manifest.has(permission)) {
            throw new PandoException(ErrorCode.FORBIDDEN, "plugin '" + manifest.id() + "' did not declare the '"
                    + permission.jsonName() + "' permission");
        }
    }
}
