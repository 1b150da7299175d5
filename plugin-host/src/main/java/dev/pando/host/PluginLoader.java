package dev.pando.host;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestCaps;
import dev.pando.api.manifest.ManifestException;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.host.pf4j.NativePlugin;
import dev.pando.host.pf4j.NativePluginLoader;
import dev.pando.host.wasm.WasmOptions;
import dev.pando.host.wasm.WasmPlugin;
import dev.pando.signing.DetachedSignature;
import dev.pando.signing.KeyFormatException;
import dev.pando.signing.SignatureException;
import dev.pando.signing.TrustedKeys;
import dev.pando.signing.WasmBundle;
import dev.pando.signing.WasmBundleException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a plugin file into a {@link LoadedPlugin}: check its signature against the node's trust
 * settings, read and validate its manifest, load its code (a WASM module is compiled here).
 * Nothing is started. The trusted keys are re-read on every load, so an operator can add a key
 * and reload without a restart.
 */
public class PluginLoader {
    private static final Logger log = LoggerFactory.getLogger(PluginLoader.class);

    /**
     * @param trustedKeys         file or directory of trusted public keys; empty for none
     * @param allowUnsigned       load unsigned WASM bundles (development only)
     * @param requireSignedNative refuse native jars without a trusted {@code .sig}
     */
    public record Settings(ManifestCaps caps, Optional<Path> trustedKeys, boolean allowUnsigned, boolean requireSignedNative,
                           WasmOptions wasm) {
        public static final Settings DEFAULT = new Settings(ManifestCaps.DEFAULT, Optional.empty(), false, false, WasmOptions.DEFAULT);

        public Settings {
            Objects.requireNonNull(trustedKeys, "trustedKeys");
        }
    }

    /** The node's config key for the trusted keys, named in refusals so operators know what to set. */
    public static final String TRUSTED_KEYS_KEY = "plugins.trusted-keys";
    /** Bound on a manifest read only to name a failed plugin in reports. */
    private static final int MAX_MANIFEST_BYTES = 1 << 20;

    private final Settings settings;
    private final NativePluginLoader natives = new NativePluginLoader();

    public PluginLoader(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Loads a plugin file ({@code .wasm} bundle or native {@code .jar}), or throws a
     * {@link PandoException} saying why it cannot be.
     */
    public LoadedPlugin load(Path file) {
        return PluginFiles.isWasm(file) ? loadWasm(file) : loadNative(file);
    }

    /**
     * The manifest {@code file} claims, read without checking its signature or loading its code:
     * for reports on a file that failed to load, so they can name the plugin. Empty if the file
     * or its manifest cannot be read.
     */
    public Optional<PluginManifest> readManifest(Path file) {
        try {
            Optional<byte[]> json = PluginFiles.isWasm(file) ? Optional.of(WasmBundle.read(PluginFiles.read(file)).manifest())
                    : nativeManifest(file);
            return json.map(bytes -> ManifestParser.parse(bytes, settings.caps()));
        } catch (RuntimeException | IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<byte[]> nativeManifest(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(NativePluginLoader.MANIFEST_ENTRY);
            if (entry == null || entry.getSize() > MAX_MANIFEST_BYTES) {
                return Optional.empty();
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return Optional.of(in.readNBytes(MAX_MANIFEST_BYTES));
            }
        }
    }

    /**
     * A plugin compiled into the node: its manifest is validated against the same caps as any
     * plugin's, and must carry the id the node knows it by.
     *
     * @param source how reports name it, e.g. {@code builtin:journal}
     */
    public LoadedPlugin loadBuiltin(String source, String id, byte[] manifestJson, Supplier<PandoPlugin> factory) {
        PluginManifest manifest;
        try {
            manifest = ManifestParser.parse(manifestJson, settings.caps());
        } catch (ManifestException e) {
            throw PandoException.badRequest("builtin '" + id + "': " + e.getMessage());
        }
        if (!manifest.id().equals(id)) {
            throw PandoException.badRequest("builtin '" + id + "' declares id '" + manifest.id() + "'");
        }
        return new LoadedPlugin(source, PluginKind.BUILTIN, Optional.empty(), manifest, factory.get(), () -> { });
    }

    private LoadedPlugin loadNative(Path file) {
        Optional<String> signer = Optional.empty();
        if (Files.isRegularFile(PluginFiles.signatureOf(file))) {
            try {
                signer = Optional.of(DetachedSignature.verifyFile(file, trusted()).fingerprint());
            } catch (SignatureException e) {
                throw refused(file, e);
            } catch (IOException | IllegalArgumentException e) {
                throw new PandoException(ErrorCode.BAD_REQUEST, "cannot read the signature of " + file.getFileName() + ": " + e.getMessage());
            }
        } else if (settings.requireSignedNative()) {
            throw new PandoException(ErrorCode.FORBIDDEN, "refused " + file.getFileName()
                    + ": UNSIGNED: no " + PluginFiles.signatureOf(file).getFileName() + " and plugins.require-signed-native is on");
        }
        NativePlugin plugin = natives.load(file, settings.caps());
        return new LoadedPlugin(file.getFileName().toString(), PluginKind.NATIVE, signer, plugin.manifest(), plugin.plugin(), plugin);
    }

    private LoadedPlugin loadWasm(Path file) {
        WasmBundle bundle;
        try {
            bundle = WasmBundle.read(PluginFiles.read(file));
        } catch (WasmBundleException | IllegalArgumentException e) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "refused " + file.getFileName() + ": MALFORMED: " + e.getMessage());
        }
        Optional<String> signer = Optional.empty();
        if (bundle.isSigned()) {
            try {
                signer = Optional.of(bundle.verify(trusted()).fingerprint());
            } catch (SignatureException e) {
                throw refused(file, e);
            }
        } else if (settings.allowUnsigned()) {
            log.warn("!!! loading UNSIGNED WASM plugin {} because --dev-allow-unsigned is on; never do this in production !!!", file.getFileName());
        } else {
            throw new PandoException(ErrorCode.FORBIDDEN, "refused " + file.getFileName()
                    + ": UNSIGNED: the module carries no signature (sign it with 'pando plugin pack --key', or start the node with --dev-allow-unsigned)");
        }
        PluginManifest manifest = ManifestParser.parse(bundle.manifest(), settings.caps());
        WasmPlugin plugin = WasmPlugin.load(manifest, bundle.module(), settings.wasm());
        return new LoadedPlugin(file.getFileName().toString(), PluginKind.WASM, signer, manifest, plugin, plugin);
    }

    private TrustedKeys trusted() {
        if (settings.trustedKeys().isEmpty()) {
            return TrustedKeys.of();
        }
        Path path = settings.trustedKeys().get();
        try {
            return TrustedKeys.load(path);
        } catch (IOException | KeyFormatException | IllegalArgumentException e) {
            throw new PandoException(ErrorCode.UNAVAILABLE, "cannot read trusted keys from " + path + ": " + e.getMessage());
        }
    }

    private PandoException refused(Path file, SignatureException e) {
        String hint = "";
        if (e.reason() == SignatureException.Reason.UNTRUSTED_SIGNER) {
            // Name the setting: an operator who never configured it must learn where trust comes from.
            hint = settings.trustedKeys().map(keys -> " (trusted keys come from " + TRUSTED_KEYS_KEY + " = " + keys + ")")
                    .orElse(" (no trusted keys are configured: list the signer's public key in a file and point "
                            + TRUSTED_KEYS_KEY + " at it)");
        }
        return new PandoException(ErrorCode.FORBIDDEN, "refused " + file.getFileName() + ": " + e.reason() + ": " + e.getMessage() + hint);
    }
}
