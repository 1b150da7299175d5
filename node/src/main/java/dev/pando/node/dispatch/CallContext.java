package dev.pando.node.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.node.auth.Principal;
import java.util.Optional;

/**
 * What a handler knows about its caller: who it is, the request id, and the transport session
 * when there is one (WebSocket), which is where subscriptions live.
 */
public record CallContext(Principal principal, JsonNode requestId, Session session) {

    public Optional<Session> sessionIfAny() {
        return Optional.ofNullable(session);
    }
}
