package dev.pando.host.testing;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * WebAssembly test modules, written as WAT and assembled at test time. The bundled ones live in
 * {@code src/test/resources/wat/<name>.wat}, each with a {@code <name>.manifest.json}; each
 * file's header says what the module does.
 */
public final class Wat {
    /** Assembling runs wabt inside Chicory and takes a while; every module is assembled once. */
    private static final Map<String, byte[]> MODULES = new ConcurrentHashMap<>();

    private Wat() {}

    /** The bundled module {@code name} ({@code echo}, {@code counter}, {@code hostile}, ...) as wasm bytes. */
    public static byte[] module(String name) {
        return MODULES.computeIfAbsent(name, n -> assemble(source(n))).clone();
    }

    /** The WAT source of the bundled module {@code name}. */
    public static String source(String name) {
        return resource("/wat/" + name + ".wat");
    }

    /** The manifest JSON that goes with the bundled module {@code name} ({@code wat/<name>.manifest.json}). */
    public static String manifestJson(String name) {
        return resource("/wat/" + name + ".manifest.json");
    }

    private static String resource(String path) {
        try (InputStream in = Wat.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no " + path + " on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Assembles WAT text into wasm bytes. */
    public static byte[] assemble(String wat) {
        return Wat2Wasm.parse(wat);
    }
}
