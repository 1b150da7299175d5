package dev.pando.node.cli;

import dev.pando.client.PandoClient;
import dev.pando.node.auth.AdminToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Base of commands that need the admin scope. Without {@code --token} or {@code $PANDO_TOKEN}
 * they use the admin token of a local node's data directory, which is what an operator on the
 * node's own machine wants.
 */
abstract class AdminCommand extends ClientCommand {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory whose admin.token to use when no token is given (default: $PANDO_DATA_DIR, else ./data).")
    Path dataDir;

    PandoClient adminClient() {
        String token = node.token();
        if (token == null) {
            Path dir = dataDir != null ? dataDir : Path.of(PandoCli.of(spec).env().getOrDefault("PANDO_DATA_DIR", "./data"));
            Path file = dir.resolve(AdminToken.FILE);
            if (Files.isReadable(file)) {
                try {
                    token = Files.readString(file).trim();
                } catch (IOException e) {
                    throw new CliFailure("cannot read " + file + ": " + e.getMessage(), ExitCodes.USAGE, e);
                }
            }
        }
        return PandoClient.connect(node.uri(), token);
    }
}
