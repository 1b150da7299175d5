package dev.pando.node.bench;

/** How the bench talks to the node. */
public enum Transport {
    /** WebSocket {@code /v1/ws}, many requests in flight per connection. */
    ws,
    /** HTTP/1.1 keep-alive {@code POST /v1/ops/{op}}, one request in flight per connection. */
    http
}
