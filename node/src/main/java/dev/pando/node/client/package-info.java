/**
 * Java client for a Pando node: {@link dev.pando.node.client.PandoClient} (request/response over
 * HTTP) and {@link dev.pando.node.client.PandoWebSocket} (pipelined calls and subscriptions over
 * the {@code /v1/ws} WebSocket). Failures reported by the node arrive as
 * {@link dev.pando.node.client.PandoClientException} carrying the wire
 * {@link dev.pando.api.ErrorCode}; failures to talk to the node at all arrive as
 * {@link dev.pando.node.client.PandoConnectionException}.
 */
package dev.pando.node.client;
