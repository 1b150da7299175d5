package dev.pando.host.pf4j;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;

/**
 * Reads a plugin jar directly, never through the plugin's class loader: that loader resolves
 * resources plugin-first but falls back to the host, so a jar without an entry would be handed
 * the host's copy. Every {@link JarFile} opened here is closed before returning.
 */
final class PluginJar {

    private PluginJar() {}

    /** Throws {@code BAD_REQUEST} unless {@code jar} is a readable jar (zip) file. */
    static void requireReadable(Path jar) {
        if (!Files.exists(jar)) {
            throw badRequest(jar, "does not exist");
        }
        if (!Files.isRegularFile(jar)) {
            throw badRequest(jar, "is not a file");
        }
        try {
            new JarFile(jar.toFile()).close(); // opening reads the central directory: enough to tell a jar apart
        } catch (ZipException e) {
            throw badRequest(jar, "is not a jar: " + e.getMessage());
        } catch (IOException | SecurityException e) {
            throw badRequest(jar, "cannot be read: " + e);
        }
    }

    /**
     * The bytes of {@code entry}, or empty if the jar has no such entry. Throws {@code BAD_REQUEST}
     * if the entry is larger than {@code maxBytes} (read no further: the size in the zip header is
     * the writer's claim) or the jar cannot be read.
     */
    static Optional<byte[]> read(Path jar, String entry, int maxBytes) {
        try (JarFile file = new JarFile(jar.toFile())) {
            ZipEntry found = file.getEntry(entry);
            if (found == null || found.isDirectory()) {
                return Optional.empty();
            }
            try (InputStream in = file.getInputStream(found)) {
                byte[] bytes = in.readNBytes(maxBytes + 1);
                if (bytes.length > maxBytes) {
                    throw badRequest(jar, "has a " + entry + " larger than " + maxBytes + " bytes");
                }
                return Optional.of(bytes);
            }
        } catch (IOException | SecurityException e) {
            throw badRequest(jar, "cannot read " + entry + ": " + e);
        }
    }

    static PandoException badRequest(Path jar, String problem) {
        return error(ErrorCode.BAD_REQUEST, jar, problem);
    }

    static PandoException pluginFailed(Path jar, String problem) {
        return error(ErrorCode.PLUGIN_FAILED, jar, problem);
    }

    /** Errors name the file, not the plugin: the id is unknown until the manifest was read. */
    private static PandoException error(ErrorCode code, Path jar, String problem) {
        return new PandoException(code, "native plugin " + jar.getFileName() + " " + problem);
    }
}
