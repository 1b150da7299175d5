package dev.pando.node.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.client.PandoClient;
import dev.pando.node.bench.MemoryConfig;
import dev.pando.node.bench.MemoryResult;
import dev.pando.node.bench.MemoryRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code pando bench memory}: the node's heap per idle WebSocket session. */
@Command(name = "memory", description = {
        "Heap per idle WebSocket session: reads the node's used heap after a full GC (op admin.memory), opens --sessions "
                + "idle sessions, reads it again once the node counts them, closes them and reads it a third time. "
                + "Prints the readings and the heap per session; --json prints one JSON object. Progress goes to stderr.",
        "admin.memory needs the admin token: --token, $PANDO_TOKEN, else the admin.token of --data-dir (or ./data). "
                + "The sessions use --token too (none: anonymous, open mode only).",
        "A node takes limits.max-connections connections (default 1024) and limits.max-connections-per-address (default 64) "
                + "from one address; for 10,000 sessions run it with:",
        "  pando serve --set limits.max-connections=12000",
        "              --set limits.max-connections-per-address=0",
        "and give both processes a file limit above the sessions (ulimit -n 20000)."})
final class BenchMemoryCommand extends AdminCommand {
    @Option(names = "--sessions", paramLabel = "N", defaultValue = "10000", description = "Idle sessions to open. Default ${DEFAULT-VALUE}.")
    int sessions;

    @Option(names = "--subscribe", description = "Give each session one subscription of its own (/bench/memory/<i>/**).")
    boolean subscribe;

    @Option(names = "--loops", paramLabel = "L", description = "Client event loops the sessions share (default: the cores).")
    Integer loops;

    @Option(names = "--connect-rate", paramLabel = "C", defaultValue = "1000", description = "Sessions opened per second. Default ${DEFAULT-VALUE}.")
    double connectRate;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        MemoryConfig config;
        try {
            config = new MemoryConfig(node.uri(), node.token(), sessions, subscribe,
                    loops == null ? Runtime.getRuntime().availableProcessors() : loops, connectRate);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        MemoryResult result;
        try (PandoClient admin = adminClient()) {
            result = MemoryRunner.run(config, gc -> admin.call("admin.memory", JsonNodeFactory.instance.objectNode().put("gc", gc)),
                    BenchCommand.progress(spec));
        }
        BenchCommand.report(spec, json, result.toJson(), result.toText());
        return ExitCodes.OK;
    }
}
