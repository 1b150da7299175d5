package dev.pando.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.client.PandoClient;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pando plugins}: what the node has loaded, one line per plugin. */
@Command(name = "plugins", description = {"List the node's plugins: id, version, kind, state, signer, ops, calls and errors.",
        "--json prints one JSON object per plugin (the admin.plugins entries) instead.",
        "Needs the admin scope (op admin.plugins)."})
final class PluginsCommand extends AdminCommand {
    @Option(names = "--json", description = "One JSON object per plugin, with every field.")
    boolean json;

    @Override
    public Integer call() {
        try (PandoClient client = adminClient()) {
            JsonNode list = client.call("admin.plugins", null).path("plugins");
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                list.forEach(this::print);
            } else if (list.isEmpty()) {
                out.println("no plugins loaded");
            } else {
                out.printf("%-20s %-10s %-7s %-7s %-18s %8s %7s %8s  %s%n", "ID", "VERSION", "KIND", "STATE", "SIGNER", "CALLS", "ERRORS", "TIMEOUTS", "OPS / ERROR");
                for (JsonNode p : list) {
                    out.println(row(p));
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    static String row(JsonNode p) {
        JsonNode st = p.path("stats");
        StringBuilder ops = new StringBuilder();
        p.path("ops").forEach(o -> ops.append(ops.length() == 0 ? "" : " ").append(o.path("name").asText()));
        // A failed file may claim no id: its file name is what the operator can act on.
        String tail = p.hasNonNull("error") ? text(p, "file") + ": " + p.path("error").asText()
                : ops + (p.path("lastReload").hasNonNull("error") ? "  [last reload failed: " + p.path("lastReload").path("error").asText() + "]" : "")
                + (p.hasNonNull("listener") ? "  [listener " + p.path("listener").asText() + "]" : "");
        String id = p.hasNonNull("id") ? p.get("id").asText() : "?";
        return String.format("%-20s %-10s %-7s %-7s %-18s %8d %7d %8d  %s", id, text(p, "version"), text(p, "kind"),
                text(p, "state"), text(p, "signer"), st.path("calls").asLong(), st.path("errors").asLong(),
                st.path("timeouts").asLong(), tail);
    }

    private static String text(JsonNode p, String field) {
        return p.hasNonNull(field) ? p.get(field).asText() : "-";
    }
}
