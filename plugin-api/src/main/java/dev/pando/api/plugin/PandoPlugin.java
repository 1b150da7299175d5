package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a plugin implements. A native plugin is a jar naming one public class that implements
 * this interface (in {@code META-INF/services/dev.pando.api.plugin.PandoPlugin}, or with PF4J's
 * {@code @Extension}: see docs/plugins.md); a WASM module is adapted to it by the host, so every
 * kind is driven the same way.
 *
 * <p>The host calls {@link #start} once before anything else and {@link #stop} once at the end.
 * {@link #call} may run on several worker threads at once (up to the manifest's
 * {@code limits.instances}); listener callbacks run on one listener thread, in order. A call
 * that outlives {@code limits.callTimeoutMs} is answered {@code TIMEOUT} and its thread is
 * interrupted.
 *
 * <p>Failures: no method declares a checked exception. A plugin throws
 * {@link dev.pando.api.PandoException} for a failure with a meaning ({@code BAD_REQUEST},
 * {@code NOT_FOUND}, ...), which reaches the caller with its code and message; anything else that
 * escapes is the plugin's fault and becomes {@code PLUGIN_FAILED}. Checked exceptions of the
 * plugin's own (I/O, interruption) are caught or wrapped where they arise.
 */
public interface PandoPlugin {

    /** Called once after load, before any call or delivery. Throwing fails the load. */
    default void start(PluginContext context) {}

    /**
     * Serves one call to an op the manifest declares. Return the result (any JSON value, or
     * null for {@code null}); throw {@link dev.pando.api.PandoException} for a typed failure.
     * Anything else thrown becomes {@code PLUGIN_FAILED}.
     */
    JsonNode call(OpCall call);

    /**
     * A committed change matching one of the manifest's {@code listens.changes} patterns. A
     * throw is counted and logged; the listener keeps receiving.
     */
    default void onChange(KvChange change) {}

    /**
     * A published event matching one of the manifest's {@code listens.events} patterns. A throw
     * is counted and logged; the listener keeps receiving.
     */
    default void onEvent(TopicEvent event) {}

    /** Called once when the plugin is unloaded or replaced, after its last call finished. A throw is logged. */
    default void stop() {}
}
