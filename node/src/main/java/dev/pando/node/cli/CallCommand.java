package dev.pando.node.cli;

import dev.pando.client.PandoClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pando call <op> [json-args]}: any op, core or plugin. */
@Command(name = "call", description = {"Call any op (core or plugin) and print its result.",
        "Over HTTP: POST /v1/ops/OP with the JSON arguments.",
        "Examples: pando call node.info    pando call kv.changes '{\"after\":0}'    echo '{}' | pando call myplugin.run -"})
final class CallCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "OP", description = "Op name, e.g. node.info or myplugin.verb.")
    String op;

    @Parameters(index = "1", arity = "0..1", paramLabel = "<json-args>", defaultValue = "{}",
            description = "Arguments as JSON (default: {}); - reads stdin.")
    String args;

    @Override
    public Integer call() {
        try (PandoClient client = node.client()) {
            print(client.call(op, json("<json-args>", args)));
        }
        return ExitCodes.OK;
    }
}
