package dev.pando.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What a node says, and leaves behind, when it starts: the admin token, trust warnings. */
class NodeStartupTest {

    private static NodeConfig config(Path data, int port) {
        return NodeConfig.defaults().with(NodeConfig.DATA_DIR, data).with(NodeConfig.PORT, port)
                .with(NodeConfig.PLUGINS_DIR, data.resolveSibling("plugins"));
    }

    @Test
    void adminTokenIsShownOnTheFirstStartThatSucceeds(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> PandoNode.start(config(data, taken.getLocalPort()))).hasMessageContaining("in use");
        }
        assertThat(data).as("the failed start made the data dir").isDirectory();
        assertThat(data.resolve("admin.token")).as("no token is kept before a start succeeds").doesNotExist();

        String printed = stdoutOf(() -> {
            try (PandoNode node = PandoNode.start(config(data, 0))) {
                assertThat(Files.readString(data.resolve("admin.token")).strip()).isEqualTo(node.adminToken());
            }
        });
        assertThat(printed).contains("admin token").contains(Files.readString(data.resolve("admin.token")).strip());

        String again = stdoutOf(() -> PandoNode.start(config(data, 0)).close());
        assertThat(again).as("shown once").doesNotContain("admin token");
    }

    @Test
    void noTrustedKeysIsWarnedAtStartup(@TempDir Path dir) throws Exception {
        // logback-test.xml silences the plugins package; this test wants its warnings.
        ch.qos.logback.classic.Logger plugins = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.pando.node.plugins");
        Level before = plugins.getLevel();
        plugins.setLevel(Level.WARN);
        try {
            warnings(dir);
        } finally {
            plugins.setLevel(before);
        }
    }

    private static void warnings(Path dir) throws Exception {
        try (LogCapture logs = new LogCapture(); PandoNode node = PandoNode.start(config(dir.resolve("data"), 0))) {
            assertThat(logs.warningsAndErrors()).anyMatch(w -> w.contains("plugins.trusted-keys") && w.contains("no trusted keys"));
        }
        Path empty = Files.writeString(dir.resolve("keys.pub"), "# nobody yet\n");
        try (LogCapture logs = new LogCapture();
             PandoNode node = PandoNode.start(config(dir.resolve("data"), 0).withText("plugins.trusted-keys", empty.toString()))) {
            assertThat(logs.warningsAndErrors()).anyMatch(w -> w.contains("plugins.trusted-keys") && w.contains(empty.toString())
                    && w.contains("no keys"));
        }
    }

    interface Body {
        void run() throws Exception;
    }

    private static String stdoutOf(Body body) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
