package dev.pando.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.client.PandoConnectionException;
import dev.pando.client.PandoWebSocket;
import dev.pando.client.SubscribeOptions;
import dev.pando.client.Subscription;
import java.io.PrintWriter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code pando sub <pattern>}: streams pushed frames as JSON lines until interrupted, like
 * claw.events' {@code sub}. Frames are printed by the main thread from a bounded queue, so a slow
 * stdout slows reading from the socket instead of growing memory (the node then reports
 * SLOW_CONSUMER, and this command exits 1).
 */
@Command(name = "sub", description = {
        "Stream changes and events matching PATTERN as JSON lines.",
        "Each pushed frame ({\"type\":\"change\"|\"event\"|\"error\", ...}) is printed as one line until interrupted. "
                + "With --snapshot the matching entries come first, as {\"type\":\"snapshot\",\"sub\":..,\"entry\":..}. "
                + "Exits 1 on an error frame (SLOW_CONSUMER), 3 if the connection is lost.",
        "Example: pando sub '/site-a/**' --snapshot | jq -c ."})
final class SubCommand extends ClientCommand {
    /** Frames waiting for stdout; beyond this the socket reader waits (back-pressure). */
    private static final int QUEUE = 4096;

    @Parameters(index = "0", paramLabel = "PATTERN", description = "Key/topic pattern: * is one segment, ** any number.")
    String pattern;

    @Option(names = "--snapshot", description = "First print the entries that currently match.")
    boolean snapshot;

    @ArgGroup(exclusive = true)
    Only only;

    static final class Only {
        @Option(names = "--changes-only", description = "Only stored changes, no events.")
        boolean changes;

        @Option(names = "--events-only", description = "Only published events, no changes.")
        boolean events;
    }

    @Option(names = "--count", paramLabel = "N", description = "Exit after N pushed frames (default: run until interrupted).")
    Long count;

    private final BlockingQueue<JsonNode> frames = new ArrayBlockingQueue<>(QUEUE);
    private volatile boolean stopped;

    @Override
    public Integer call() throws InterruptedException {
        if (count != null && count <= 0) {
            throw new ParameterException(spec.commandLine(), "--count must be positive (got " + count + ")");
        }
        SubscribeOptions options = only == null ? SubscribeOptions.defaults()
                : only.changes ? SubscribeOptions.changesOnly() : SubscribeOptions.eventsOnly();
        PandoWebSocket ws = node.webSocket(new PandoWebSocket.Listener() {});
        Thread hook = new Thread(ws::close, "pando-sub-close");
        Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C: say goodbye to the node properly
        try {
            Subscription sub = ws.subscribe(pattern, options.withSnapshot(snapshot), this::enqueue);
            PrintWriter err = spec.commandLine().getErr();
            err.println("subscribed to " + pattern + " (sub " + sub.id() + ", revision " + sub.revision() + ")");
            err.flush();
            for (JsonNode entry : sub.snapshot()) {
                ObjectNode line = Output.JSON.createObjectNode().put("type", "snapshot").put("sub", sub.id());
                line.set("entry", entry);
                if (!print(line)) {
                    return ExitCodes.OK;
                }
            }
            return pump(ws);
        } finally {
            stopped = true;
            ws.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    private int pump(PandoWebSocket ws) throws InterruptedException {
        long printed = 0;
        while (true) {
            JsonNode frame = frames.poll(100, TimeUnit.MILLISECONDS);
            if (frame == null) {
                if (ws.closeFuture().isDone()) {
                    return closed(ws);
                }
                continue;
            }
            if (!print(frame)) {
                return ExitCodes.OK; // stdout closed by the reader
            }
            if ("error".equals(frame.path("type").asText())) {
                JsonNode error = frame.path("error");
                throw new CliFailure(error.path("code").asText("ERROR") + ": " + error.path("message").asText("subscription dropped"),
                        ExitCodes.REQUEST);
            }
            if (count != null && ++printed >= count) {
                return ExitCodes.OK;
            }
        }
    }

    private int closed(PandoWebSocket ws) {
        try {
            ws.closeFuture().join();
            return ExitCodes.OK; // closed by us (shutdown hook)
        } catch (CompletionException e) {
            if (e.getCause() instanceof PandoConnectionException pce) {
                throw pce;
            }
            throw e;
        }
    }

    /** Runs on the socket's reader thread: wait for room, but give up once the command ends. */
    private void enqueue(JsonNode frame) {
        try {
            while (!stopped) {
                if (frames.offer(frame, 100, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
