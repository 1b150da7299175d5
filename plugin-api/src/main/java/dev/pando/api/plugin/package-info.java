/**
 * The contract a plugin compiles against: {@link dev.pando.api.plugin.PandoPlugin} to implement,
 * {@link dev.pando.api.plugin.PluginContext} and {@link dev.pando.api.plugin.PluginKv} to use.
 */
package dev.pando.api.plugin;
