package dev.pando.node.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads just what the bench needs from a frame with a streaming parser, skipping the rest, so
 * the client spends its CPU on load rather than on building trees: a response's {@code id},
 * {@code ok} and {@code error.code}; a push's {@code type}, {@code error.code}, and the send time
 * a fan-out writer put in a change's value ({@code {"sent": nanos, "warmup": true?}}). One
 * instance per connection or per event loop.
 */
final class ResponseScanner {
    private static final JsonFactory FACTORY = new JsonFactory();

    long id;
    boolean ok;
    String code;
    /** {@code error.message}, when there is an error. */
    String message;
    /** A pushed frame (has "type"), not an answer. */
    boolean push;
    /** A push's type ({@code change}, {@code event}, {@code error}); null for an answer. */
    String type;
    /** {@code change.value.sent} of a fan-out push; valid when {@link #hasSent}. */
    long sent;
    boolean hasSent;
    /** {@code change.value.warmup}: the write was sent during the warm-up. */
    boolean warmup;

    /** Scans {@code buf} without consuming it; false if it is not a JSON object. */
    boolean scan(ByteBuf buf) {
        id = -1;
        ok = false;
        code = null;
        message = null;
        push = false;
        type = null;
        hasSent = false;
        warmup = false;
        try (InputStream in = new ByteBufInputStream(buf.duplicate()); JsonParser p = FACTORY.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "id" -> id = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    case "ok" -> ok = t == JsonToken.VALUE_TRUE;
                    case "type" -> {
                        push = true;
                        type = p.getText();
                    }
                    case "error" -> readError(p, t);
                    case "change" -> readChange(p, t);
                    default -> p.skipChildren();
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void readError(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals("code")) {
                code = p.getText();
            } else if (name.equals("message")) {
                message = p.getText();
            } else {
                p.skipChildren();
            }
        }
    }

    private void readChange(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("value") && v == JsonToken.START_OBJECT) {
                readValue(p);
            } else {
                p.skipChildren();
            }
        }
    }

    private void readValue(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("sent") && v == JsonToken.VALUE_NUMBER_INT) {
                sent = p.getLongValue();
                hasSent = true;
            } else if (name.equals("warmup")) {
                warmup = v == JsonToken.VALUE_TRUE;
            } else {
                p.skipChildren();
            }
        }
    }
}
