package dev.pando.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.client.PandoClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pando pub <topic> <json>}: publishes an ephemeral event. */
@Command(name = "pub", description = {"Publish an event to subscribers of TOPIC.",
        "Events are not stored. Prints {\"delivered\":N}, the number of subscriptions that received it.",
        "Example: pando pub /alerts/door '{\"open\":true}'"})
final class PubCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic path, e.g. /alerts/door.")
    String topic;

    @Parameters(index = "1", paramLabel = "<json>", description = "Payload as JSON; - reads stdin.")
    String payload;

    @Override
    public Integer call() {
        ObjectNode args = Output.JSON.createObjectNode().put("topic", topic);
        args.set("payload", json("<json>", payload));
        try (PandoClient client = node.client()) {
            print(client.call("pubsub.publish", args));
        }
        return ExitCodes.OK;
    }
}
