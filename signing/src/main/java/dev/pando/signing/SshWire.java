package dev.pando.signing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The SSH wire encoding (RFC 4251 §5: uint32 big-endian, length-prefixed strings) used inside OpenSSH keys. */
final class SshWire {
    private SshWire() {}

    /** Reads from a byte array; running past its end is a {@link KeyFormatException} naming {@code what}. */
    static final class Reader {
        private final byte[] data;
        private final String what;
        private int pos;

        Reader(byte[] data, String what) {
            this.data = data;
            this.what = what;
        }

        int uint32() {
            need(4);
            int v = ((data[pos] & 0xff) << 24) | ((data[pos + 1] & 0xff) << 16) | ((data[pos + 2] & 0xff) << 8) | (data[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        byte[] bytes() {
            int length = uint32();
            if (length < 0) {
                throw new KeyFormatException(what + " is corrupt (a field claims " + Integer.toUnsignedString(length) + " bytes)");
            }
            need(length);
            byte[] out = new byte[length];
            System.arraycopy(data, pos, out, 0, length);
            pos += length;
            return out;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        /** Consumes {@code expected} exactly, or returns false and consumes nothing. */
        boolean literal(byte[] expected) {
            if (data.length - pos < expected.length) {
                return false;
            }
            for (int i = 0; i < expected.length; i++) {
                if (data[pos + i] != expected[i]) {
                    return false;
                }
            }
            pos += expected.length;
            return true;
        }

        byte[] rest() {
            byte[] out = new byte[data.length - pos];
            System.arraycopy(data, pos, out, 0, out.length);
            pos = data.length;
            return out;
        }

        int remaining() {
            return data.length - pos;
        }

        private void need(int n) {
            if (data.length - pos < n) {
                throw new KeyFormatException(what + " is truncated");
            }
        }
    }

    /** Builds SSH wire bytes. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer uint32(int v) {
            out.write(v >>> 24);
            out.write(v >>> 16);
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        Writer bytes(byte[] b) {
            uint32(b.length);
            return raw(b);
        }

        Writer string(String s) {
            return bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        Writer raw(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
