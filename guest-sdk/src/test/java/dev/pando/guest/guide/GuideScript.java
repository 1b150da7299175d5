package dev.pando.guest.guide;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Markdown guide read as a script, so every command it shows is run by a test. The fenced
 * blocks, by info string:
 * <ul>
 *   <li>{@code sh}: commands, run in order in one bash session (a {@code cd} carries over);</li>
 *   <li>{@code <lang> file=PATH}: a file the reader creates, written at PATH (relative to the
 *       session's current directory) at that point of the script;</li>
 *   <li>{@code sh setup}: what the reader's machine needs first (toolchains, a built Pando); the
 *       test environment provides it, and the test checks those lines against {@code .ci/run}
 *       and the README instead of running them;</li>
 *   <li>{@code text output}: what the preceding {@code sh} block prints; each line must match a
 *       line of its output, where {@code …} stands for any text;</li>
 *   <li>anything else is prose for the reader and is ignored.</li>
 * </ul>
 */
public final class GuideScript {
    private static final Pattern FENCE = Pattern.compile("^```(\\S*)\\s*(.*)$");
    private static final Pattern FILE_ATTR = Pattern.compile("(?:^|\\s)file=(\\S+)");
    private static final String HEREDOC = "__PANDO_GUIDE_FILE__";

    /** One fenced block that means something to the test. */
    public sealed interface Step permits Run, WriteFile, Setup, Output {
        /** 1-based line of the opening fence. */
        int line();
    }

    public record Run(int line, String commands) implements Step {}

    public record WriteFile(int line, String path, String content) implements Step {}

    public record Setup(int line, List<String> commands) implements Step {}

    public record Output(int line, List<String> expected) implements Step {}

    private final List<Step> steps;

    private GuideScript(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    public List<Step> steps() {
        return steps;
    }

    /** Reads the guide; an unclosed fence, an unsafe file path or an output with no command before it is an error. */
    public static GuideScript parse(String markdown) {
        List<Step> steps = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher open = FENCE.matcher(lines[i]);
            if (!open.matches()) {
                continue;
            }
            int start = i + 1;
            StringBuilder body = new StringBuilder();
            i++;
            while (i < lines.length && !lines[i].strip().equals("```")) {
                body.append(lines[i]).append('\n');
                i++;
            }
            if (i == lines.length) {
                throw new IllegalArgumentException("line " + start + ": code block is never closed");
            }
            block(start, open.group(1), open.group(2), body.toString()).ifPresent(steps::add);
        }
        for (int s = 0; s < steps.size(); s++) {
            if (steps.get(s) instanceof Output o && (s == 0 || !(steps.get(s - 1) instanceof Run))) {
                throw new IllegalArgumentException("line " + o.line() + ": an output block must follow a sh block");
            }
        }
        return new GuideScript(steps);
    }

    private static Optional<Step> block(int line, String lang, String attrs, String body) {
        Matcher file = FILE_ATTR.matcher(attrs);
        if (file.find()) {
            String path = file.group(1);
            if (path.startsWith("/") || path.contains("..") || path.contains("'") || path.contains("\\")) {
                throw new IllegalArgumentException("line " + line + ": file path must be relative and plain: " + path);
            }
            if (body.contains(HEREDOC)) {
                throw new IllegalArgumentException("line " + line + ": file content contains " + HEREDOC);
            }
            return Optional.of(new WriteFile(line, path, body));
        }
        boolean shell = lang.equals("sh") || lang.equals("bash");
        if (shell && attrs.equals("setup")) {
            return Optional.of(new Setup(line, commandLines(body)));
        }
        if (shell && attrs.isEmpty()) {
            return Optional.of(new Run(line, body));
        }
        if (lang.equals("text") && attrs.equals("output")) {
            return Optional.of(new Output(line, body.lines().filter(l -> !l.isBlank()).toList()));
        }
        return Optional.empty();
    }

    /** The non-blank, non-comment lines of a setup block, trailing comments removed. */
    private static List<String> commandLines(String body) {
        return body.lines()
                .map(l -> l.replaceFirst("\\s+#.*$", "").strip())
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    /**
     * The bash script: {@code prelude}, then each run and file step; the stdout of run step
     * {@code n} goes to {@code $GUIDE_OUT/step-n.out} (and is echoed after it) so outputs can be checked.
     */
    public String render(String prelude) {
        StringBuilder script = new StringBuilder("set -euo pipefail\n").append(prelude).append('\n');
        for (int n = 0; n < steps.size(); n++) {
            Step step = steps.get(n);
            if (step instanceof Run run) {
                script.append("echo '### guide line ").append(run.line()).append("' >&2\n")
                        .append("exec 3>&1 1>\"$GUIDE_OUT/step-").append(n).append(".out\"\n")
                        .append(run.commands())
                        .append("exec 1>&3 3>&-\n")
                        .append("cat \"$GUIDE_OUT/step-").append(n).append(".out\"\n");
            } else if (step instanceof WriteFile file) {
                script.append("echo '### guide line ").append(file.line()).append(": writing ").append(file.path()).append("' >&2\n")
                        .append("mkdir -p \"$(dirname '").append(file.path()).append("')\"\n")
                        .append("cat > '").append(file.path()).append("' <<'").append(HEREDOC).append("'\n")
                        .append(file.content())
                        .append(HEREDOC).append('\n');
            }
        }
        return script.toString();
    }

    /** The index in {@link #steps()} of the run step an output block checks. */
    public int runBefore(Output output) {
        return steps.indexOf(output) - 1;
    }

    /** Whether {@code actual} matches an expected output line, {@code …} matching any text. */
    public static boolean matches(String expected, String actual) {
        StringBuilder regex = new StringBuilder();
        for (String part : expected.strip().split("…", -1)) {
            if (regex.length() > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return actual.strip().matches(regex.toString());
    }
}
