package dev.pando.node.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.node.auth.Principal;
import java.util.Objects;
import java.util.Optional;

/**
 * What a handler knows about its caller: who it is, the request id, and the client's session
 * when the call came over one (WebSocket), which is where subscriptions live.
 */
public final class CallContext {
    private final Principal principal;
    private final JsonNode requestId;
    /** Null for a call without a session (HTTP, in-process): kept bare so a call allocates no Optional. */
    private final Session session;

    /**
     * @param requestId the client's id, or null for none
     * @param session   the caller's session, or null when the call has none (HTTP)
     */
    public CallContext(Principal principal, JsonNode requestId, Session session) {
        this.principal = Objects.requireNonNull(principal, "principal");
        this.requestId = requestId == null ? NullNode.getInstance() : requestId;
        this.session = session;
    }

    public Principal principal() {
        return principal;
    }

    /** The client's id for this call; JSON null when it gave none. */
    public JsonNode requestId() {
        return requestId;
    }

    /** The session the call came over, if any: HTTP calls have none. */
    public Optional<Session> sessionIfAny() {
        return Optional.ofNullable(session);
    }

    @Override
    public String toString() {
        return "CallContext[" + principal.name() + ", id=" + requestId + (session == null ? "" : ", " + session) + "]";
    }
}
