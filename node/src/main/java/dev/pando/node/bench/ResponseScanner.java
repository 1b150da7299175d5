package dev.pando.node.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads just what the bench needs from a frame with a streaming parser, skipping the rest, so
 * the client spends its CPU on load rather than on building trees: a response's {@code id},
 * {@code ok} and {@code error.code}; a push's {@code type}, {@code error.code}, and the send time
 * a fan-out writer put in a change's value ({@code {"sent": nanos, "warmup": true?}}). One
 * instance per connection or per event loop.
 */
final class ResponseScanner {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final byte[] CHANGE_PREFIX = "{\"type\":\"change\",".getBytes(StandardCharsets.US_ASCII);
    /** Only the writer's values have it; its first byte is rare in a change, so candidates are few. */
    private static final byte[] SENT_FIELD = "{\"sent\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WARMUP_TAIL = ",\"warmup\":true}".getBytes(StandardCharsets.US_ASCII);

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

    /**
     * Reads a fan-out change push without a parser: it looks for the frame the node writes for a
     * fan-out writer's value ({@code {"type":"change",...,"value":{"sent":N}...} or with
     * {@code ,"warmup":true}), a few hundred nanoseconds where {@link #scan} takes a microsecond
     * or more, which at 10,000 subscribers is milliseconds per change on the bench's side. False
     * (nothing read) for anything else: then {@link #scan} it.
     */
    boolean scanFanoutChange(ByteBuf buf) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        if (end - start < CHANGE_PREFIX.length || !regionMatches(buf, start, CHANGE_PREFIX)) {
            return false;
        }
        int at = indexOf(buf, start + CHANGE_PREFIX.length, end, SENT_FIELD);
        if (at < 0) {
            return false;
        }
        int i = at + SENT_FIELD.length;
        boolean negative = i < end && buf.getByte(i) == '-';
        if (negative) {
            i++;
        }
        long v = 0;
        int digits = 0;
        for (; i < end && digits < 19; i++, digits++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            v = v * 10 + (b - '0');
        }
        if (digits == 0 || i >= end) {
            return false;
        }
        boolean warm;
        if (buf.getByte(i) == '}') {
            warm = false;
        } else if (end - i >= WARMUP_TAIL.length && regionMatches(buf, i, WARMUP_TAIL)) {
            warm = true;
        } else {
            return false;
        }
        id = -1;
        ok = false;
        code = null;
        message = null;
        push = true;
        type = "change";
        sent = negative ? -v : v;
        hasSent = true;
        warmup = warm;
        return true;
    }

    /**
     * Where {@code needle} first starts in {@code buf[from, end)}, or -1: Netty's byte search
     * finds each candidate first byte, where {@code ByteBufUtil.indexOf} would prepare its
     * two-way search for every frame.
     */
    private static int indexOf(ByteBuf buf, int from, int end, byte[] needle) {
        int last = end - needle.length;
        for (int i = from; i <= last; i++) {
            i = buf.indexOf(i, last + 1, needle[0]);
            if (i < 0) {
                return -1;
            }
            if (regionMatches(buf, i, needle)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean regionMatches(ByteBuf buf, int from, byte[] expected) {
        for (int k = 0; k < expected.length; k++) {
            if (buf.getByte(from + k) != expected[k]) {
                return false;
            }
        }
        return true;
    }

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
