package dev.pando.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.signing.cap.CapabilityToken;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pando token issue / delegate / inspect, in-process, with keys made by pando keygen. */
class TokenCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeEach
    void keys() {
        for (String name : new String[] {"root.key", "k2.key", "other.key"}) {
            CliRun r = CliRun.run("keygen", "-o", dir.resolve(name).toString());
            assertThat(r.exit()).as(r.toString()).isZero();
        }
    }

    private String p(String name) {
        return dir.resolve(name).toString();
    }

    private String issue(String key, String scope, String ttl) {
        CliRun r = CliRun.run("token", "issue", "--key", p(key), "--scope", scope, "--ttl", ttl);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out().trim();
    }

    @Test
    void issueDelegateAndInspectAgainstTrustedIssuers() throws Exception {
        String root = issue("root.key", "write:/lights/**", "1h");
        assertThat(root).startsWith(CapabilityToken.PREFIX);
        CliRun d = CliRun.run("token", "delegate", "--token", root, "--key", p("k2.key"), "--scope", "write:/lights/room1", "--ttl", "10m");
        assertThat(d.exit()).as(d.toString()).isZero();
        String child = d.out().trim();

        CliRun ok = CliRun.run("token", "inspect", "--trusted", p("root.key.pub"), child);
        assertThat(ok.exit()).as(ok.toString()).isZero();
        JsonNode out = JSON.readTree(ok.out());
        assertThat(out.at("/links/0/scopes/0").asText()).isEqualTo("write:/lights/room1");
        assertThat(out.at("/links/1/scopes/0").asText()).isEqualTo("write:/lights/**");
        assertThat(out.at("/links/0/signature").asText()).isEqualTo("valid");
        assertThat(out.at("/verification/ok").asBoolean()).isTrue();

        CliRun untrusted = CliRun.run("token", "inspect", "--trusted", p("other.key.pub"), child);
        assertThat(untrusted.exit()).as(untrusted.toString()).isEqualTo(ExitCodes.REQUEST);
        assertThat(JSON.readTree(untrusted.out()).at("/verification/reason").asText()).contains("does not trust");
    }

    @Test
    void anEscalatingDelegationIsMadeButNeverVerifies() throws Exception {
        String root = issue("root.key", "read:/lights/*", "1h");
        CliRun d = CliRun.run("token", "delegate", "--token", root, "--key", p("k2.key"), "--scope", "write:/**", "--ttl", "10m");
        assertThat(d.exit()).as(d.toString()).isZero();
        CliRun inspect = CliRun.run("token", "inspect", "--trusted", p("root.key.pub"), d.out().trim());
        assertThat(inspect.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(JSON.readTree(inspect.out()).at("/verification/reason").asText()).contains("write:/**", "does not grant");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(CliRun.run("token", "issue", "--key", p("root.key"), "--scope", "fly:/a", "--ttl", "1h").exit()).isEqualTo(ExitCodes.USAGE);
        CliRun ttl = CliRun.run("token", "issue", "--key", p("root.key"), "--scope", "read:/a", "--ttl", "forever");
        assertThat(ttl.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(ttl.err()).contains("--ttl 'forever'");
        assertThat(CliRun.run("token", "inspect", "cap_garbage").exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.run("token").exit()).isEqualTo(ExitCodes.USAGE);
    }
}
