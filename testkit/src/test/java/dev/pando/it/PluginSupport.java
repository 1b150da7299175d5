package dev.pando.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.host.testing.Wat;
import dev.pando.node.client.PandoClient;
import dev.pando.node.client.PandoClientException;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.Ed25519Keys;
import dev.pando.signing.KeyFormat;
import dev.pando.signing.WasmBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Shared plumbing of the plugin integration tests: throwaway signing keys and the trusted-keys
 * file a node reads, WASM bundles packed from the WAT fixtures of plugin-host's test-jar, plugin
 * files dropped into a directory atomically, and the JSON of admin.reload / admin.plugins.
 */
final class PluginSupport {
    private PluginSupport() {}

    /** Writes {@code keys} (OpenSSH public key lines) to {@code file}, replacing it; returns the file. */
    static Path trust(Path file, Ed25519KeyPair... keys) {
        StringBuilder text = new StringBuilder("# throwaway test keys\n");
        for (Ed25519KeyPair k : keys) {
            text.append(Ed25519Keys.encodePublic(k.publicKey(), KeyFormat.OPENSSH, "test"));
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
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

    /**
     * Puts {@code bytes} at {@code dir/fileName} by writing a hidden temp file (which the node
     * ignores) and renaming it, so neither a reload nor the watcher ever sees half a file.
     */
    static Path drop(Path dir, String fileName, byte[] bytes) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + fileName + ".tmp");
            Files.write(tmp, bytes);
            return Files.move(tmp, dir.resolve(fileName), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        List<JsonNode> found = new ArrayList<>();
        report.path("outcomes").forEach(o -> {
            if (fileName.equals(o.path("file").asText(null))) {
                found.add(o);
            }
        });
        assertThat(found).as("outcomes for %s in %s", fileName, report).hasSize(1);
        return found.get(0);
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
    static PandoClientException failure(ThrowingCallable call) {
        Throwable t = Assertions.catchThrowable(call);
        assertThat(t).as("expected the node to answer with an error").isInstanceOf(PandoClientException.class);
        return (PandoClientException) t;
    }

    /**
     * Polls {@code probe} until it returns non-null (exceptions count as not yet), at most
     * {@code seconds}; returns what it returned.
     */
    static <T> T eventually(String what, int seconds, Supplier<T> probe) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Throwable last = null;
        while (true) {
            try {
                T value = probe.get();
                if (value != null) {
                    return value;
                }
            } catch (RuntimeException | AssertionError e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what + (last == null ? "" : " (last: " + last + ")"), last);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    static ObjectNode key(String key) {
        return Json.obj().put("key", key);
    }
}
