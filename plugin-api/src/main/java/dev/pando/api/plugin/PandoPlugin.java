package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import org.pf4j.ExtensionPoint;

/**
 * What a plugin implements. A native plugin is a PF4J jar with one {@code @Extension} of this
 * interface; a WASM module is adapted to it by the host, so both kinds are driven the same way.
 *
 * <p>The host calls {@link #start} once before anything else and {@link #stop} once at the end.
 * {@link #call} may run on several worker threads at once (up to the manifest's
 * {@code limits.instances}); listener callbacks run on one listener thread, in order. A call
 * that outlives {@code limits.callTimeoutMs} is answered {@code TIMEOUT} and its thread is
 * interrupted.
 */
public interface PandoPlugin extends ExtensionPoint {

    /** Called once after load, before any call or delivery. Throwing fails the load. */
    default void start(PluginContext context) throws Exception {}

    /**
     * Serves one call to an op the manifest declares. Return the result (any JSON value, or
     * null for {@code null}); throw {@link dev.pando.api.PandoException} for a typed failure.
     * Anything else thrown becomes {@code PLUGIN_FAILED}.
     */
    JsonNode call(OpCall call) throws Exception;

    /** A committed change matching one of the manifest's {@code listens.changes} patterns. */
    default void onChange(KvChange change) throws Exception {}

    /** A published event matching one of the manifest's {@code listens.events} patterns. */
    default void onEvent(TopicEvent event) throws Exception {}

    /** Called once when the plugin is unloaded or replaced, after its last call finished. */
    default void stop() {}
}
