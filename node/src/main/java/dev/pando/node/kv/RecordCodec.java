package dev.pando.node.kv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Binary encoding of state entries and feed changes. Layout (big-endian):
 *
 * <pre>
 * entry:  [version:1][revision:8][timestamp:8][originRevision:8][origin:str][writer:str][value JSON...]
 * change: [version:1][revision:8][timestamp:8][originRevision:8][origin:str][writer:str][key:str][hasValue:1][value JSON...]
 * str:    [length:varint][UTF-8 bytes]
 * </pre>
 *
 * This is version 2; version 1 records (written before origin revisions were kept) have no
 * {@code originRevision} and read as their own revision, which is what they were: local writes.
 * The fixed header lets revision and timestamp be read without parsing the rest, which the
 * commit path (CAS checks) and retention (age search) rely on.
 */
final class RecordCodec {
    /** The one mapper the store uses; ObjectMapper is thread-safe once configured. */
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Values are always trees: a writer bound to JsonNode skips the serializer lookup per call. */
    private static final ObjectWriter VALUE_WRITER = MAPPER.writerFor(JsonNode.class);

    private static final byte VERSION = 2;
    private static final byte VERSION_1 = 1;
    private static final int HEADER = 1 + 8 + 8;

    private RecordCodec() {}

    static byte[] toJson(JsonNode value) {
        try {
            return VALUE_WRITER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "value cannot be serialized: " + e.getOriginalMessage(), e);
        }
    }

    /** Encodes a state entry; strings come as UTF-8 so the caller can encode them off the commit thread. */
    static byte[] encodeEntry(long revision, long timestamp, long originRevision, byte[] o, byte[] w, byte[] json) {
        Out out = new Out(HEADER + 8 + strSize(o) + strSize(w) + json.length);
        out.header(revision, timestamp).int64(originRevision).str(o).str(w).bytes(json);
        return out.buf;
    }

    /** Encodes a change-feed record; strings as UTF-8, as for {@link #encodeEntry}. */
    static byte[] encodeChange(byte[] k, long revision, long timestamp, long originRevision, byte[] o, byte[] w, byte[] json) {
        int valueSize = json == null ? 0 : json.length;
        Out out = new Out(HEADER + 8 + strSize(o) + strSize(w) + strSize(k) + 1 + valueSize);
        out.header(revision, timestamp).int64(originRevision).str(o).str(w).str(k);
        out.buf[out.pos++] = (byte) (json == null ? 0 : 1);
        if (json != null) {
            out.bytes(json);
        }
        return out.buf;
    }

    /**
     * Writes {@code revision}, {@code timestamp} and {@code originRevision} into the fixed header
     * of an encoded entry or change, in place, and returns it: records are encoded before their
     * revision is known, off the commit thread, which only stamps them.
     */
    static byte[] stamp(byte[] record, long revision, long timestamp, long originRevision) {
        putLong(record, 1, revision);
        putLong(record, 1 + 8, timestamp);
        putLong(record, HEADER, originRevision);
        return record;
    }

    private static void putLong(byte[] buf, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            buf[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static KvEntry decodeEntry(String key, byte[] record) {
        In in = new In(record);
        long revision = in.header();
        long timestamp = in.int64();
        long originRevision = in.originRevision(revision);
        String origin = in.str();
        String writer = in.str();
        return new KvEntry(key, in.json(), revision, timestamp, origin, writer, originRevision);
    }

    static KvChange decodeChange(byte[] record) {
        In in = new In(record);
        long revision = in.header();
        long timestamp = in.int64();
        long originRevision = in.originRevision(revision);
        String origin = in.str();
        String writer = in.str();
        String key = in.str();
        JsonNode value = in.buf[in.pos++] == 0 ? null : in.json();
        return new KvChange(key, value, revision, timestamp, origin, writer, originRevision);
    }

    /** The revision of an encoded entry or change, without decoding the rest. */
    static long revisionOf(byte[] record) {
        return new In(record).header();
    }

    /** The timestamp of an encoded entry or change, without decoding the rest. */
    static long timestampOf(byte[] record) {
        In in = new In(record);
        in.header();
        return in.int64();
    }

    /** 8-byte big-endian form, so byte order equals numeric order for revisions >= 0. */
    static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    static long bytesToLong(byte[] b) {
        if (b.length != 8) {
            throw new PandoException(ErrorCode.INTERNAL, "corrupt record: expected 8 bytes, got " + b.length);
        }
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xFF);
        }
        return v;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int strSize(byte[] s) {
        return varintSize(s.length) + s.length;
    }

    private static int varintSize(int v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    private static final class Out {
        final byte[] buf;
        int pos;

        Out(int size) {
            buf = new byte[size];
        }

        Out header(long revision, long timestamp) {
            buf[pos++] = VERSION;
            return int64(revision).int64(timestamp);
        }

        Out int64(long v) {
            for (int i = 56; i >= 0; i -= 8) {
                buf[pos++] = (byte) (v >>> i);
            }
            return this;
        }

        Out str(byte[] s) {
            int v = s.length;
            while ((v & ~0x7F) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
            return bytes(s);
        }

        Out bytes(byte[] b) {
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
            return this;
        }
    }

    private static final class In {
        final byte[] buf;
        int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        long header() {
            if (buf.length < HEADER || (buf[0] != VERSION && buf[0] != VERSION_1)) {
                throw corrupt("unknown record version or truncated header");
            }
            pos = 1;
            return int64();
        }

        /** After the timestamp: the origin revision, which a version 1 record does not hold. */
        long originRevision(long revision) {
            if (buf[0] == VERSION_1) {
                return revision;
            }
            if (buf.length < pos + 8) {
                throw corrupt("truncated header");
            }
            return int64();
        }

        long int64() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        String str() {
            int len = 0;
            int shift = 0;
            byte b;
            do {
                if (pos >= buf.length || shift > 28) {
                    throw corrupt("bad string length");
                }
                b = buf[pos++];
                len |= (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            if (len < 0 || pos + len > buf.length) {
                throw corrupt("string runs past the record");
            }
            String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        JsonNode json() {
            try {
                return MAPPER.readTree(buf, pos, buf.length - pos);
            } catch (IOException e) {
                throw new PandoException(ErrorCode.INTERNAL, "corrupt record: value is not JSON", e);
            }
        }

        private static PandoException corrupt(String why) {
            return new PandoException(ErrorCode.INTERNAL, "corrupt record: " + why);
        }
    }
}
