/**
 * Load generator behind {@code pando bench}: drives a live node with {@code kv.set}/{@code kv.get}
 * over many connections (Netty WebSocket with pipelining, or HTTP keep-alive), records per-request
 * latency in a {@link dev.pando.node.bench.LatencyHistogram} and reports throughput, percentiles
 * and errors by code ({@link dev.pando.node.bench.BenchResult}).
 */
package dev.pando.node.bench;
