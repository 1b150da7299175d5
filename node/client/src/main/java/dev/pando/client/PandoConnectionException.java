package dev.pando.client;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/**
 * The node could not be reached, or the connection to it failed or closed before an answer
 * came: code {@link ErrorCode#UNAVAILABLE}. Unlike a {@link PandoException} the node reported,
 * the node said nothing, so the request may or may not have been applied; that is why this
 * case keeps its own type (a node can itself answer {@code UNAVAILABLE}, e.g. while shutting
 * down). The message is one line meant to be shown as is.
 */
public final class PandoConnectionException extends PandoException {
    private static final long serialVersionUID = 1L;

    public PandoConnectionException(String message) {
        super(ErrorCode.UNAVAILABLE, message);
    }

    public PandoConnectionException(String message, Throwable cause) {
        super(ErrorCode.UNAVAILABLE, message, cause);
    }

    /**
     * Describes a failure to talk to the node at {@code base}, e.g. {@code cannot reach node at
     * http://127.0.0.1:7330: connection refused — is `pando serve` running?}.
     */
    public static PandoConnectionException unreachable(URI base, Throwable cause) {
        Throwable root = cause;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof UnresolvedAddressException || t instanceof HttpTimeoutException) {
                root = t;
                break;
            }
        }
        String where = "cannot reach node at " + base;
        if (root instanceof HttpConnectTimeoutException) {
            return new PandoConnectionException(where + ": connect timed out — is the address right and the node up?", cause);
        }
        if (root instanceof HttpTimeoutException) {
            return new PandoConnectionException("no answer from node at " + base + " in time (request timed out)", cause);
        }
        if (root instanceof ConnectException) {
            // The JDK leaves the message null for a plain refusal; Netty says "Connection refused: /host:port".
            String m = root.getMessage();
            boolean refused = m == null || m.toLowerCase().contains("refused");
            return new PandoConnectionException(where + ": " + (refused ? "connection refused" : m)
                    + " — is `pando serve` running?", cause);
        }
        if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) {
            return new PandoConnectionException(where + ": unknown host '" + base.getHost() + "'", cause);
        }
        return new PandoConnectionException(where + ": " + describe(cause), cause);
    }

    /** The connection broke while a request was outstanding. */
    public static PandoConnectionException lost(URI base, Throwable cause) {
        return new PandoConnectionException("connection to node at " + base + " lost: " + describe(cause), cause);
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "closed";
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t instanceof IOException ? "I/O error (" + t.getClass().getSimpleName() + ")" : t.getClass().getSimpleName();
        }
        return m;
    }
}
