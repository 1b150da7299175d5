package dev.pando.node.cli;

import dev.pando.api.PandoException;
import dev.pando.signing.cap.CapabilityToken;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pando token delegate}: a narrower token made from one you hold. */
@Command(name = "delegate", description = {"Delegate a narrower token from one you hold; prints the new token.",
        "Its scopes must lie within the parent's and it cannot outlive it: the node refuses it otherwise.",
        "Example: pando token delegate --token $T --key me.key --scope write:/lights/room1 --ttl 10m"})
final class TokenDelegateCommand implements Callable<Integer> {
    @Option(names = "--token", required = true, paramLabel = "TOKEN", description = "The parent token (cap_...).")
    String token;

    @Mixin
    TokenGrant grant;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CapabilityToken parent;
        try {
            parent = CapabilityToken.decode(token);
        } catch (PandoException e) {
            throw new CliFailure("--token: " + e.getMessage(), ExitCodes.USAGE);
        }
        Instant now = Instant.now();
        Instant expires = now.plus(grant.ttl());
        if (expires.getEpochSecond() > parent.expiresAt()) {
            expires = Instant.ofEpochSecond(parent.expiresAt()); // never outlive the parent
        }
        CapabilityToken child = CapabilityToken.delegate(parent, grant.key(), grant.scopes(), now, expires);
        spec.commandLine().getOut().println(child.encode());
        return ExitCodes.OK;
    }
}
