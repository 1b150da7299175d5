package dev.pando.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestCaps;
import dev.pando.api.manifest.ManifestException;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.LoadedPlugin;
import dev.pando.host.PluginLoader;
import dev.pando.host.pf4j.NativePlugin;
import dev.pando.host.pf4j.NativePluginLoader;
import dev.pando.host.wasm.WasmOptions;
import dev.pando.host.wasm.WasmPlugin;
import dev.pando.signing.DetachedSignature;
import dev.pando.signing.SignatureException;
import dev.pando.signing.TrustedKeys;
import dev.pando.signing.WasmBundle;
import dev.pando.signing.WasmBundleException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pando plugin verify}: checks a plugin the way a node does before serving it: its
 * signature, then the node's own loader (manifest against the default caps, module compiled and
 * checked against its manifest, jar classes found). What passes here a node with default limits loads.
 */
@Command(name = "verify", description = {"Check a plugin as a node does before loading it: its signature against trusted keys, "
        + "then its manifest and code (a .wasm is compiled and its exports checked against the manifest; a .jar's plugin class is loaded).",
        "A .wasm must be signed inside (pando plugin pack); a .jar needs JAR.sig beside it (pando plugin sign). "
                + "Without --trusted the signature is not checked (signer: null), only the rest. "
                + "Prints {file, kind, id, version, signer}. "
                + "Exit 1 if refused, with the reason: UNSIGNED, SIGNATURE_NOT_LAST, MALFORMED, BAD_SIGNATURE, UNTRUSTED_SIGNER, "
                + "or what the node's loader refuses (e.g. a manifest op whose export the module lacks).",
        "Example: pando plugin verify --trusted /etc/pando/trusted-keys plugins/counter.wasm"})
final class PluginVerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "A .wasm or .jar plugin.")
    Path file;

    @Option(names = "--trusted", paramLabel = "FILE|DIR",
            description = "Trusted public keys: a file of them (OpenSSH, PEM or hex; # comments), or a directory of such files. "
                    + "Without it, everything but the signature is checked.")
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
        TrustedKeys trusted = trustedPath == null ? null : SigningFiles.trusted(trustedPath);
        PrintWriter err = spec.commandLine().getErr();
        if (trusted == null) {
            err.println("warning: no --trusted keys given: the signature is not checked, only the manifest and code");
        } else if (trusted.isEmpty()) {
            err.println("warning: " + trustedPath + " holds no keys, so no signature can be trusted");
        }
        err.flush();
        ObjectNode result = Output.JSON.createObjectNode().put("file", file.toString()).put("kind", wasm ? "wasm" : "jar");
        String signer = null;
        try {
            if (!Files.isRegularFile(file)) {
                throw new CliFailure("cannot read " + file + ": no such file", ExitCodes.USAGE);
            }
            if (wasm) {
                WasmBundle bundle = WasmBundle.read(SigningFiles.read(file));
                if (trusted != null) {
                    signer = bundle.verify(trusted).fingerprint();
                }
                ManifestParser.parse(bundle.manifest());
            } else if (trusted != null) {
                signer = DetachedSignature.verifyFile(file, trusted).fingerprint();
            }
        } catch (SignatureException e) {
            throw refused(e.reason() + ": " + e.getMessage(), e);
        } catch (WasmBundleException | ManifestException e) {
            throw refused(e.getMessage(), e);
        } catch (IOException e) {
            Object what = e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : file;
            throw new CliFailure("cannot read " + what + ": " + SigningFiles.describe(e), ExitCodes.USAGE, e);
        }
        PluginManifest manifest = loadAsANodeWould(wasm);
        result.put("id", manifest.id()).put("version", manifest.version()).put("signer", signer);
        Output.line(spec.commandLine().getOut(), result);
        return ExitCodes.OK;
    }

    /**
     * The node's own loader, so verify refuses what a node refuses: with --trusted exactly the
     * node's path; without, the same steps after the signature check. Nothing is started.
     */
    private PluginManifest loadAsANodeWould(boolean wasm) {
        try {
            if (trustedPath != null) {
                LoadedPlugin loaded = new PluginLoader(new PluginLoader.Settings(ManifestCaps.DEFAULT, Optional.of(trustedPath), false, true,
                        WasmOptions.DEFAULT)).load(file);
                release(loaded.resources());
                return loaded.manifest();
            }
            if (wasm) {
                WasmBundle bundle = WasmBundle.read(SigningFiles.read(file));
                PluginManifest manifest = ManifestParser.parse(bundle.manifest(), ManifestCaps.DEFAULT);
                release(WasmPlugin.load(manifest, bundle.module(), WasmOptions.DEFAULT));
                return manifest;
            }
            NativePlugin plugin = new NativePluginLoader().load(file, ManifestCaps.DEFAULT);
            PluginManifest manifest = plugin.manifest();
            release(plugin);
            return manifest;
        } catch (PandoException e) {
            throw refused(e.getMessage(), e);
        }
    }

    private static void release(AutoCloseable resources) {
        try {
            resources.close();
        } catch (Exception e) {
            // verify exits right after; nothing of it outlives the process
        }
    }

    private CliFailure refused(String why, Exception cause) {
        return new CliFailure("refused " + file + ": " + why, ExitCodes.REQUEST, cause);
    }
}
