package dev.pando.node.cli;

import dev.pando.client.Endpoints;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoWebSocket;
import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --url} and {@code --token}, shared by every command that talks to a node. */
public final class ClientOptions {
    @Option(names = "--url", paramLabel = "URL",
            description = "Node URL (default: $PANDO_URL, else http://127.0.0.1:7330).")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token (default: $PANDO_TOKEN; none = anonymous).")
    String token;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** The node URL: {@code --url}, else {@code $PANDO_URL}, else the default. */
    public URI uri() {
        String text = url != null ? url : PandoCli.of(mixee).env().getOrDefault("PANDO_URL", PandoClient.DEFAULT_URL.toString());
        try {
            return Endpoints.httpBase(new URI(text.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), "invalid node URL '" + text + "': "
                    + (e instanceof URISyntaxException u ? u.getReason() : e.getMessage()));
        }
    }

    /** {@code --token}, else {@code $PANDO_TOKEN}, else null. */
    public String token() {
        String t = token != null ? token : PandoCli.of(mixee).env().get("PANDO_TOKEN");
        return t == null || t.isBlank() ? null : t.trim();
    }

    public PandoClient client() {
        return PandoClient.connect(uri(), token());
    }

    public PandoWebSocket webSocket(PandoWebSocket.Listener listener) {
        return PandoWebSocket.connect(uri(), token(), listener);
    }
}
