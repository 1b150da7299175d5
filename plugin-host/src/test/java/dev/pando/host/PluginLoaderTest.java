package dev.pando.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestCaps;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.testing.Wat;
import dev.pando.host.wasm.WasmOptions;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.Ed25519Keys;
import dev.pando.signing.KeyFormat;
import dev.pando.signing.WasmBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refusal messages an operator can act on, and the manifest a refused file claims. */
class PluginLoaderTest {
    @TempDir
    Path dir;

    private final Ed25519KeyPair author = Ed25519KeyPair.generate();

    private Path signedEcho() throws Exception {
        byte[] bundle = WasmBundle.pack(Wat.module("echo"), Wat.manifestJson("echo").getBytes(StandardCharsets.UTF_8), author);
        return Files.write(dir.resolve("echo.wasm"), bundle);
    }

    private static PluginLoader loader(Path trustedKeys) {
        return new PluginLoader(new PluginLoader.Settings(ManifestCaps.DEFAULT, java.util.Optional.ofNullable(trustedKeys), false, false, WasmOptions.DEFAULT));
    }

    @Test
    void anUntrustedSignerRefusalNamesTheSettingAndSaysWhenNothingIsTrusted() throws Exception {
        Path plugin = signedEcho();
        assertThatThrownBy(() -> loader(null).load(plugin))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessageContaining("UNTRUSTED_SIGNER")
                .hasMessageContaining("no trusted keys are configured")
                .hasMessageContaining("plugins.trusted-keys")
                .hasMessageNotContaining("not among the trusted keys");

        Path empty = Files.writeString(dir.resolve("keys.pub"), "# nobody\n");
        assertThatThrownBy(() -> loader(empty).load(plugin))
                .hasMessageContaining("plugins.trusted-keys = " + empty).hasMessageContaining("no key is trusted at all");

        Path other = dir.resolve("other.pub");
        Ed25519Keys.writePublic(other, Ed25519KeyPair.generate().publicKey(), KeyFormat.OPENSSH, null);
        assertThatThrownBy(() -> loader(other).load(plugin))
                .hasMessageContaining("not among the trusted keys").hasMessageContaining("plugins.trusted-keys = " + other);

        Path mine = dir.resolve("mine.pub");
        Ed25519Keys.writePublic(mine, author.publicKey(), KeyFormat.OPENSSH, null);
        try (var loaded = loader(mine).load(plugin).resources()) {
            assertThat(loaded).isNotNull();
        }
    }

    @Test
    void aRefusedFileStillTellsWhichPluginItClaimsToBe() throws Exception {
        Path plugin = signedEcho();
        PluginManifest claimed = loader(null).readManifest(plugin).orElseThrow();
        assertThat(claimed.id()).isEqualTo("echo");
        assertThat(claimed.version()).isEqualTo("1.0.0");

        assertThat(loader(null).readManifest(Files.writeString(dir.resolve("junk.wasm"), "not wasm"))).isEmpty();
        assertThat(loader(null).readManifest(dir.resolve("gone.wasm"))).isEmpty();
        assertThat(loader(null).readManifest(Files.writeString(dir.resolve("junk.jar"), "not a jar"))).isEmpty();
    }
}
