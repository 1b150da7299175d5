package dev.pando.node.cli;

import dev.pando.client.PandoClient;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code pando kv scan <prefix-or-pattern>}: one entry per line, streamed page by page. */
@Command(name = "scan", description = {"List entries under a prefix or matching a pattern.",
        "One JSON line per entry, streamed page by page.",
        "Examples: pando kv scan /site-a    pando kv scan '/site-a/*/temp'    pando kv scan '/**'"})
final class KvScanCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PREFIX|PATTERN",
            description = "A key prefix (/site-a, or / for everything) or a pattern with * (one segment) / ** (any).")
    String selector;

    @Option(names = "--limit", paramLabel = "N", description = "Print at most N entries (default: all).")
    Long limit;

    @Override
    public Integer call() {
        if (limit != null && limit <= 0) {
            throw new ParameterException(spec.commandLine(), "--limit must be positive (got " + limit + ")");
        }
        AtomicBoolean stdoutGone = new AtomicBoolean();
        try (PandoClient client = node.client()) {
            client.scan(selector, limit == null ? Long.MAX_VALUE : limit, entry -> {
                if (!stdoutGone.get() && !print(entry)) {
                    stdoutGone.set(true); // reader went away (| head): stop printing, finish quietly
                }
            });
        }
        return ExitCodes.OK;
    }
}
