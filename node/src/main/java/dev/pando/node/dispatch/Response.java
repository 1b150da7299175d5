package dev.pando.node.dispatch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.util.Objects;

/**
 * The answer to one {@link Request}: {@link Ok} with the op's result, or {@link Failure} with a
 * typed error. On the wire {@code {id, ok:true, result}} or
 * {@code {id, ok:false, error:{code, message[, retryAfterMs]}}}.
 */
public sealed interface Response permits Response.Ok, Response.Failure {

    /** The request's id, echoed back untouched; JSON null when it had none. */
    JsonNode id();

    /** Streams the wire form to {@code gen}: the same JSON as {@link #toJson()}, without building a tree (the hot path). */
    void writeTo(JsonGenerator gen, ObjectMapper mapper) throws IOException;

    /** The wire form as a tree. */
    ObjectNode toJson();

    default boolean isOk() {
        return this instanceof Ok;
    }

    /** A success; a missing result is JSON null. */
    static Ok ok(JsonNode id, JsonNode result) {
        return new Ok(id, result);
    }

    static Failure error(JsonNode id, ErrorCode code, String message) {
        return new Failure(id, code, message, 0);
    }

    /** The failure a handler's exception stands for, with its retry hint. */
    static Failure error(JsonNode id, PandoException e) {
        return new Failure(id, e.code(), e.getMessage(), e.retryAfterMillis());
    }

    /** Opens the streamed envelope: {@code {"id":…,"ok":…}. */
    private static void writeHead(JsonGenerator gen, ObjectMapper mapper, JsonNode id, boolean ok) throws IOException {
        gen.writeStartObject();
        gen.writeFieldName("id");
        mapper.writeTree(gen, id);
        gen.writeBooleanField("ok", ok);
    }

    /** The tree envelope's first two fields. */
    private static ObjectNode head(JsonNode id, boolean ok) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("id", id);
        n.put("ok", ok);
        return n;
    }

    /** The op succeeded with {@code result}. */
    record Ok(JsonNode id, JsonNode result) implements Response {
        public Ok {
            id = id == null ? NullNode.getInstance() : id;
            result = result == null ? NullNode.getInstance() : result;
        }

        @Override
        public void writeTo(JsonGenerator gen, ObjectMapper mapper) throws IOException {
            writeHead(gen, mapper, id, true);
            gen.writeFieldName("result");
            mapper.writeTree(gen, result);
            gen.writeEndObject();
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = head(id, true);
            n.set("result", result);
            return n;
        }
    }

    /**
     * The op failed. {@code retryAfterMillis} is positive only when the caller should wait
     * (rate limiting); an exception without a message gives an empty one.
     */
    record Failure(JsonNode id, ErrorCode code, String message, long retryAfterMillis) implements Response {
        public Failure {
            id = id == null ? NullNode.getInstance() : id;
            Objects.requireNonNull(code, "code");
            message = message == null ? "" : message;
        }

        @Override
        public void writeTo(JsonGenerator gen, ObjectMapper mapper) throws IOException {
            writeHead(gen, mapper, id, false);
            gen.writeObjectFieldStart("error");
            gen.writeStringField("code", code.name());
            gen.writeStringField("message", message);
            if (retryAfterMillis > 0) {
                gen.writeNumberField("retryAfterMs", retryAfterMillis);
            }
            gen.writeEndObject();
            gen.writeEndObject();
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = head(id, false);
            ObjectNode err = n.putObject("error");
            err.put("code", code.name());
            err.put("message", message);
            if (retryAfterMillis > 0) {
                err.put("retryAfterMs", retryAfterMillis);
            }
            return n;
        }
    }
}
