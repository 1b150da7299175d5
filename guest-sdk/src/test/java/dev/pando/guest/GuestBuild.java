package dev.pando.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * What {@code guest-sdk/build.sh} produced before the integration tests (the failsafe
 * configuration passes its output directory): the signed example plugins, the key that signed
 * them, the toolchains it found, and why a language was skipped.
 */
public final class GuestBuild {
    public static final String RUST = "rust";
    public static final String C = "c";

    private GuestBuild() {}

    /** build.sh's output directory. */
    public static Path out() {
        return Path.of(System.getProperty("pando.guest.out", "target/guest")).toAbsolutePath();
    }

    /** The root of the Pando checkout. */
    public static Path source() {
        return Path.of(System.getProperty("pando.source", "..")).toAbsolutePath().normalize();
    }

    /** The CLI jar build.sh packed the examples with. */
    public static Path pandoJar() {
        return Path.of(System.getProperty("pando.jar", source().resolve("node/target/pando.jar").toString()));
    }

    /** The public key that signed the examples; a node trusting it loads them. */
    public static Path trustedKeys() {
        return out().resolve("keys/examples.key.pub");
    }

    /** The signed bundle of example {@code name} written in {@code language}; skips the test if it was not built. */
    public static Path signedPlugin(String name, String language) {
        assumeToolchain(language);
        Path plugin = out().resolve("plugins/" + name + ".wasm");
        if (!Files.isRegularFile(plugin)) {
            throw new AssertionError("build.sh found the " + language + " toolchain but did not produce " + plugin);
        }
        return plugin;
    }

    /** Skips the calling test, with build.sh's reason, if {@code language}'s toolchain was missing. */
    public static void assumeToolchain(String language) {
        if (!Files.isDirectory(out().resolve("skipped"))) {
            Assumptions.abort("guest-sdk/build.sh has not run (" + out() + " is missing): run `mvn -B verify -pl guest-sdk -am`");
        }
        Path skipped = out().resolve("skipped/" + language);
        if (Files.exists(skipped)) {
            Assumptions.abort(read(skipped).strip());
        }
    }

    /** The tools build.sh used (CARGO, RUSTC, CLANG), from its toolchain.env. */
    public static Map<String, String> toolchain() {
        Map<String, String> env = new LinkedHashMap<>();
        Path file = out().resolve("toolchain.env");
        if (Files.exists(file)) {
            read(file).lines().filter(l -> l.contains("=")).forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        }
        return env;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
