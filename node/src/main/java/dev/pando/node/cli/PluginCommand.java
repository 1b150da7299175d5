package dev.pando.node.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code pando plugin pack|sign|verify}: build and check signed plugins offline (no node needed). */
@Command(name = "plugin", scope = ScopeType.INHERIT, synopsisSubcommandLabel = "COMMAND", description = "Package, sign and verify plugins (offline).",
        footer = {"", "Exit codes: 0 ok, 1 verify refused the plugin (the reason is printed) or an output could not be written, "
                + "2 usage error (bad arguments, an unreadable file, an invalid key or trusted-keys file, or for pack an invalid manifest or module)."},
        subcommands = {PluginPackCommand.class, PluginSignCommand.class, PluginVerifyCommand.class})
final class PluginCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing plugin command (pack, sign or verify)");
    }
}
