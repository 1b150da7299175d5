package dev.pando.signing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The top level of a WASM binary: the 8-byte header and the byte range of each section. Only
 * what signing needs is checked (header, LEB128 sizes, bounds, custom-section names); the WASM
 * engine validates the rest.
 */
final class WasmSections {
    static final byte[] HEADER = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    static final int CUSTOM = 0;

    /**
     * One section.
     *
     * @param start         offset of its id byte
     * @param payloadStart  offset of its content (for custom sections: after the name)
     * @param end           offset just past it
     * @param name          a custom section's name, else null
     */
    record Section(int id, String name, int start, int payloadStart, int end) {
        boolean isCustom(String n) {
            return id == CUSTOM && n.equals(name);
        }

        byte[] payload(byte[] module) {
            return Arrays.copyOfRange(module, payloadStart, end);
        }
    }

    private WasmSections() {}

    static List<Section> parse(byte[] bytes) {
        if (bytes.length < HEADER.length) {
            throw new WasmBundleException("is " + bytes.length + " bytes; a WASM module starts with an 8-byte header");
        }
        if (!Arrays.equals(bytes, 0, 4, HEADER, 0, 4)) {
            throw new WasmBundleException("is not a WASM module (it does not start with \\0asm)");
        }
        if (!Arrays.equals(bytes, 4, 8, HEADER, 4, 8)) {
            throw new WasmBundleException("is WASM binary version " + Integer.toUnsignedString(le32(bytes, 4)) + "; only version 1 is supported");
        }
        List<Section> sections = new ArrayList<>();
        int pos = HEADER.length;
        while (pos < bytes.length) {
            int start = pos;
            int id = bytes[pos++] & 0xff;
            String where = "section " + sections.size() + " (id " + id + ") at offset " + start;
            long[] size = leb(bytes, pos, bytes.length, "is malformed: " + where + ": its size");
            pos += (int) size[1];
            if (size[0] > bytes.length - pos) {
                throw new WasmBundleException("is truncated: " + where + " declares " + size[0] + " bytes but only "
                        + (bytes.length - pos) + " remain");
            }
            int end = pos + (int) size[0];
            String name = null;
            int payloadStart = pos;
            if (id == CUSTOM) {
                long[] nameLength = leb(bytes, pos, end, "is malformed: " + where + ": its name length");
                payloadStart = pos + (int) nameLength[1];
                if (nameLength[0] > end - payloadStart) {
                    throw new WasmBundleException("is malformed: " + where + ": its name of " + nameLength[0] + " bytes overruns the section");
                }
                name = new String(bytes, payloadStart, (int) nameLength[0], StandardCharsets.UTF_8);
                payloadStart += (int) nameLength[0];
            }
            sections.add(new Section(id, name, start, payloadStart, end));
            pos = end;
        }
        return sections;
    }

    /** A custom section: id 0, size, name, payload. */
    static byte[] custom(String name, byte[] payload) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        writeLeb(content, nameBytes.length);
        content.write(nameBytes, 0, nameBytes.length);
        content.write(payload, 0, payload.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(CUSTOM);
        writeLeb(out, content.size());
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    /**
     * Decodes an unsigned LEB128 u32 at {@code pos}, reading no further than {@code limit}.
     *
     * @return {value, number of bytes read}
     */
    static long[] leb(byte[] bytes, int pos, int limit, String what) {
        long value = 0;
        // A u32 takes at most 5 bytes, and the 5th may only use its low 4 bits.
        for (int i = 0; i < 5; i++) {
            if (pos + i >= limit) {
                throw new WasmBundleException(what + " is truncated");
            }
            int b = bytes[pos + i] & 0xff;
            if (i == 4 && (b & 0xf0) != 0) {
                throw new WasmBundleException(what + " is not a valid LEB128 u32 (too large or overlong)");
            }
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return new long[] {value, i + 1};
            }
        }
        throw new WasmBundleException(what + " is not a valid LEB128 u32 (too large or overlong)");
    }

    static void writeLeb(ByteArrayOutputStream out, int value) {
        int v = value;
        do {
            int b = v & 0x7f;
            v >>>= 7;
            out.write(v == 0 ? b : b | 0x80);
        } while (v != 0);
    }

    private static int le32(byte[] b, int pos) {
        return (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16 | (b[pos + 3] & 0xff) << 24;
    }
}
