package dev.pando.node.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.PandoException;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.TrustedKeys;
import dev.pando.signing.cap.CapabilityToken;
import dev.pando.signing.cap.CapabilityVerifier;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pando token inspect}: a token's chain decoded, each link's signature checked, and with --trusted the verdict. */
@Command(name = "inspect", description = {"Decode a token's delegation chain and check every link's signature.",
        "With --trusted, also verify it as a node would (windows, narrowing, depth, trusted root); exits 1 if it fails.",
        "Example: pando token inspect --trusted issuers.pub $T"})
final class TokenInspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TOKEN", description = "The token (cap_...).")
    String token;

    @Option(names = "--trusted", paramLabel = "FILE|DIR", description = "Trusted issuer public keys, one per line (or a directory of them).")
    Path trusted;

    @Option(names = "--node-id", paramLabel = "NODE", description = "The node id to check an audience against. Default: any (audience not checked).")
    String nodeId;

    @Option(names = "--max-depth", paramLabel = "N", description = "Most delegations allowed. Default: ${DEFAULT-VALUE}.")
    int maxDepth = CapabilityVerifier.DEFAULT_MAX_DEPTH;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<CapabilityToken> links;
        try {
            links = CapabilityToken.decode(token).links();
        } catch (PandoException e) {
            throw new CliFailure(e.getMessage(), ExitCodes.USAGE);
        }
        ObjectNode out = Output.JSON.createObjectNode();
        ArrayNode chain = out.putArray("links");
        for (CapabilityToken t : links) {
            ObjectNode l = chain.addObject();
            l.put("issuer", Ed25519KeyPair.fingerprint(t.issuer()));
            ArrayNode scopes = l.putArray("scopes");
            t.scopes().forEach(s -> scopes.add(s.toString()));
            l.put("notBefore", t.notBefore());
            l.put("expiresAt", t.expiresAt());
            l.put("audience", t.audience().orElse(null));
            l.put("nonce", t.nonce());
            l.put("signature", Ed25519KeyPair.verify(t.issuer(), t.signedBytes(), t.signature()) ? "valid" : "BAD");
        }
        int exit = ExitCodes.OK;
        if (trusted != null) {
            TrustedKeys keys = SigningFiles.trusted(trusted);
            String node = nodeId != null ? nodeId : links.get(0).audience().orElse("");
            ObjectNode verdict = out.putObject("verification");
            try {
                new CapabilityVerifier(keys::contains, node, maxDepth, Clock.systemUTC(), nonce -> false).verify(token);
                verdict.put("ok", true);
            } catch (PandoException e) {
                verdict.put("ok", false).put("reason", e.getMessage());
                exit = ExitCodes.REQUEST;
            }
        }
        Output.line(spec.commandLine().getOut(), out);
        return exit;
    }
}
