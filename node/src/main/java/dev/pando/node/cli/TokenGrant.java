package dev.pando.node.cli;

import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.signing.Ed25519KeyPair;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** {@code --key}, {@code --scope} and {@code --ttl}: what issuing and delegating a token both take. */
final class TokenGrant {
    /** Longest lifetime {@code --ttl} accepts: a capability is meant to be short-lived. */
    static final Duration MAX_TTL = Duration.ofDays(366);
    private static final Pattern TTL = Pattern.compile("([0-9]{1,9})([smhd])");

    @Option(names = "--key", required = true, paramLabel = "KEYFILE", description = "Private key to sign with (OpenSSH, PEM or hex).")
    Path key;

    @Option(names = "--scope", required = true, paramLabel = "SCOPE",
            description = "What it grants, <action>:<pattern> (read, subscribe, publish, write, admin); repeatable.")
    List<String> scopes;

    @Option(names = "--ttl", required = true, paramLabel = "DURATION", description = "How long it is valid: 90s, 10m, 1h, 7d.")
    String ttl;

    Ed25519KeyPair key() {
        return SigningFiles.privateKey(key);
    }

    List<Scope> scopes() {
        try {
            return scopes.stream().map(Scope::parse).toList();
        } catch (PandoException e) {
            throw new CliFailure(e.getMessage(), ExitCodes.USAGE);
        }
    }

    /** {@code 90s}, {@code 10m}, {@code 1h}, {@code 7d}. */
    Duration ttl() {
        Matcher m = TTL.matcher(ttl);
        if (!m.matches()) {
            throw new CliFailure("--ttl '" + ttl + "' is not a duration like 90s, 10m, 1h or 7d", ExitCodes.USAGE);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero() || d.compareTo(MAX_TTL) > 0) {
            throw new CliFailure("--ttl " + ttl + " must be more than 0 and at most " + MAX_TTL.toDays() + "d", ExitCodes.USAGE);
        }
        return d;
    }
}
