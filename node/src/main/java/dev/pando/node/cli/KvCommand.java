package dev.pando.node.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pando kv get|set|del|scan}. */
@Command(name = "kv", synopsisSubcommandLabel = "COMMAND", description = "Read and write the node's key-value state.",
        subcommands = {KvGetCommand.class, KvSetCommand.class, KvDelCommand.class, KvScanCommand.class})
final class KvCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing kv command (get, set, del or scan)");
    }
}
