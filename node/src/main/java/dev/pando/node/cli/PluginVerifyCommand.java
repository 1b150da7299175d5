package dev.pando.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.manifest.ManifestException;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.signing.DetachedSignature;
import dev.pando.signing.SignatureException;
import dev.pando.signing.Signer;
import dev.pando.signing.TrustedKeys;
import dev.pando.signing.WasmBundle;
import dev.pando.signing.WasmBundleException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pando plugin verify}: checks a plugin's signature the way a node would before loading it. */
@Command(name = "verify", description = {"Check a plugin's signature against trusted keys, as a node does before loading it.",
        "A .wasm must be signed inside (pando plugin pack); a .jar needs JAR.sig beside it (pando plugin sign). "
                + "Prints {file, kind, signer} (and id, version for .wasm). "
                + "Exit 1 if refused, with the reason: UNSIGNED, SIGNATURE_NOT_LAST, MALFORMED, BAD_SIGNATURE or UNTRUSTED_SIGNER.",
        "Example: pando plugin verify --trusted /etc/pando/trusted-keys plugins/counter.wasm"})
final class PluginVerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "A .wasm or .jar plugin.")
    Path file;

    @Option(names = "--trusted", required = true, paramLabel = "FILE|DIR",
            description = "Trusted public keys: a file of them (OpenSSH, PEM or hex; # comments), or a directory of such files.")
    Path trustedPath;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String name = file.getFileName().toString();
        boolean wasm = name.endsWith(".wasm");
        if (!wasm && !name.endsWith(".jar")) {
            throw new CliFailure("cannot tell what " + file + " is: expected a .wasm or .jar plugin", ExitCodes.USAGE);
        }
        TrustedKeys trusted = SigningFiles.trusted(trustedPath);
        if (trusted.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("warning: " + trustedPath + " holds no keys, so no signature can be trusted");
            err.flush();
        }
        ObjectNode result = Output.JSON.createObjectNode().put("file", file.toString()).put("kind", wasm ? "wasm" : "jar");
        try {
            if (wasm) {
                WasmBundle bundle = WasmBundle.read(SigningFiles.read(file));
                Signer signer = bundle.verify(trusted);
                PluginManifest manifest = ManifestParser.parse(bundle.manifest());
                result.put("id", manifest.id()).put("version", manifest.version()).put("signer", signer.fingerprint());
            } else {
                if (!Files.isRegularFile(file)) {
                    throw new CliFailure("cannot read " + file + ": no such file", ExitCodes.USAGE);
                }
                result.put("signer", DetachedSignature.verifyFile(file, trusted).fingerprint());
            }
        } catch (SignatureException e) {
            throw refused(e.reason() + ": " + e.getMessage(), e);
        } catch (WasmBundleException | ManifestException e) {
            throw refused(e.getMessage(), e);
        } catch (IOException e) {
            Object what = e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : file;
            throw new CliFailure("cannot read " + what + ": " + SigningFiles.describe(e), ExitCodes.USAGE, e);
        }
        Output.line(spec.commandLine().getOut(), result);
        return ExitCodes.OK;
    }

    private CliFailure refused(String why, Exception cause) {
        return new CliFailure("refused " + file + ": " + why, ExitCodes.REQUEST, cause);
    }
}
