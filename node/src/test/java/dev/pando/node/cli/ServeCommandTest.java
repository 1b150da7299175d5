package dev.pando.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.node.config.NodeConfig;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** serve's config building, without starting a node. */
class ServeCommandTest {
    static ServeCommand parse(String... args) {
        CommandLine cmd = PandoCli.commandLine(new PandoCli(new ByteArrayInputStream(new byte[0]), Map.of()));
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        return (ServeCommand) cmd.parseArgs(all).subcommand().commandSpec().userObject();
    }

    @Test
    void flagsBeatSetWhichBeatsEnvWhichBeatsDefaults() {
        NodeConfig config = parse("--port", "9001", "--set", "port=9002", "--set", "limits.rate-per-second=0",
                "--store", "memory", "--data-dir", "/tmp/x")
                .buildConfig(Map.of("PANDO_PORT", "9003", "PANDO_BIND", "0.0.0.0"));
        assertThat(config.get(NodeConfig.PORT)).isEqualTo(9001);
        assertThat(config.get(NodeConfig.RATE_PER_SECOND)).isZero();
        assertThat(config.get(NodeConfig.BIND)).isEqualTo("0.0.0.0");
        assertThat(config.source(NodeConfig.BIND)).isEqualTo("env");
        assertThat(config.get(NodeConfig.STORE)).isEqualTo("memory");
        assertThat(config.get(NodeConfig.DATA_DIR)).isEqualTo(Path.of("/tmp/x"));
        assertThat(config.get(NodeConfig.PLUGINS_DIR)).isEqualTo(Path.of("./plugins"));
    }

    @Test
    void configFileSitsBelowFlags(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, "port: 8000\nlimits:\n  max-connections: 7\n");
        NodeConfig config = parse("--config", file.toString(), "--port", "8001").buildConfig(Map.of());
        assertThat(config.get(NodeConfig.PORT)).isEqualTo(8001);
        assertThat(config.get(NodeConfig.MAX_CONNECTIONS)).isEqualTo(7);
    }

    @Test
    void unknownOrMalformedSettingsAreUsageErrors() {
        assertThatThrownBy(() -> parse("--set", "limits.nope=1").buildConfig(Map.of()))
                .isInstanceOf(ParameterException.class).hasMessageStartingWith("unknown config key 'limits.nope'");
        assertThatThrownBy(() -> parse("--set", "port").buildConfig(Map.of()))
                .isInstanceOf(ParameterException.class).hasMessage("--set expects KEY=VALUE, got 'port'");
        assertThatThrownBy(() -> parse("--set", "port=abc").buildConfig(Map.of()))
                .isInstanceOf(ParameterException.class).hasMessageContaining("cannot read 'abc' as Integer");
    }

    @Test
    void badSettingsExitTwoBeforeAnythingStarts() {
        CliRun r = CliRun.run("serve", "--set", "limits.nope=1");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: unknown config key 'limits.nope'");

        CliRun store = CliRun.run("serve", "--store", "floppy");
        assertThat(store.exit()).isEqualTo(2);
        assertThat(store.err()).contains("--store").contains("rocksdb, memory");

        CliRun file = CliRun.run("serve", "--config", "/definitely/not/here.yaml");
        assertThat(file.exit()).isEqualTo(2);
        assertThat(file.err()).startsWith("error: config file /definitely/not/here.yaml does not exist");
    }

    @Test
    void aPortInUseFailsLoudlyNamingThePortAndWhatToDo(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CliRun r = CliRun.run("serve", "--port", Integer.toString(port), "--data-dir", dir.resolve("data").toString(),
                    "--plugins-dir", dir.resolve("plugins").toString());
            assertThat(r.exit()).as(r.toString()).isNotZero();
            assertThat(r.err()).as(r.toString()).contains("port " + port).contains("already in use").contains("--port");
        }
    }

    @Test
    void bannerNamesUrlAndState() {
        assertThat(ServeCommand.banner(NodeConfig.defaults(), 7330)).isEqualTo("pando listening on http://127.0.0.1:7330 (data ./data)");
        assertThat(ServeCommand.banner(NodeConfig.defaults().withText("bind", "::1").withText("store", "memory"), 1))
                .isEqualTo("pando listening on http://[::1]:1 (store memory)");
    }
}
