package dev.pando.guest.guide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.guest.GuestBuild;
import dev.pando.guest.guide.GuideScript.Output;
import dev.pando.guest.guide.GuideScript.Setup;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks {@code docs/plugin-guide.md} as a reader would, in an empty folder: every {@code sh}
 * block runs (new crate, build, keygen, pack, a node started in the background, reload, calls,
 * curl), every file it shows is written, every output it shows is compared. Setup lines that
 * install toolchains or build Pando are checked against {@code .ci/run} and the README, which
 * this build ran, instead of being run again.
 */
class PluginGuideIT {
    private static final Path GUIDE = GuestBuild.source().resolve("docs/plugin-guide.md");
    /** Generous: two release builds of a small crate and a C file, two node starts. */
    private static final long TIMEOUT_MINUTES = 10;
    /** Stripped, the guide's module is about 107 KB; with symbols about 650 KB. */
    private static final long MAX_MODULE_BYTES = 300_000;
    private static final Pattern APT_INSTALL = Pattern.compile("^(?:sudo )?apt-get install (?:-y )?(.+)$");
    private static final Pattern CI_PACKAGES = Pattern.compile("(?m)^guest_packages=\\(([^)]*)\\)");
    private static final Pattern CHECKOUT = Pattern.compile("^pando_src=\\S+$");

    private static GuideScript guide;

    @BeforeAll
    static void read() throws IOException {
        guide = GuideScript.parse(Files.readString(GUIDE));
    }

    @Test
    void setupLinesAreWhatTheBuildItselfDoes() throws IOException {
        String ciRun = Files.readString(GuestBuild.source().resolve(".ci/run"));
        String readme = Files.readString(GuestBuild.source().resolve("README.md"));
        List<String> setup = setupLines();
        assertThat(setup).as("the guide's setup lines").isNotEmpty();
        for (String line : setup) {
            Matcher apt = APT_INSTALL.matcher(line);
            if (apt.matches()) {
                Matcher ci = CI_PACKAGES.matcher(ciRun);
                assertThat(ci.find()).as(".ci/run declares guest_packages=(...)").isTrue();
                assertThat(ci.group(1).split("\\s+")).as("packages .ci/run installs, for the guide's '%s'", line)
                        .contains(apt.group(1).split("\\s+"));
            } else if (line.contains("mvn ")) {
                String mvn = line.substring(line.indexOf("mvn "), line.indexOf(')') > 0 ? line.indexOf(')') : line.length());
                assertThat(readme).as("'%s' is the README's build command", mvn).contains(mvn);
            } else if (!line.startsWith("rustup target add ") && !CHECKOUT.matcher(line).matches() && !line.startsWith("export PATH=")) {
                throw new AssertionError("setup line the guide test does not know how to provide or check: " + line);
            }
        }
    }

    @Test
    void guideRunsAsWritten(@TempDir Path work) throws Exception {
        GuestBuild.assumeToolchain(GuestBuild.RUST);
        GuestBuild.assumeToolchain(GuestBuild.C);
        Path out = Files.createDirectories(work.resolve(".guide-out"));
        Path folder = Files.createDirectories(work.resolve("empty-folder"));
        // The reader's own setup: where Pando is (this checkout) and the lines that only set variables.
        String prelude = "cd '" + folder + "'\nGUIDE_OUT='" + out + "'\npando_src='" + GuestBuild.source() + "'\n"
                + "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"
                + setupLines().stream().filter(l -> l.startsWith("export PATH=")).collect(Collectors.joining("\n"));
        Path script = Files.writeString(work.resolve("guide.sh"), guide.render(prelude));

        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("guide.log").toFile());
        Map<String, String> env = pb.environment();
        Map<String, String> tools = GuestBuild.toolchain();
        // The reader's PATH as it is, a rustup cargo without the wasm32 target possibly first: the
        // guide itself must say how to reach the toolchain it installs (its setup PATH line runs above).
        env.put("PATH", env.get("PATH") + ":" + Path.of(tools.get("CLANG")).getParent());
        env.remove("RUSTC");
        env.remove("CARGO_TARGET_DIR");
        // The reader's node listens on the default port; this one takes a free port, and the CLI follows.
        env.put("PANDO_PORT", Integer.toString(port));
        env.put("PANDO_URL", "http://127.0.0.1:" + port);
        Process p = pb.start();
        boolean done = p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String log = Files.readString(work.resolve("guide.log"));
        assertThat(done).as("guide finished within %d minutes; log:%n%s", TIMEOUT_MINUTES, log).isTrue();
        assertThat(p.exitValue()).as("guide script exit code; log:%n%s", log).isZero();

        // The guide's release profile strips symbols: ~100 KB to load, not ~650 KB.
        Path module = folder.resolve("hello-pando/hello/target/wasm32-unknown-unknown/release/hello.wasm");
        assertThat(Files.size(module)).as("size of %s", module).isLessThan(MAX_MODULE_BYTES);

        for (int i = 0; i < guide.steps().size(); i++) {
            if (guide.steps().get(i) instanceof Output o) {
                List<String> actual = Files.readAllLines(out.resolve("step-" + guide.runBefore(o) + ".out"));
                for (String expected : o.expected()) {
                    assertThat(actual).as("output shown at line %d of the guide: '%s'", o.line(), expected)
                            .anyMatch(a -> GuideScript.matches(expected, a));
                }
            }
        }
    }

    private static List<String> setupLines() {
        List<String> lines = new ArrayList<>();
        guide.steps().stream().filter(s -> s instanceof Setup).forEach(s -> lines.addAll(((Setup) s).commands()));
        return lines;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
