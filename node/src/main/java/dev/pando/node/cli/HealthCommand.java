package dev.pando.node.cli;

import dev.pando.node.client.PandoClient;
import dev.pando.node.client.PandoConnectionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code pando health [--wait SECONDS]}: is the node up; optionally wait until it is. */
@Command(name = "health", description = {"Print the node's health (op node.health).",
        "With --wait, keep trying while the node cannot be reached, up to SECONDS: for scripts that start a node",
        "in the background (pando serve &) and must not talk to it before it listens. Exit code 3 if it never answered."})
final class HealthCommand extends ClientCommand {
    /** Between attempts: short enough that a script barely waits, long enough not to spin. */
    static final long RETRY_MILLIS = 100;
    static final int MAX_WAIT_SECONDS = 3600;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
            description = "Retry for up to this many seconds while the node is unreachable (default 0: one attempt; at most 3600).")
    int waitSeconds;

    @Override
    public Integer call() throws InterruptedException {
        if (waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
            throw new ParameterException(spec.commandLine(), "--wait must be between 0 and " + MAX_WAIT_SECONDS + " seconds (got " + waitSeconds + ")");
        }
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        try (PandoClient client = node.client()) {
            while (true) {
                try {
                    print(client.health());
                    return ExitCodes.OK;
                } catch (PandoConnectionException e) {
                    if (System.nanoTime() + RETRY_MILLIS * 1_000_000L > deadline) {
                        throw e;
                    }
                    Thread.sleep(RETRY_MILLIS);
                }
            }
        }
    }
}
