package dev.pando.node.transport;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.json.JsonRules;
import dev.pando.node.dispatch.Response;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** JSON in and out of Netty buffers, with parse errors turned into {@code BAD_REQUEST}. */
final class Json {
    private static final Logger log = LoggerFactory.getLogger(Json.class);
    /**
     * The node's strict mapper ({@link JsonRules}): trailing tokens ({@code {"a":1} x}) and
     * duplicate keys are malformed, nesting is capped at the parser.
     */
    static final ObjectMapper MAPPER = JsonRules.strictMapper();
    /**
     * Levels a request may nest above its values: a WebSocket frame holds {@code args}, which
     * hold a list of objects (a federation push's changes, a batch's writes), each holding a
     * value; so a value exactly at the limit still fits in any request.
     */
    static final int ENVELOPE_DEPTH = 4;

    private static final ObjectReader LENIENT = MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final int MAX_ERROR_DETAIL = 240;

    private Json() {}

    /** Writes something with a generator. */
    @FunctionalInterface
    interface Writer {
        void write(JsonGenerator gen) throws IOException;
    }

    /**
     * Parses the readable bytes of {@code buf} (left untouched) as one JSON value, under the
     * node's JSON rules: strict UTF-8, no duplicate keys, finite numbers, and values nested at
     * most {@code maxDepth} levels (the request itself may add {@link #ENVELOPE_DEPTH}).
     *
     * @return the value, or null when the buffer is empty
     * @throws PandoException {@code BAD_REQUEST} naming where the parser gave up
     */
    static JsonNode parse(ByteBuf buf, int maxDepth) {
        if (!buf.isReadable()) {
            return null;
        }
        // A heap copy: the strict UTF-8 check and Jackson's byte parser both work fastest on an
        // array (decoding a direct buffer went byte by byte: a quarter of the node's CPU under
        // pipelined writes).
        byte[] bytes = ByteBufUtil.getBytes(buf);
        try {
            JsonNode node = JsonRules.readTree(MAPPER, bytes, "the request");
            if (node != null) {
                JsonRules.requireWithin(node, maxDepth, ENVELOPE_DEPTH, "the request");
            }
            return node;
        } catch (JsonProcessingException e) {
            if (JsonRules.isNestingLimit(e)) {
                throw JsonRules.tooDeep("the request", maxDepth);
            }
            throw new PandoException(ErrorCode.BAD_REQUEST, describe(e));
        } catch (IOException e) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "unreadable JSON: " + e.getMessage());
        }
    }

    /** "malformed JSON: <what> at line L, column C", short enough to echo to a client. */
    static String describe(JsonProcessingException e) {
        String what = e.getOriginalMessage();
        if (what == null) {
            what = e.getClass().getSimpleName();
        }
        if (what.length() > MAX_ERROR_DETAIL) {
            what = what.substring(0, MAX_ERROR_DETAIL) + "…";
        }
        JsonLocation loc = e.getLocation();
        String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        return "malformed JSON: " + what + where;
    }

    /**
     * Best effort: the top-level {@code "id"} of a request frame whose JSON is broken, if the
     * parser got that far before failing; null otherwise. Lets a pipelining client match the
     * error to its request.
     */
    static JsonNode salvageId(ByteBuf buf) {
        try (InputStream in = new ByteBufInputStream(buf.duplicate());
                JsonParser p = MAPPER.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken t;
            while ((t = p.nextToken()) != null && t != JsonToken.END_OBJECT) {
                if (t == JsonToken.FIELD_NAME) {
                    boolean isId = "id".equals(p.currentName());
                    JsonToken value = p.nextToken();
                    if (isId && value != null && value.isScalarValue()) {
                        // Lenient reader: the strict one would look past the id and trip over the rest.
                        return LENIENT.readTree(p);
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the frame broke before an id: there is nothing to salvage
        }
        return null;
    }

    /**
     * A response envelope, streamed straight into the buffer (the hot path of both transports).
     * A result that cannot be serialised becomes an {@code INTERNAL} envelope with the same id.
     */
    static ByteBuf envelope(ByteBufAllocator alloc, Response response) {
        return envelope(alloc, 0, response);
    }

    /** {@link #envelope(ByteBufAllocator, Response)} after {@code headroom} unwritten bytes, for a header to go in front. */
    static ByteBuf envelope(ByteBufAllocator alloc, int headroom, Response response) {
        try {
            return write(alloc, headroom, gen -> response.writeTo(gen, MAPPER));
        } catch (RuntimeException e) {
            log.error("cannot serialise the response to request {}", response.id(), e);
            Response fallback = Response.error(response.id(), ErrorCode.INTERNAL, "result could not be serialised");
            return write(alloc, headroom, gen -> fallback.writeTo(gen, MAPPER));
        }
    }

    /** Serialises {@code node} into a fresh buffer from {@code alloc}. */
    static ByteBuf write(ByteBufAllocator alloc, JsonNode node) {
        return write(alloc, gen -> MAPPER.writeTree(gen, node));
    }

    static ByteBuf write(ByteBufAllocator alloc, Writer writer) {
        return write(alloc, 0, writer);
    }

    /** What {@code writer} writes, starting {@code headroom} bytes into a fresh buffer (the reader index is there too). */
    static ByteBuf write(ByteBufAllocator alloc, int headroom, Writer writer) {
        ByteBuf buf = alloc.buffer();
        buf.writerIndex(headroom).readerIndex(headroom);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf);
                JsonGenerator gen = MAPPER.createGenerator((OutputStream) out)) {
            writer.write(gen);
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
        return buf;
    }
}
