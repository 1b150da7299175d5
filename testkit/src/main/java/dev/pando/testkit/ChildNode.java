package dev.pando.testkit;

import dev.pando.client.PandoClient;
import dev.pando.client.PandoConnectionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real node in a child JVM ({@code pando serve}, with this JVM's class path), for what an
 * in-process {@link TestNode} cannot do: be killed with {@code SIGKILL} at an arbitrary moment.
 * {@link #kill()} leaves the data dir exactly as the crash did; {@link #start()} starts a new
 * process on it. Output goes to {@code <data dir>/child.log} (appended across restarts).
 */
public final class ChildNode implements AutoCloseable {
    /** How long a start may take before the test fails: JVM start, RocksDB recovery, plugins. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final Map<String, String> settings;
    private final int port;
    private Process process;

    /**
     * @param settings config keys passed as {@code --set key=value} (e.g. {@code plugins.builtins})
     */
    public ChildNode(Path dataDir, Map<String, String> settings) {
        this.dataDir = dataDir;
        this.settings = new LinkedHashMap<>(settings);
        this.port = freePort();
    }

    /** Starts the process and waits until it answers; fails with the end of its log if it does not. */
    public ChildNode start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "dev.pando.node.cli.PandoCli", "serve",
                "--data-dir", dataDir.toString(), "--port", Integer.toString(port)));
        settings.forEach((k, v) -> {
            cmd.add("--set");
            cmd.add(k + "=" + v);
        });
        try {
            Files.createDirectories(dataDir);
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (PandoClient c = PandoClient.connect(url(), null)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new AssertionError("child node exited with " + process.exitValue() + "; log:\n" + tail());
                }
                try {
                    c.health();
                    return this;
                } catch (PandoConnectionException e) {
                    if (System.nanoTime() > deadline) {
                        kill();
                        throw new AssertionError("child node did not answer within " + START_TIMEOUT + "; log:\n" + tail());
                    }
                    sleep(Eventually.POLL_INTERVAL);
                }
            }
        }
    }

    /** {@code SIGKILL}: no shutdown hook, no flush; returns once the process is gone. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("child node did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing the child node", e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The admin token the node wrote into its data dir at first start. */
    public String adminToken() {
        try {
            return Files.readString(dataDir.resolve("admin.token")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client authenticated as admin; the caller closes it. */
    public PandoClient adminClient() {
        return PandoClient.connect(url(), adminToken());
    }

    public Path log() {
        return dataDir.resolve("child.log");
    }

    /** The last lines of the child's log, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Kills the process if it still runs; the data dir stays. */
    @Override
    public void close() {
        kill();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
