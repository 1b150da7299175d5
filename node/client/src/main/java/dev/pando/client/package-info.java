/**
 * Java client for a Pando node: {@link dev.pando.client.PandoClient} (request/response over
 * HTTP) and {@link dev.pando.client.PandoWebSocket} (pipelined calls and subscriptions over
 * the {@code /v1/ws} WebSocket). Every failure is a {@link dev.pando.api.PandoException}: one
 * the node reported carries its wire {@link dev.pando.api.ErrorCode}, message and retry hint;
 * a failure to talk to the node at all is the subclass
 * {@link dev.pando.client.PandoConnectionException} (code {@code UNAVAILABLE}). See
 * {@code docs/client.md}.
 */
package dev.pando.client;
