package dev.pando.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.client.PandoClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code pando kv del <key>}. */
@Command(name = "del", aliases = "delete", description = {"Delete KEY.", "Prints {key, revision}. Exits 1 with NOT_FOUND if absent."})
final class KvDelCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Mixin
    WriteFlags write;

    @Override
    public Integer call() {
        ObjectNode args = Output.JSON.createObjectNode().put("key", key);
        write.addTo(args);
        try (PandoClient client = node.client()) {
            print(client.call("kv.delete", args));
        }
        return ExitCodes.OK;
    }
}
