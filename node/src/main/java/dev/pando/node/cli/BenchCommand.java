package dev.pando.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.node.bench.BenchConfig;
import dev.pando.node.bench.BenchResult;
import dev.pando.node.bench.BenchRunner;
import dev.pando.node.bench.OpMix;
import dev.pando.node.bench.Transport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pando bench}: load a live node with kv.set/kv.get and print throughput and latency. */
@Command(name = "bench", subcommands = {BenchFanoutCommand.class, BenchMemoryCommand.class}, description = {
        "Load a live node with kv.set/kv.get and print throughput and latency.",
        "Many connections (WebSocket with --pipeline requests in flight each, or HTTP keep-alive) send random keys; "
                + "the summary gives ops/s, latency percentiles and errors by code. Stops after --requests (default 200000) "
                + "or --duration. Exits 1 if any request failed.",
        "The node rate-limits each client (limits.rate-per-second); for raw numbers run it with:",
        "  pando serve --store memory --set limits.rate-per-second=0",
        "Gets of keys never set count as misses, not errors: run a set bench first to fill the keyspace.",
        "Other shapes: 'pando bench fanout' (subscribers, writers at a fixed rate, delivery latency and losses) and "
                + "'pando bench memory' (the node's heap per idle WebSocket session)."})
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ClientOptions node;

    @Option(names = "--transport", paramLabel = "ws|http", defaultValue = "ws", description = "ws (pipelined) or http (keep-alive). Default ${DEFAULT-VALUE}.")
    Transport transport;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "50", description = "Connections. Default ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--pipeline", paramLabel = "P", defaultValue = "16", description = "Requests in flight per WebSocket connection. Default ${DEFAULT-VALUE}.")
    int pipeline;

    @Option(names = "--requests", paramLabel = "N", description = "Requests to measure. Default 200000 unless --duration is given.")
    Long requests;

    @Option(names = "--duration", paramLabel = "S", description = "Measure for S seconds (may be fractional).")
    Double durationSeconds;

    @Option(names = "--mix", paramLabel = "set=P,get=Q", defaultValue = "set=100,get=0", description = "Percent of kv.set vs kv.get. Default ${DEFAULT-VALUE}.")
    String mix;

    @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "3", description = "Characters in each value string. Default ${DEFAULT-VALUE}.")
    int valueSize;

    @Option(names = "--keyspace", paramLabel = "K", defaultValue = "100000", description = "Random keys among K (/bench/key:000000 …). Default ${DEFAULT-VALUE}.")
    int keyspace;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0", description = "Requests sent and not measured before the run. Default ${DEFAULT-VALUE}.")
    long warmup;

    @Option(names = "--stall-timeout", paramLabel = "S", defaultValue = "10", description = "Give up when no answer arrives for S seconds. Default ${DEFAULT-VALUE}.")
    double stallSeconds;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        BenchConfig config = config();
        PrintWriter err = spec.commandLine().getErr();
        if (transport == Transport.http && spec.commandLine().getParseResult().hasMatchedOption("--pipeline") && pipeline > 1) {
            err.println("note: the http transport sends one request at a time per connection; --pipeline is ignored");
            err.flush();
        }
        BenchResult result = BenchRunner.run(config);
        report(spec, json, result.toJson(), result.toText());
        return result.errors() > 0 || result.stalled() ? ExitCodes.REQUEST : ExitCodes.OK;
    }

    /** Prints a bench's figures: {@code json} as one line, else {@code text}. */
    static void report(CommandSpec spec, boolean asJson, JsonNode json, String text) {
        if (asJson) {
            Output.line(spec.commandLine().getOut(), json);
        } else {
            PrintWriter out = spec.commandLine().getOut();
            out.println(text);
            out.flush();
        }
    }

    /** Where a bench's progress lines go: stderr, flushed line by line. */
    static Consumer<String> progress(CommandSpec spec) {
        PrintWriter err = spec.commandLine().getErr();
        return line -> {
            err.println(line);
            err.flush();
        };
    }

    /** The run these options describe; a usage error (exit 2) if they make no sense. */
    BenchConfig config() {
        try {
            Duration duration = durationSeconds == null ? null : Duration.ofNanos(Math.round(durationSeconds * 1e9));
            long count = requests != null ? requests : duration == null ? 200_000 : 0;
            if (requests != null && requests <= 0) {
                throw new IllegalArgumentException("--requests must be positive");
            }
            if (stallSeconds <= 0) {
                throw new IllegalArgumentException("--stall-timeout must be positive");
            }
            return new BenchConfig(node.uri(), node.token(), transport, connections, pipeline, count, duration,
                    OpMix.parse(mix), valueSize, keyspace, warmup, Duration.ofMillis(Math.round(stallSeconds * 1000)));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
