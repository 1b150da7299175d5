package dev.pando.host;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Which files in the plugins directory are plugins, and how a changed one is recognised. */
public final class PluginFiles {
    /** Detached signature beside a native jar. */
    public static final String SIG_SUFFIX = ".sig";
    /** Operator configuration beside a plugin: {@code <id>.config.json}. */
    public static final String CONFIG_SUFFIX = ".config.json";
    /** Largest plugin file read, in bytes. */
    public static final long MAX_PLUGIN_BYTES = 256L * 1024 * 1024;

    private PluginFiles() {}

    /** {@code .jar} and {@code .wasm} files that are not hidden (editors' temp files are). */
    public static boolean isPluginFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && (name.endsWith(".jar") || name.endsWith(".wasm")) && Files.isRegularFile(file);
    }

    /** Whether a plugin file is a WASM bundle; any other plugin file is a native jar. */
    public static boolean isWasm(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wasm");
    }

    /** The plugin files directly in {@code dir}, sorted by name; empty if it does not exist. */
    public static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(PluginFiles::isPluginFile).sorted().toList();
        }
    }

    /** The detached signature file for {@code file}. */
    public static Path signatureOf(Path file) {
        return file.resolveSibling(file.getFileName() + SIG_SUFFIX);
    }

    /** Reads a plugin file, refusing ones over {@link #MAX_PLUGIN_BYTES}. */
    public static byte[] read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_PLUGIN_BYTES) {
                throw new PandoException(ErrorCode.TOO_LARGE, file.getFileName() + " is " + size + " bytes; the limit is " + MAX_PLUGIN_BYTES);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Hex SHA-256 over the file and its detached signature if any, so re-signing a jar counts
     * as a change too.
     */
    public static String contentHash(Path file) throws IOException {
        MessageDigest sha = sha256();
        sha.update(Files.readAllBytes(file));
        Path sig = signatureOf(file);
        if (Files.isRegularFile(sig)) {
            sha.update(Files.readAllBytes(sig));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Hex SHA-256 of {@code bytes}. */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }
}
