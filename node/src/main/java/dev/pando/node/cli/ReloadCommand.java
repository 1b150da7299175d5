package dev.pando.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.client.PandoClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pando reload [plugin]}: rescan the plugins directory and hot-swap what changed. */
@Command(name = "reload", description = {"Rescan the node's plugins directory: load new plugins, replace changed ones, unload removed ones.",
        "Prints the reload report as JSON. Exit code 1 if any plugin failed to load (a failed new version leaves the old one serving).",
        "Needs the admin scope (op admin.reload)."})
final class ReloadCommand extends AdminCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "PLUGIN", description = "Only reload the plugin with this id.")
    String plugin;

    @Override
    public Integer call() {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        if (plugin != null) {
            args.put("plugin", plugin);
        }
        try (PandoClient client = adminClient()) {
            JsonNode report = client.call("admin.reload", args);
            print(report);
            return report.path("failed").asLong() > 0 ? ExitCodes.REQUEST : ExitCodes.OK;
        }
    }
}
