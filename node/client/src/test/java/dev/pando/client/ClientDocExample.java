package dev.pando.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The example of docs/client.md, verbatim (ClientDocTest keeps them identical and runs it). */
final class ClientDocExample {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Sets a light with HTTP, then watches it change over a WebSocket; returns the pushed change. */
    static JsonNode lights(URI node, String token) throws InterruptedException {
        try (PandoClient client = PandoClient.connect(node, token)) {
            long revision = client.set("/site-a/lights/1", JSON.objectNode().put("level", 0.75))
                    .get("revision").asLong();
            try {
                client.set("/site-a/lights/1", JSON.objectNode().put("level", 0.5), revision - 1);
            } catch (PandoException e) {
                if (e.code() != ErrorCode.CONFLICT) {
                    throw e; // a PandoConnectionException (UNAVAILABLE) lands here too
                }
            }
            List<JsonNode> all = client.scan("/site-a"); // follows cursors to the end
            System.out.println(all.size() + " entries; the light: " + client.get("/site-a/lights/1"));
        }

        BlockingQueue<JsonNode> pushed = new LinkedBlockingQueue<>();
        try (PandoWebSocket ws = PandoWebSocket.connect(node, token)) {
            // pushed::add runs on the session's reader thread: hand frames over, never block there.
            Subscription sub = ws.subscribe("/site-a/**", SubscribeOptions.changesOnly(), pushed::add);
            ObjectNode args = JSON.objectNode().put("key", "/site-a/lights/1").put("value", 0.25);
            ws.call("kv.set", args).join(); // the change is pushed with a revision after sub.revision()
            JsonNode frame = pushed.poll(5, TimeUnit.SECONDS);
            ws.unsubscribe(sub.id());
            return frame;
        }
    }
}
