package dev.pando.node.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code pando}: runs a node ({@code serve}) and talks to one (everything else). Adding a
 * command is one class plus its entry in {@code subcommands} below.
 */
@Command(name = "pando", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class, synopsisSubcommandLabel = "COMMAND",
        description = "Pando: a plugin-hosting node with durable path-keyed state, HTTP and WebSocket.",
        footer = {"", "Exit codes: 0 ok, 1 the node answered with an error, 2 usage error, 3 cannot reach the node.",
                "Environment: PANDO_URL, PANDO_TOKEN (client commands), PANDO_* config keys (serve), PANDO_DEBUG=1 (stack traces)."},
        subcommands = {
                ServeCommand.class,
                KvCommand.class,
                PubCommand.class,
                SubCommand.class,
                CallCommand.class,
                HealthCommand.class,
                BenchCommand.class,
                ReloadCommand.class,
                PluginsCommand.class,
                KeygenCommand.class,
                PluginCommand.class,
                TokenCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class PandoCli implements Runnable {
    private final InputStream stdin;
    private final Map<String, String> env;

    @Spec
    CommandSpec spec;

    /** The real process: System.in and the real environment. */
    public PandoCli() {
        this(System.in, System.getenv());
    }

    /** For tests and embedding: a given stdin and environment. */
    public PandoCli(InputStream stdin, Map<String, String> env) {
        this.stdin = Objects.requireNonNull(stdin, "stdin");
        this.env = Map.copyOf(env);
    }

    public static void main(String[] args) {
        System.exit(commandLine(new PandoCli()).execute(args));
    }

    /** A configured command line around {@code root}: one-line errors and the documented exit codes. */
    public static CommandLine commandLine(PandoCli root) {
        CommandLine cmd = new CommandLine(root);
        ErrorReporter errors = new ErrorReporter("1".equals(root.env.get("PANDO_DEBUG")));
        cmd.setExecutionExceptionHandler(errors);
        cmd.setParameterExceptionHandler(errors);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }

    /** Runs {@code args} with the given streams; returns the exit code. */
    public static int run(PandoCli root, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = commandLine(root);
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }

    public InputStream stdin() {
        return stdin;
    }

    public Map<String, String> env() {
        return env;
    }

    /** The root of the command tree {@code spec} belongs to (defaults if it is used on its own). */
    static PandoCli of(CommandSpec spec) {
        Object root = spec.root().userObject();
        return root instanceof PandoCli cli ? cli : new PandoCli();
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }
}
