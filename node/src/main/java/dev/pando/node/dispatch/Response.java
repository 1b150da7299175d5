package dev.pando.node.dispatch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;

/**
 * {@code {id, ok:true, result}} or {@code {id, ok:false, error:{code, message}}}. A failure may
 * carry {@code retryAfterMs} (rate limiting).
 */
public record Response(JsonNode id, JsonNode result, ErrorCode code, String message, long retryAfterMillis) {

    public static Response ok(JsonNode id, JsonNode result) {
        return new Response(id, result == null ? JsonNodeFactory.instance.nullNode() : result, null, null, 0);
    }

    public static Response error(JsonNode id, ErrorCode code, String message) {
        return new Response(id, null, code, message, 0);
    }

    public static Response error(JsonNode id, PandoException e) {
        return new Response(id, null, e.code(), e.getMessage(), e.retryAfterMillis());
    }

    public boolean isOk() {
        return code == null;
    }

    /** Streams the wire form to {@code gen}; the same JSON as {@link #toJson()}, without building a tree. */
    public void writeTo(JsonGenerator gen, ObjectMapper mapper) throws IOException {
        gen.writeStartObject();
        gen.writeFieldName("id");
        mapper.writeTree(gen, id);
        gen.writeBooleanField("ok", isOk());
        if (isOk()) {
            gen.writeFieldName("result");
            mapper.writeTree(gen, result);
        } else {
            gen.writeObjectFieldStart("error");
            gen.writeStringField("code", code.name());
            gen.writeStringField("message", message);
            if (retryAfterMillis > 0) {
                gen.writeNumberField("retryAfterMs", retryAfterMillis);
            }
            gen.writeEndObject();
        }
        gen.writeEndObject();
    }

    /** The wire form. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("id", id);
        n.put("ok", isOk());
        if (isOk()) {
            n.set("result", result);
        } else {
            ObjectNode err = n.putObject("error");
            err.put("code", code.name());
            err.put("message", message);
            if (retryAfterMillis > 0) {
                err.put("retryAfterMs", retryAfterMillis);
            }
        }
        return n;
    }
}
