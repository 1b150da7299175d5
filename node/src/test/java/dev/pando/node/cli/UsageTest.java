package dev.pando.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UsageTest {
    @Test
    void helpEverywhere() {
        for (String[] args : new String[][] {{"--help"}, {"kv", "--help"}, {"kv", "set", "--help"}, {"sub", "-h"},
                {"serve", "--help"}, {"bench", "--help"}, {"call", "--help"}, {"help", "kv"}}) {
            CliRun r = CliRun.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).contains("Usage: pando");
        }
        assertThat(CliRun.run("--help").out()).contains("serve", "kv", "pub", "sub", "call", "bench");
    }

    @Test
    void version() {
        CliRun r = CliRun.run("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("pando ").contains("Java ");
    }

    @Test
    void usageErrorsAreOneLineWithExitTwo() {
        CliRun missing = CliRun.run("kv", "get");
        assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).isEqualTo("error: Missing required parameter: 'KEY' — see 'pando kv get --help'\n");
        assertThat(missing.out()).isEmpty();

        CliRun unknown = CliRun.run("kv", "sett", "/a", "1");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err().lines()).hasSize(1);
        assertThat(unknown.err()).contains("did you mean").contains("set");

        CliRun noCommand = CliRun.run();
        assertThat(noCommand.exit()).isEqualTo(2);
        assertThat(noCommand.err()).startsWith("error: missing command");

        CliRun badNumber = CliRun.run("kv", "set", "/a", "1", "--if-revision", "x");
        assertThat(badNumber.exit()).isEqualTo(2);
        assertThat(badNumber.err()).startsWith("error: Invalid value for option '--if-revision'");

        CliRun exclusive = CliRun.run("sub", "/a", "--changes-only", "--events-only");
        assertThat(exclusive.exit()).isEqualTo(2);
        assertThat(exclusive.err()).contains("mutually exclusive");
    }
}
