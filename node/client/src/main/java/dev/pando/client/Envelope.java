package dev.pando.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Decodes response envelopes ({@code {id, ok, result|error}}) into results or exceptions. */
final class Envelope {
    static final ObjectMapper JSON = new ObjectMapper();

    private Envelope() {}

    /** The {@code result} of an ok envelope; throws the reported {@link PandoException} for {@code ok:false}. */
    static JsonNode resultOf(JsonNode envelope) {
        JsonNode ok = envelope.get("ok");
        if (ok == null || !ok.isBoolean()) {
            throw new PandoException(ErrorCode.INTERNAL, "malformed response from node (no 'ok' field): " + snippet(envelope.toString()));
        }
        if (ok.booleanValue()) {
            JsonNode result = envelope.get("result");
            return result == null ? NullNode.getInstance() : result;
        }
        throw errorOf(envelope.get("error"), 0);
    }

    /**
     * The exception for an {@code error} object; {@code fallbackRetryMs} applies when it has no
     * retryAfterMs. A code this client does not know (from a newer node) becomes INTERNAL, with
     * the code as sent leading the message so it is not lost.
     */
    static PandoException errorOf(JsonNode error, long fallbackRetryMs) {
        if (error == null || !error.isObject()) {
            return new PandoException(ErrorCode.INTERNAL, "node reported a failure without an error object");
        }
        String name = error.path("code").asText("INTERNAL");
        Optional<ErrorCode> known = parseCode(name);
        long retry = error.hasNonNull("retryAfterMs") ? error.get("retryAfterMs").asLong() : fallbackRetryMs;
        String message = error.path("message").asText("");
        if (message.isBlank()) {
            message = name;
        } else if (known.isEmpty()) {
            message = name + ": " + message;
        }
        return new PandoException(known.orElse(ErrorCode.INTERNAL), message, Math.max(0, retry), null);
    }

    /**
     * Decodes an HTTP answer. A body that is not an envelope (a proxy's HTML error page, say) still
     * becomes a {@link PandoException}, with the code implied by the status.
     */
    static JsonNode fromHttp(int status, byte[] body, Optional<String> retryAfterHeader) {
        JsonNode envelope = null;
        try {
            envelope = body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            // fall through: not JSON
        }
        if (envelope == null || !envelope.isObject() || !envelope.has("ok")) {
            String text = new String(body, StandardCharsets.UTF_8);
            throw new PandoException(codeForStatus(status),
                    "unexpected HTTP " + status + " answer from node" + (text.isBlank() ? "" : ": " + snippet(text)));
        }
        if (!envelope.get("ok").asBoolean(false)) {
            throw errorOf(envelope.get("error"), retryAfterMillis(retryAfterHeader));
        }
        return resultOf(envelope);
    }

    static Optional<ErrorCode> parseCode(String name) {
        try {
            return Optional.of(ErrorCode.valueOf(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static ErrorCode codeForStatus(int status) {
        if (status == 429) {
            return ErrorCode.RATE_LIMITED;
        }
        for (ErrorCode c : ErrorCode.values()) {
            if (c.httpStatus() == status) {
                return c;
            }
        }
        return status >= 500 ? ErrorCode.UNAVAILABLE : ErrorCode.BAD_REQUEST;
    }

    private static long retryAfterMillis(Optional<String> header) {
        try {
            return header.map(h -> Long.parseLong(h.trim()) * 1000).orElse(0L);
        } catch (NumberFormatException e) {
            return 0; // an HTTP-date form; the envelope's retryAfterMs is the precise one anyway
        }
    }

    static String snippet(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }
}
