package dev.pando.node.cli;

import dev.pando.signing.cap.CapabilityToken;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pando token issue}: a root capability token signed by a key the node trusts. */
@Command(name = "issue", description = {"Issue a root capability token; prints the token (cap_...).",
        "A node accepts it when --key's public key is among its trusted issuers.",
        "Example: pando token issue --key ops.key --scope write:/lights/** --ttl 1h"})
final class TokenIssueCommand implements Callable<Integer> {
    @Mixin
    TokenGrant grant;

    @Option(names = "--audience", paramLabel = "NODE", description = "Valid only on the node with this id.")
    String audience;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Instant now = Instant.now();
        CapabilityToken token = CapabilityToken.issue(grant.key(), grant.scopes(), now, now.plus(grant.ttl()),
                Optional.ofNullable(audience));
        spec.commandLine().getOut().println(token.encode());
        return ExitCodes.OK;
    }
}
