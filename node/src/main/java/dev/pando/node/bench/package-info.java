/**
 * Load generator behind {@code pando bench}: drives a live node with {@code kv.set}/{@code kv.get}
 * over many connections (Netty WebSocket with pipelining, or HTTP keep-alive), records per-request
 * latency in a {@link dev.pando.node.bench.LatencyHistogram} and reports throughput, percentiles
 * and errors by code ({@link dev.pando.node.bench.BenchResult}). {@code pando bench fanout}
 * ({@link dev.pando.node.bench.FanoutRunner}) times deliveries from writers at a fixed rate to many
 * subscribers; {@code pando bench memory} ({@link dev.pando.node.bench.MemoryRunner}) measures the
 * node's heap per idle WebSocket session through {@code admin.memory}.
 */
package dev.pando.node.bench;
