package dev.pando.node.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Writes bench requests straight into buffers: keys {@code /bench/key:000123} (zero-padded to
 * the keyspace, at least 6 digits) and values that are a JSON string of {@code valueSize}
 * {@code x} characters. One instance per connection (reuses a StringBuilder).
 */
final class RequestEncoder {
    static final String KEY_PREFIX = "/bench/key:";

    private final int width;
    private final String value;
    private final StringBuilder sb = new StringBuilder(128);

    RequestEncoder(int keyspace, int valueSize) {
        this.width = Math.max(6, Integer.toString(Math.max(0, keyspace - 1)).length());
        this.value = "\"" + "x".repeat(valueSize) + "\"";
    }

    String key(int n) {
        sb.setLength(0);
        appendKey(n);
        return sb.toString();
    }

    /** {@code {"id":slot,"op":"kv.set","args":{"key":...,"value":...}}}. */
    void writeFrame(ByteBuf out, int id, boolean set, int key) {
        sb.setLength(0);
        sb.append("{\"id\":").append(id).append(",\"op\":\"").append(set ? "kv.set" : "kv.get").append("\",\"args\":");
        appendArgs(set, key);
        sb.append('}');
        ByteBufUtil.writeAscii(out, sb);
    }

    /** The args object alone, the body of {@code POST /v1/ops/kv.set}. */
    void writeArgs(ByteBuf out, boolean set, int key) {
        sb.setLength(0);
        appendArgs(set, key);
        ByteBufUtil.writeAscii(out, sb);
    }

    private void appendArgs(boolean set, int key) {
        sb.append("{\"key\":\"");
        appendKey(key);
        sb.append('"');
        if (set) {
            sb.append(",\"value\":").append(value);
        }
        sb.append('}');
    }

    private void appendKey(int n) {
        sb.append(KEY_PREFIX);
        String digits = Integer.toString(n);
        for (int i = digits.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(digits);
    }
}
