package dev.pando.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoConnectionException;
import dev.pando.node.auth.NodeIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code pando health [--wait SECONDS] [--node-id ID | --data-dir DIR]}: is the node up; optionally wait until it is. */
@Command(name = "health", description = {"Print the node's health (op node.health), which names the node (nodeId).",
        "With --wait, keep trying while the node cannot be reached, up to SECONDS: for scripts that start a node",
        "in the background (pando serve &) and must not talk to it before it listens. Exit code 3 if it never answered.",
        "With --node-id or --data-dir, only that node counts: if another process answers on the port (the node just",
        "started may have died on 'port already in use'), keep waiting, then fail with exit code 1 naming both ids."})
final class HealthCommand extends ClientCommand {
    /** Between attempts: short enough that a script barely waits, long enough not to spin. */
    static final long RETRY_MILLIS = 100;
    static final int MAX_WAIT_SECONDS = 3600;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
            description = "Retry for up to this many seconds while the node is unreachable (default 0: one attempt; at most 3600).")
    int waitSeconds;

    @Option(names = "--node-id", paramLabel = "ID", description = "Expect the node with this id (node.info's nodeId).")
    String nodeId;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Expect the node that keeps its state in DIR (its id is read from DIR/node.key, which it writes when it starts).")
    Path dataDir;

    @Override
    public Integer call() throws InterruptedException {
        if (waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
            throw new ParameterException(spec.commandLine(), "--wait must be between 0 and " + MAX_WAIT_SECONDS + " seconds (got " + waitSeconds + ")");
        }
        if (nodeId != null && dataDir != null) {
            throw new ParameterException(spec.commandLine(), "--node-id and --data-dir are mutually exclusive");
        }
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        try (PandoClient client = node.client()) {
            while (true) {
                boolean last = System.nanoTime() + RETRY_MILLIS * 1_000_000L > deadline;
                try {
                    JsonNode health = client.health();
                    Optional<String> expected = expectedId();
                    String answered = health.path("nodeId").asText(null);
                    if (expected.isEmpty() ? dataDir == null : expected.get().equals(answered)) {
                        print(health);
                        return ExitCodes.OK;
                    }
                    if (last) {
                        throw new CliFailure(mismatch(expected, answered), ExitCodes.REQUEST);
                    }
                } catch (PandoConnectionException e) {
                    if (last) {
                        throw e;
                    }
                }
                Thread.sleep(RETRY_MILLIS);
            }
        }
    }

    private Optional<String> expectedId() {
        if (nodeId != null) {
            return Optional.of(nodeId);
        }
        if (dataDir == null) {
            return Optional.empty();
        }
        try {
            return NodeIdentity.readNodeId(dataDir);
        } catch (IOException e) {
            throw new CliFailure("cannot read the node id in " + dataDir + ": " + e.getMessage(), ExitCodes.USAGE, e);
        }
    }

    private String mismatch(Optional<String> expected, String answered) {
        String who = answered == null ? "something that is not a pando node (no nodeId)" : "node " + answered;
        String wanted = expected.map(id -> "node " + id + (dataDir == null ? "" : " (of " + dataDir + ")"))
                .orElse("the node of " + dataDir + " (which has no " + NodeIdentity.FILE + " yet: has it started?)");
        return who + " answered at " + node.uri() + ", not " + wanted
                + ". Another process may hold the port: check the new node's log (it may have failed to start), "
                + "stop the other process or start the node on another port (--port) and set PANDO_URL.";
    }
}
