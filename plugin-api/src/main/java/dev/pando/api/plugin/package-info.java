/**
 * The contract a plugin compiles against: {@link dev.pando.api.plugin.PandoPlugin} to implement,
 * {@link dev.pando.api.plugin.PluginContext} and {@link dev.pando.api.plugin.PluginKv} to use.
 * It names no plugin framework, and its one failure type is the unchecked
 * {@link dev.pando.api.PandoException} with an {@link dev.pando.api.ErrorCode}, in both
 * directions: what the host's APIs throw, and what a plugin throws to fail a call with a code.
 */
package dev.pando.api.plugin;
