package dev.pando.node.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Runs {@code pando} in-process with captured stdout/stderr, a given stdin and environment. */
record CliRun(int exit, String out, String err) {
    static CliRun run(String... args) {
        return with(Map.of(), "", args);
    }

    static CliRun with(Map<String, String> env, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PandoCli root = new PandoCli(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env);
        int exit = PandoCli.run(root, new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    List<String> lines() {
        return out.lines().toList();
    }

    @Override
    public String toString() {
        return "exit=" + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
}
