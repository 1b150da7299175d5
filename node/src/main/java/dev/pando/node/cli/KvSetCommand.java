package dev.pando.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.client.PandoClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code pando kv set <key> <json>}: writes a value, optionally as compare-and-set. */
@Command(name = "set", description = {"Store a JSON value at KEY.",
        "Prints {key, revision, timestamp}.",
        "Example: pando kv set /site-a/lights/1 '{\"on\":true}'"})
final class KvSetCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "Key, e.g. /site-a/lights/1.")
    String key;

    @Parameters(index = "1", paramLabel = "<json>", description = "The value as JSON (strings need quotes: '\"on\"'); - reads stdin.")
    String value;

    @Mixin
    WriteFlags write;

    @Override
    public Integer call() {
        ObjectNode args = Output.JSON.createObjectNode().put("key", key);
        args.set("value", json("<json>", value));
        write.addTo(args);
        try (PandoClient client = node.client()) {
            print(client.call("kv.set", args));
        }
        return ExitCodes.OK;
    }
}
