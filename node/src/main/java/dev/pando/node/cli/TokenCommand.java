package dev.pando.node.cli;

import dev.pando.api.PandoException;
import dev.pando.signing.cap.Scope;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    /** Longest lifetime {@code --ttl} accepts: a capability is meant to be short-lived. */
    static final Duration MAX_TTL = Duration.ofDays(366);
    private static final Pattern TTL = Pattern.compile("([0-9]{1,9})([smhd])");

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing token command (issue, delegate or inspect)");
    }

    /** {@code 90s}, {@code 10m}, {@code 1h}, {@code 7d}. */
    static Duration ttl(String text) {
        Matcher m = TTL.matcher(text);
        if (!m.matches()) {
            throw new CliFailure("--ttl '" + text + "' is not a duration like 90s, 10m, 1h or 7d", ExitCodes.USAGE);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero() || d.compareTo(MAX_TTL) > 0) {
            throw new CliFailure("--ttl " + text + " must be more than 0 and at most " + MAX_TTL.toDays() + "d", ExitCodes.USAGE);
        }
        return d;
    }

    static List<Scope> scopes(List<String> texts) {
        try {
            return texts.stream().map(Scope::parse).toList();
        } catch (PandoException e) {
            throw new CliFailure(e.getMessage(), ExitCodes.USAGE);
        }
    }
}
