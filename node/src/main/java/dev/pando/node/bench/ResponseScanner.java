package dev.pando.node.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads just what the bench needs from a response envelope ({@code id}, {@code ok},
 * {@code error.code}) with a streaming parser, skipping the result, so the client spends its
 * CPU on load rather than on building trees. One instance per connection.
 */
final class ResponseScanner {
    private static final JsonFactory FACTORY = new JsonFactory();

    long id;
    boolean ok;
    String code;
    /** A pushed frame (has "type"), not an answer. */
    boolean push;

    /** Scans {@code buf} without consuming it; false if it is not a JSON object. */
    boolean scan(ByteBuf buf) {
        id = -1;
        ok = false;
        code = null;
        push = false;
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
                    case "type" -> push = true;
                    case "error" -> readError(p, t);
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
            } else {
                p.skipChildren();
            }
        }
    }
}
