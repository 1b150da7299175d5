package dev.pando.guest.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.guest.guide.GuideScript.Output;
import dev.pando.guest.guide.GuideScript.Run;
import dev.pando.guest.guide.GuideScript.Setup;
import dev.pando.guest.guide.GuideScript.WriteFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuideScriptTest {
    private static final String GUIDE = """
            # A guide

            ```sh setup
            sudo apt-get install -y clang   # the compiler
            # a comment line
            ```

            ```sh
            mkdir -p demo
            cd demo
            ```

            ```c file=src/hello.c
            int main(void) { return 0; }
            ```

            ```sh
            wc -l src/hello.c
            echo "revision 17 at 1763720000000"
            ```

            ```text output
            1 src/hello.c
            revision … at …
            ```

            ```json
            {"ignored": true}
            ```
            """;

    @Test
    void readsStepsByInfoString() {
        GuideScript g = GuideScript.parse(GUIDE);
        assertThat(g.steps()).hasSize(5);
        assertThat(g.steps().get(0)).isEqualTo(new Setup(3, java.util.List.of("sudo apt-get install -y clang")));
        assertThat(g.steps().get(1)).isEqualTo(new Run(8, "mkdir -p demo\ncd demo\n"));
        assertThat(g.steps().get(2)).isEqualTo(new WriteFile(13, "src/hello.c", "int main(void) { return 0; }\n"));
        assertThat(g.steps().get(4)).isInstanceOf(Output.class);
        assertThat(g.runBefore((Output) g.steps().get(4))).isEqualTo(3);
    }

    @Test
    void renderedScriptRunsStepsInOneSessionAndKeepsEachOutput(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("out"));
        String script = GuideScript.parse(GUIDE).render("cd '" + dir + "'; GUIDE_OUT='" + dir.resolve("out") + "'");
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        // the file went where the session was after `cd demo`, and the output was kept per step
        assertThat(dir.resolve("demo/src/hello.c")).hasContent("int main(void) { return 0; }");
        assertThat(Files.readAllLines(dir.resolve("out/step-3.out"))).containsExactly("1 src/hello.c", "revision 17 at 1763720000000");
        assertThat(log).contains("### guide line 17").contains("revision 17 at");
    }

    @Test
    void outputLinesMatchWithEllipsisAsAnyText() {
        assertThat(GuideScript.matches("revision … at …", "revision 17 at 1763720000000")).isTrue();
        assertThat(GuideScript.matches("{\"value\":…}", "{\"value\":6}")).isTrue();
        assertThat(GuideScript.matches("{\"value\":6}", "{\"value\":7}")).isFalse();
        assertThat(GuideScript.matches("a.b", "axb")).as("no regex in expected text").isFalse();
    }

    @Test
    void refusesBrokenGuides() {
        assertThatThrownBy(() -> GuideScript.parse("```sh\necho hi\n")).hasMessageContaining("line 1: code block is never closed");
        assertThatThrownBy(() -> GuideScript.parse("```c file=../x.c\n\n```\n")).hasMessageContaining("must be relative");
        assertThatThrownBy(() -> GuideScript.parse("```c file=/etc/x\n\n```\n")).hasMessageContaining("must be relative");
        assertThatThrownBy(() -> GuideScript.parse("```text output\nx\n```\n")).hasMessageContaining("must follow a sh block");
    }

    @Test
    void failingCommandStopsTheScript(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("out"));
        String script = GuideScript.parse("```sh\nfalse\ntouch after\n```\n").render("cd '" + dir + "'; GUIDE_OUT='" + dir.resolve("out") + "'");
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isNotZero();
        assertThat(dir.resolve("after")).doesNotExist();
    }
}
