package dev.pando.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.signing.DetachedSignature;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.Ed25519Keys;
import dev.pando.signing.KeyFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The kit's file work in a node's plugins directory: every file is written atomically, so
 * neither a reload nor the directory watcher sees half of it, and only under names that stay
 * inside the directory.
 */
final class PluginFiles {
    /** Plugin ids the kit is willing to turn into a file name ({@code <id>.wasm}); the node checks the real rule. */
    private static final Pattern FILE_SAFE_ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    PluginFiles(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** {@code <plugins dir>/<fileName>}, refusing a hidden name or one that leaves the directory. */
    Path file(String fileName) {
        Path file = dir.resolve(fileName);
        if (fileName.startsWith(".") || !file.getParent().equals(dir)) {
            throw new IllegalArgumentException("not a plugin file name: '" + fileName + "'");
        }
        return file;
    }

    /** The file name a WASM plugin is installed under: {@code <id>.wasm}, the id read from its manifest. */
    static String wasmFileName(String manifestJson) {
        JsonNode id;
        try {
            id = JSON.readTree(manifestJson).path("id");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the manifest is not JSON: " + e.getOriginalMessage(), e);
        }
        if (!id.isTextual() || !FILE_SAFE_ID.matcher(id.asText()).matches()) {
            throw new IllegalArgumentException("the manifest needs an \"id\" to name the plugin file after, got " + id);
        }
        return id.asText() + ".wasm";
    }

    /** Copies {@code <jar>.sig} into the plugins directory beside the jar, or removes a stale one there. */
    void placeSignatureOf(Path jar) throws IOException {
        Path sig = DetachedSignature.sigFile(jar);
        Path installedSig = dir.resolve(sig.getFileName().toString());
        if (Files.exists(sig)) {
            writeAtomically(installedSig, Files.readAllBytes(sig));
        } else {
            Files.deleteIfExists(installedSig);
        }
    }

    /** Deletes a plugin file, its {@code .sig}, and the operator configuration of the plugin it served. */
    void remove(Path file, Optional<String> pluginId) {
        try {
            Files.delete(file);
            Files.deleteIfExists(DetachedSignature.sigFile(file));
            if (pluginId.isPresent()) {
                Files.deleteIfExists(dir.resolve(pluginId.get() + ".config.json"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code <id>.config.json}, the operator configuration of plugin {@code pluginId}. */
    void writeConfig(String pluginId, JsonNode config) {
        if (!FILE_SAFE_ID.matcher(pluginId).matches()) {
            throw new IllegalArgumentException("not a plugin id: '" + pluginId + "'");
        }
        try {
            writeAtomically(dir.resolve(pluginId + ".config.json"), JSON.writeValueAsBytes(config));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Puts {@code bytes} at {@code target} through a hidden temp file beside it (which the node ignores) renamed over it. */
    static Path writeAtomically(Path target, byte[] bytes) {
        try {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = parent.resolve("." + target.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a trusted-keys file listing {@code keys}' public keys as OpenSSH lines, replacing the file. */
    static Path writeTrustedKeys(Path file, Ed25519KeyPair... keys) {
        StringBuilder text = new StringBuilder("# throwaway test keys\n");
        for (Ed25519KeyPair k : keys) {
            text.append(Ed25519Keys.encodePublic(k.publicKey(), KeyFormat.OPENSSH, "pando-testkit"));
        }
        return writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
