package dev.pando.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoConnectionException;
import dev.pando.host.testing.Wat;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.WasmBundle;
import dev.pando.testkit.Eventually;
import dev.pando.testkit.PluginOutcome;
import dev.pando.testkit.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Shared plumbing of the plugin integration tests that manage keys and plugin directories
 * themselves (signature, trust and reload edge cases): WASM bundles packed from the WAT fixtures
 * of plugin-host's test-jar with a given key, and the JSON of admin.reload / admin.plugins read
 * through a given client. The general helpers (atomic writes, trusted-keys files, reload outcomes,
 * bounded waits) are the testkit's own: {@link TestNode}, {@link Eventually}.
 */
final class PluginSupport {
    private PluginSupport() {}

    /** Writes {@code keys} (OpenSSH public key lines) to {@code file}, replacing it; returns the file. */
    static Path trust(Path file, Ed25519KeyPair... keys) {
        return TestNode.writeTrustedKeys(file, keys);
    }

    static String fingerprint(Ed25519KeyPair key) {
        return Ed25519KeyPair.fingerprint(key.publicKey());
    }

    /** The bundled WAT module {@code name} with its bundled manifest, packed and signed by {@code key}. */
    static byte[] signed(String name, Ed25519KeyPair key) {
        return signed(Wat.module(name), Wat.manifestJson(name), key);
    }

    static byte[] signed(byte[] module, String manifestJson, Ed25519KeyPair key) {
        return WasmBundle.pack(module, manifestJson.getBytes(StandardCharsets.UTF_8), key);
    }

    /** The bundled manifest of {@code name} with every occurrence of {@code from} replaced by {@code to}. */
    static String manifest(String name, String from, String to) {
        String original = Wat.manifestJson(name);
        assertThat(original).as("fixture manifest %s", name).contains(from);
        return original.replace(from, to);
    }

    /** Puts {@code bytes} at {@code dir/fileName} atomically ({@link TestNode#writeAtomically}). */
    static Path drop(Path dir, String fileName, byte[] bytes) {
        return TestNode.writeAtomically(dir.resolve(fileName), bytes);
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes every regular file in {@code dir} (plugins, signatures, configs). */
    static void clear(Path dir) {
        try (var files = Files.list(dir)) {
            files.filter(Files::isRegularFile).forEach(PluginSupport::delete);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode reload(PandoClient admin) {
        return admin.call("admin.reload", null);
    }

    static JsonNode reload(PandoClient admin, String pluginId) {
        return admin.call("admin.reload", Json.obj().put("plugin", pluginId));
    }

    /** The report's outcome for {@code fileName}; fails if there is not exactly one. */
    static JsonNode outcome(JsonNode report, String fileName) {
        List<PluginOutcome> found = TestNode.outcomes(report, fileName);
        assertThat(found).as("outcomes for %s in %s", fileName, report).hasSize(1);
        return found.get(0).json();
    }

    /** Every admin.plugins entry. */
    static List<JsonNode> plugins(PandoClient admin) {
        List<JsonNode> out = new ArrayList<>();
        admin.call("admin.plugins", null).path("plugins").forEach(out::add);
        return out;
    }

    /** The admin.plugins entry with this id; fails if there is none. */
    static JsonNode plugin(PandoClient admin, String id) {
        return plugins(admin).stream().filter(p -> id.equals(p.path("id").asText(null))).findFirst()
                .orElseThrow(() -> new AssertionError("no plugin '" + id + "' in admin.plugins: " + plugins(admin)));
    }

    /** The admin.plugins entry for this file, or null. */
    static JsonNode pluginByFile(PandoClient admin, String fileName) {
        return plugins(admin).stream().filter(p -> fileName.equals(p.path("file").asText(null))).findFirst().orElse(null);
    }

    /** The error {@code call} fails with; fails the test if it succeeds or throws anything else. */
    static PandoException failure(ThrowingCallable call) {
        Throwable t = Assertions.catchThrowable(call);
        assertThat(t).as("expected the node to answer with an error").isInstanceOf(PandoException.class)
                .isNotInstanceOf(PandoConnectionException.class);
        return (PandoException) t;
    }

    /** {@link Eventually#eventually} bounded by {@code seconds}. */
    static <T> T eventually(String what, int seconds, Supplier<T> probe) {
        return Eventually.eventually(what, Duration.ofSeconds(seconds), probe);
    }

    static ObjectNode key(String key) {
        return Json.obj().put("key", key);
    }
}
