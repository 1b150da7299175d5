package dev.pando.node.cli;

import dev.pando.node.bench.FanoutConfig;
import dev.pando.node.bench.FanoutResult;
import dev.pando.node.bench.FanoutRunner;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code pando bench fanout}: N subscribers on one pattern, writers at a fixed rate, delivery latency and losses. */
@Command(name = "fanout", description = {
        "Fan-out: --subscribers WebSocket sessions subscribe to PREFIX/** (changes only); --writers connections then kv.set "
                + "--rate changes a second in all under PREFIX for --warmup plus --duration seconds, on a fixed schedule.",
        "Each value carries its send time (System.nanoTime() of this process); each subscriber records arrival minus send. "
                + "Prints delivery latency p50/p90/p99/max, deliveries/s, expected deliveries (acknowledged writes × subscribers), "
                + "received, lost, slow-consumer cut-offs and errors; --json prints one JSON object. Progress goes to stderr.",
        "Exits 1 if a write failed or a delivery was lost or a subscriber was cut off.",
        "Sessions open at --connect-rate a second. A node takes limits.max-connections connections (default 1024) and "
                + "limits.max-connections-per-address (default 64) from one address; for 10,000 subscribers run it with:",
        "  pando serve --set limits.max-connections=12000",
        "              --set limits.max-connections-per-address=0 --set limits.rate-per-second=0",
        "and give both processes a file limit above the sessions (ulimit -n 20000)."})
final class BenchFanoutCommand extends ClientCommand {
    @Option(names = "--subscribers", paramLabel = "N", defaultValue = "100", description = "Subscriber sessions. Default ${DEFAULT-VALUE}.")
    int subscribers;

    @Option(names = "--writers", paramLabel = "W", defaultValue = "1", description = "Writer connections sharing the rate. Default ${DEFAULT-VALUE}.")
    int writers;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "100", description = "Changes per second, all writers together. Default ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "10", description = "Measured seconds of writes. Default ${DEFAULT-VALUE}.")
    double durationSeconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "2", description = "Seconds of writes before, delivered but not measured. Default ${DEFAULT-VALUE}.")
    double warmupSeconds;

    @Option(names = "--loops", paramLabel = "L", description = "Client event loops the subscribers share (default: the cores).")
    Integer loops;

    @Option(names = "--connect-rate", paramLabel = "C", defaultValue = "1000", description = "Sessions opened per second. Default ${DEFAULT-VALUE}.")
    double connectRate;

    @Option(names = "--keyspace", paramLabel = "K", defaultValue = "1000", description = "Keys per writer (PREFIX/w<i>/<n mod K>). Default ${DEFAULT-VALUE}.")
    int keyspace;

    @Option(names = "--prefix", paramLabel = "KEY", defaultValue = "/bench/fanout", description = "Where the writes go. Default ${DEFAULT-VALUE}.")
    String prefix;

    @Option(names = "--drain-timeout", paramLabel = "S", defaultValue = "5",
            description = "After the writes, stop waiting for answers or deliveries when none came for S seconds. Default ${DEFAULT-VALUE}.")
    double drainSeconds;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        FanoutResult result = FanoutRunner.run(config(), BenchCommand.progress(spec));
        BenchCommand.report(spec, json, result.toJson(), result.toText());
        return result.clean() ? ExitCodes.OK : ExitCodes.REQUEST;
    }

    /** The run these options describe; a usage error (exit 2) if they make no sense. */
    FanoutConfig config() {
        try {
            return new FanoutConfig(node.uri(), node.token(), subscribers, writers, rate, seconds(durationSeconds, "--duration"),
                    seconds(warmupSeconds, "--warmup"), loops == null ? Runtime.getRuntime().availableProcessors() : loops,
                    connectRate, keyspace, prefix, seconds(drainSeconds, "--drain-timeout"));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    static Duration seconds(double s, String option) {
        if (!(s >= 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException(option + " must be a number of seconds, got " + s);
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }
}
