package dev.pando.host.testing;

import java.io.ByteArrayOutputStream;

/**
 * Hostile but valid ABI v1 modules built directly as wasm bytes (WAT text of this size would take
 * wabt longer to assemble than the host takes to refuse it). Each exports {@code memory} and
 * {@code pando_alloc}, so only the size of its code is wrong.
 */
public final class BombModules {
    private BombModules() {}

    /** A module with {@code extra} empty functions besides {@code pando_alloc}. */
    public static byte[] manyFunctions(int extra) {
        return module(extra, -1);
    }

    /** A module with one function holding a {@code br_table} of {@code targets} labels. */
    public static byte[] brTable(int targets) {
        return module(0, targets);
    }

    private static byte[] module(int fillers, int brTargets) {
        boolean table = brTargets >= 0;
        int functions = 1 + fillers + (table ? 1 : 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
        // types: 0 = (i32) -> i32 for pando_alloc, 1 = () -> () for everything else
        section(out, 1, bytes(0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00));
        ByteArrayOutputStream funcs = new ByteArrayOutputStream();
        leb(funcs, functions);
        funcs.write(0);
        for (int i = 1; i < functions; i++) {
            funcs.write(1);
        }
        section(out, 3, funcs.toByteArray());
        section(out, 5, bytes(0x01, 0x00, 0x01)); // one memory, 1 page, no maximum
        ByteArrayOutputStream exports = new ByteArrayOutputStream();
        leb(exports, 2);
        name(exports, "memory");
        exports.writeBytes(bytes(0x02, 0x00));
        name(exports, "pando_alloc");
        exports.writeBytes(bytes(0x00, 0x00));
        section(out, 7, exports.toByteArray());
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        leb(code, functions);
        body(code, bytes(0x00, 0x41, 0x80, 0x08, 0x0b)); // i32.const 1024
        for (int i = 0; i < fillers; i++) {
            body(code, bytes(0x00, 0x0b));
        }
        if (table) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(bytes(0x00, 0x02, 0x40, 0x41, 0x00, 0x0e)); // no locals; block; i32.const 0; br_table
            leb(b, brTargets);
            for (int i = 0; i <= brTargets; i++) {
                b.write(0); // every label, and the default, is the block
            }
            b.writeBytes(bytes(0x0b, 0x0b));
            body(code, b.toByteArray());
        }
        section(out, 10, code.toByteArray());
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        leb(out, content.length);
        out.writeBytes(content);
    }

    private static void body(ByteArrayOutputStream out, byte[] body) {
        leb(out, body.length);
        out.writeBytes(body);
    }

    private static void name(ByteArrayOutputStream out, String name) {
        leb(out, name.length());
        out.writeBytes(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static void leb(ByteArrayOutputStream out, int value) {
        int v = value;
        do {
            int b = v & 0x7f;
            v >>>= 7;
            out.write(v == 0 ? b : b | 0x80);
        } while (v != 0);
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
