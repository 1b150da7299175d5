package dev.pando.node.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code pando token issue|delegate|inspect}: capability tokens, made and read offline (no node needed). */
@Command(name = "token", scope = ScopeType.INHERIT, synopsisSubcommandLabel = "COMMAND",
        description = "Issue, delegate and inspect capability tokens (offline).",
        footer = {"", "Exit codes: 0 ok, 1 inspect found the token invalid (the reason is printed), "
                + "2 usage error (bad arguments, an unreadable or invalid key, a malformed scope or token)."},
        subcommands = {TokenIssueCommand.class, TokenDelegateCommand.class, TokenInspectCommand.class})
final class TokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing token command (issue, delegate or inspect)");
    }
}
