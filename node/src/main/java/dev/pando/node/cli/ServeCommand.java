package dev.pando.node.cli;

import dev.pando.node.PandoNode;
import dev.pando.node.config.ConfigLoader;
import dev.pando.node.config.NodeConfig;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pando serve}: runs a node in the foreground until SIGTERM or Ctrl-C, then shuts it down gracefully. */
@Command(name = "serve", description = {"Run a node in the foreground.",
        "SIGTERM or Ctrl-C shuts it down gracefully. Settings: defaults < pando.yaml (or --config) < PANDO_* environment "
                + "< flags; --set takes any config key (see docs/operations.md)."})
final class ServeCommand implements Callable<Integer> {
    /** Storage engines the node offers. */
    enum Store { rocksdb, memory }

    @Option(names = "--port", paramLabel = "PORT", description = "TCP port for HTTP and WebSocket (0 = any free port). Default 7330.")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on. Default 127.0.0.1.")
    String bind;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "State, node key and admin token. Default ./data.")
    Path dataDir;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = "Directory scanned for plugins. Default ./plugins.")
    Path pluginsDir;

    @Option(names = "--store", paramLabel = "ENGINE", description = "rocksdb (default, on disk) or memory (nothing survives a restart).")
    Store store;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (default: ./pando.yaml if present).")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set any config key, e.g. --set limits.rate-per-second=0 (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--dev-allow-unsigned", description = "Development only: load unsigned WASM plugins (logged as a warning).")
    boolean devAllowUnsigned;

    @Option(names = "--watch-plugins", description = "Reload automatically when the plugins directory changes.")
    boolean watchPlugins;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        NodeConfig config = buildConfig(PandoCli.of(spec).env());
        PandoNode node;
        try {
            node = PandoNode.start(config);
        } catch (Exception e) { // whatever start() declares: a bad port, a locked data dir, …
            if (causedBy(e, BindException.class)) {
                // Loud and specific: a script that started us in the background may find another process answering on the port.
                int wanted = config.get(NodeConfig.PORT);
                throw new CliFailure("cannot start node: port " + wanted + " on " + config.get(NodeConfig.BIND) + " is already in use "
                        + "(another pando node or another program listens there). Stop it, or choose another port with --port PORT "
                        + "(or PANDO_PORT, or port: in pando.yaml; 0 picks a free one) and point clients at it with PANDO_URL.",
                        ExitCodes.REQUEST, e);
            }
            throw new CliFailure("cannot start node: " + (e.getMessage() == null ? e.toString() : e.getMessage()), ExitCodes.REQUEST, e);
        }
        Thread hook = new Thread(node::close, "pando-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        out.println(banner(config, node.port()));
        out.flush();
        node.awaitClose();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and the hook is running: nothing to undo
        }
        return ExitCodes.OK;
    }

    /**
     * The node's config from the config file, {@code env} and this command's flags. Dedicated
     * flags ({@code --port} …) win over {@code --set} for the same key.
     *
     * @throws ParameterException (exit 2) for a malformed {@code --set}, an unknown key or a bad value
     */
    NodeConfig buildConfig(Map<String, String> env) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--set expects KEY=VALUE, got '" + s + "'");
            }
            flags.put(s.substring(0, eq).trim(), s.substring(eq + 1));
        }
        putIf(flags, NodeConfig.PORT.name(), port);
        putIf(flags, NodeConfig.BIND.name(), bind);
        putIf(flags, NodeConfig.DATA_DIR.name(), dataDir);
        putIf(flags, NodeConfig.PLUGINS_DIR.name(), pluginsDir);
        putIf(flags, NodeConfig.STORE.name(), store);
        putIf(flags, NodeConfig.DEV_ALLOW_UNSIGNED.name(), devAllowUnsigned ? true : null);
        putIf(flags, NodeConfig.WATCH_PLUGINS.name(), watchPlugins ? true : null);
        try {
            return ConfigLoader.load(configFile, env, flags);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** {@code pando listening on http://127.0.0.1:7330 (data ./data)}. */
    static String banner(NodeConfig config, int port) {
        String host = config.get(NodeConfig.BIND);
        String where = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        String state = "memory".equals(config.get(NodeConfig.STORE)) ? "store memory" : "data " + config.get(NodeConfig.DATA_DIR);
        return "pando listening on " + where + " (" + state + ")";
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static void putIf(Map<String, String> flags, String key, Object value) {
        if (value != null) {
            flags.put(key, value.toString());
        }
    }
}
