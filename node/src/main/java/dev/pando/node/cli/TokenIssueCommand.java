package dev.pando.node.cli;

import dev.pando.signing.cap.CapabilityToken;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pando token issue}: a root capability token signed by a key the node trusts. */
@Command(name = "issue", description = {"Issue a root capability token; prints the token (cap_...).",
        "A node accepts it when --key's public key is among its trusted issuers.",
        "Example: pando token issue --key ops.key --scope write:/lights/** --ttl 1h"})
final class TokenIssueCommand implements Callable<Integer> {
    @Option(names = "--key", required = true, paramLabel = "KEYFILE", description = "Private key to sign with (OpenSSH, PEM or hex).")
    Path key;

    @Option(names = "--scope", required = true, paramLabel = "SCOPE",
            description = "What it grants, <action>:<pattern> (read, subscribe, publish, write, admin); repeatable.")
    List<String> scopes;

    @Option(names = "--ttl", required = true, paramLabel = "DURATION", description = "How long it is valid: 90s, 10m, 1h, 7d.")
    String ttl;

    @Option(names = "--audience", paramLabel = "NODE", description = "Valid only on the node with this id.")
    String audience;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Instant now = Instant.now();
        CapabilityToken token = CapabilityToken.issue(SigningFiles.privateKey(key), TokenCommand.scopes(scopes), now,
                now.plus(TokenCommand.ttl(ttl)), Optional.ofNullable(audience));
        spec.commandLine().getOut().println(token.encode());
        return ExitCodes.OK;
    }
}
