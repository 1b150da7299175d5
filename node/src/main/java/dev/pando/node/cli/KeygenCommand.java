package dev.pando.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.Ed25519Keys;
import dev.pando.signing.KeyFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pando keygen -o FILE}: a new Ed25519 key pair for signing plugins. */
@Command(name = "keygen", description = {"Create an Ed25519 key pair for signing plugins.",
        "Writes FILE (the private key, mode 0600) and FILE.pub, then prints {private, public, publicKey, fingerprint}. "
                + "Put the publicKey line in the trusted-keys file of every node that should load your plugins.",
        "Example: pando keygen -o release.key"},
        footer = {"", "Exit codes: 0 ok, 1 FILE or FILE.pub exists (without --force) or cannot be written, 2 usage error."})
final class KeygenCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Private key file; the public key goes to FILE.pub.")
    Path output;

    @Option(names = "--format", paramLabel = "FORMAT", description = "openssh (default; what ssh-keygen writes), pem (PKCS#8) or hex.")
    KeyFormat format = KeyFormat.OPENSSH;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Comment in OpenSSH keys. Default: the file name.")
    String comment;

    @Option(names = "--force", description = "Replace FILE and FILE.pub if they exist.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path publicFile = output.resolveSibling(output.getFileName() + ".pub");
        if (!force) {
            for (Path p : new Path[] {output, publicFile}) {
                if (Files.exists(p)) {
                    throw new CliFailure(p + " already exists; use --force to replace it", ExitCodes.REQUEST);
                }
            }
        }
        String note = comment != null ? comment : output.getFileName().toString();
        Ed25519KeyPair key = Ed25519KeyPair.generate();
        try {
            Ed25519Keys.writePrivate(output, key, format, note);
            Ed25519Keys.writePublic(publicFile, key.publicKey(), format, note);
        } catch (IOException e) {
            throw new CliFailure("cannot write the key: " + SigningFiles.describe(e), ExitCodes.REQUEST, e);
        }
        ObjectNode result = Output.JSON.createObjectNode()
                .put("private", output.toString())
                .put("public", publicFile.toString())
                .put("publicKey", Ed25519Keys.encodePublic(key.publicKey(), KeyFormat.OPENSSH, note).strip())
                .put("fingerprint", Ed25519KeyPair.fingerprint(key.publicKey()));
        Output.line(spec.commandLine().getOut(), result);
        return ExitCodes.OK;
    }
}
