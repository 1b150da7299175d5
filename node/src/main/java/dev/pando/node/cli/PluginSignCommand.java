package dev.pando.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.signing.DetachedSignature;
import dev.pando.signing.Ed25519KeyPair;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pando plugin sign}: a detached signature ({@code <jar>.sig}) for a native plugin jar. */
@Command(name = "sign", description = {"Sign a native plugin jar: writes JAR.sig beside it.",
        "Prints {file, signature, signer}. WASM plugins carry their signature inside: use 'pando plugin pack'.",
        "Example: pando plugin sign --key release.key build/libs/my-plugin.jar"})
final class PluginSignCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JAR", description = "The plugin jar.")
    Path jar;

    @Option(names = "--key", required = true, paramLabel = "KEYFILE", description = "Private key to sign with (OpenSSH, PEM or hex).")
    Path key;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (jar.getFileName().toString().endsWith(".wasm")) {
            throw new CliFailure(jar + " is a WASM plugin, which carries its signature inside; sign it with 'pando plugin pack'",
                    ExitCodes.USAGE);
        }
        Ed25519KeyPair pair = SigningFiles.privateKey(key);
        byte[] content = SigningFiles.read(jar);
        Path sig = DetachedSignature.sigFile(jar);
        SigningFiles.write(sig, DetachedSignature.sign(content, pair).text().getBytes(StandardCharsets.UTF_8));
        ObjectNode result = Output.JSON.createObjectNode()
                .put("file", jar.toString())
                .put("signature", sig.toString())
                .put("signer", Ed25519KeyPair.fingerprint(pair.publicKey()));
        Output.line(spec.commandLine().getOut(), result);
        return ExitCodes.OK;
    }
}
