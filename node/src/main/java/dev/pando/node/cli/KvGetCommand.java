package dev.pando.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.client.PandoClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pando kv get <key>}: prints the entry (or just its value). */
@Command(name = "get", description = {"Print the entry at KEY.",
        "The entry is {key, value, revision, timestamp, origin, writer}. Exits 1 with NOT_FOUND if there is none."})
final class KvGetCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "Key, e.g. /site-a/lights/1.")
    String key;

    @Option(names = "--value", description = "Print only the value.")
    boolean valueOnly;

    @Override
    public Integer call() {
        try (PandoClient client = node.client()) {
            JsonNode entry = client.get(key);
            print(valueOnly ? entry.path("value") : entry);
        }
        return ExitCodes.OK;
    }
}
