package dev.pando.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.manifest.ManifestException;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.WasmBundle;
import dev.pando.signing.WasmBundleException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pando plugin pack}: a WASM module plus its manifest, signed, as one .wasm file. */
@Command(name = "pack", description = {"Embed a manifest in a WASM module and sign it.",
        "The manifest is validated first. Prints {file, id, version, signer}.",
        "Example: pando plugin pack --manifest plugin.json --key release.key target/counter.wasm -o counter.wasm"})
final class PluginPackCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODULE", description = "The compiled .wasm module.")
    Path module;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write the packed .wasm.")
    Path output;

    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "The plugin manifest (JSON).")
    Path manifest;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Signing signing;

    static final class Signing {
        @Option(names = "--key", required = true, paramLabel = "KEYFILE", description = "Private key to sign with (OpenSSH, PEM or hex).")
        Path key;

        @Option(names = "--unsigned", required = true, description = "Do not sign (development only: nodes refuse unsigned plugins by default).")
        boolean unsigned;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        byte[] manifestJson = SigningFiles.read(manifest);
        PluginManifest parsed;
        try {
            parsed = ManifestParser.parse(manifestJson);
        } catch (ManifestException e) {
            throw new CliFailure(manifest + ": " + e.getMessage(), ExitCodes.USAGE, e);
        }
        Ed25519KeyPair key = signing.unsigned ? null : SigningFiles.privateKey(signing.key);
        byte[] input = SigningFiles.read(module);
        byte[] packed;
        try {
            packed = key == null ? WasmBundle.packUnsigned(input, manifestJson) : WasmBundle.pack(input, manifestJson, key);
        } catch (WasmBundleException e) {
            throw new CliFailure(module + ": " + e.getMessage(), ExitCodes.USAGE, e);
        }
        SigningFiles.write(output, packed);

        ObjectNode result = Output.JSON.createObjectNode()
                .put("file", output.toString())
                .put("id", parsed.id())
                .put("version", parsed.version());
        if (key == null) {
            result.putNull("signer");
            PrintWriter err = spec.commandLine().getErr();
            err.println("warning: " + output + " is unsigned; nodes refuse it unless they are configured to allow unsigned plugins");
            err.flush();
        } else {
            result.put("signer", Ed25519KeyPair.fingerprint(key.publicKey()));
        }
        Output.line(spec.commandLine().getOut(), result);
        return ExitCodes.OK;
    }
}
