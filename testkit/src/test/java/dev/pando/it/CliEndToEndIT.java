package dev.pando.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped artifact, as the README runs it: {@code java -jar node/target/pando.jar serve} in a
 * child process, driven by the CLI, stopped with SIGTERM, started again on the same data dir.
 */
class CliEndToEndIT {
    private static final Path JAR = Path.of("..", "node", "target", "pando.jar").toAbsolutePath().normalize();
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

    @Test
    void serveWriteSigtermRestartRead(@TempDir Path data) throws Exception {
        assumeTrue(Files.isRegularFile(JAR), "build node/target/pando.jar first (mvn package)");

        Node first = Node.start(data);
        String url = first.url;
        assertThat(first.stdout).anySatisfy(l -> assertThat(l).startsWith("admin token (shown once"));

        // A subscriber process streaming JSON lines, as an operator would run it.
        Process sub = new ProcessBuilder(java(), "-jar", JAR.toString(), "sub", "/e2e/**", "--count", "2", "--url", url).start();
        BufferedReader subErr = new BufferedReader(new InputStreamReader(sub.getErrorStream(), StandardCharsets.UTF_8));
        String subscribed = subErr.readLine();
        assertThat(subscribed).as("sub reports its subscription on stderr").startsWith("subscribed to /e2e/**");

        Result set = cli("kv", "set", "/e2e/lights/1", "{\"level\":0.5}", "--url", url);
        assertThat(set.exit).as(set.err).isZero();
        JsonNode ack = Json.parse(set.out.trim());
        assertThat(ack.get("revision").asLong()).isEqualTo(1);

        Result badKey = cli("kv", "set", "e2e/no-slash", "1", "--url", url);
        assertThat(badKey.exit).isEqualTo(1);
        assertThat(badKey.err.trim()).startsWith("error: BAD_REQUEST").doesNotContain("\n");

        assertThat(cli("pub", "/e2e/doorbell", "{\"ring\":true}", "--url", url).exit).isZero();
        assertThat(sub.waitFor(60, TimeUnit.SECONDS)).as("sub exits after --count frames").isTrue();
        List<String> pushed = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(pushed).hasSize(2);
        assertThat(Json.parse(pushed.get(0)).get("type").asText()).isEqualTo("change");
        assertThat(Json.parse(pushed.get(0)).get("change").get("key").asText()).isEqualTo("/e2e/lights/1");
        assertThat(Json.parse(pushed.get(1)).get("event").get("payload").get("ring").asBoolean()).isTrue();

        Result call = cli("call", "kv.scan", "{\"pattern\":\"/e2e/*/1\"}", "--url", url);
        assertThat(call.exit).as(call.err).isZero();
        assertThat(Json.parse(call.out.trim()).get("entries").get(0).get("value").get("level").asDouble()).isEqualTo(0.5);

        first.process.destroy(); // SIGTERM: graceful shutdown through the hook
        assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).as("node exits after SIGTERM").isTrue();
        assertThat(first.process.exitValue()).isIn(0, 143);

        Node second = Node.start(data);
        try {
            assertThat(second.stdout).noneSatisfy(l -> assertThat(l).startsWith("admin token"));
            Result get = cli("kv", "get", "/e2e/lights/1", "--url", second.url);
            assertThat(get.exit).as(get.err).isZero();
            JsonNode entry = Json.parse(get.out.trim());
            assertThat(entry.get("value").get("level").asDouble()).isEqualTo(0.5);
            assertThat(entry.get("revision").asLong()).isEqualTo(1);
        } finally {
            second.process.destroy();
            second.process.waitFor(30, TimeUnit.SECONDS);
        }

        Result refused = cli("kv", "get", "/e2e/lights/1", "--url", second.url);
        assertThat(refused.exit).as("connection errors exit 3").isEqualTo(3);
        assertThat(refused.err).contains("cannot reach node");
    }

    private record Result(int exit, String out, String err) {}

    private static Result cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A node child process; {@code url} read from its "listening on" line. */
    private record Node(Process process, String url, List<String> stdout) {
        static Node start(Path data) throws IOException {
            Process p = new ProcessBuilder(java(), "-jar", JAR.toString(), "serve", "--port", "0", "--data-dir", data.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String line;
            while (System.nanoTime() < deadline && (line = r.readLine()) != null) {
                lines.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return new Node(p, m.group(1), lines);
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("node did not report listening; stdout: " + lines);
        }
    }
}
