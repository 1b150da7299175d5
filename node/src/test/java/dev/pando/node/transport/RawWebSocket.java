package dev.pando.node.transport;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal WebSocket client on a raw socket: it does the handshake, writes masked frames, and
 * reads frames only when asked, which lets tests play a client that never reads.
 */
final class RawWebSocket extends RawConnection {
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CONTINUATION = 0x0;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }
    }

    private RawWebSocket(int port) throws IOException {
        super(port);
    }

    /** Connects and completes the handshake; fails unless the server answers 101. */
    static RawWebSocket open(int port, String target) throws IOException {
        RawWebSocket ws = new RawWebSocket(port);
        String status = ws.handshake(target);
        if (!status.startsWith("HTTP/1.1 101")) {
            ws.close();
            throw new IOException("handshake refused: " + status);
        }
        return ws;
    }

    /** Sends the upgrade request; returns the response head. */
    static RawConnection.HttpReply refusedHandshake(int port, String target) throws IOException {
        try (RawWebSocket ws = new RawWebSocket(port)) {
            ws.write(upgradeRequest(target));
            return ws.readReply();
        }
    }

    private String handshake(String target) throws IOException {
        write(upgradeRequest(target));
        return readHead();
    }

    /** Sends an upgrade request naming {@code host} in its Host header; returns the response head. */
    static String handshakeWithHost(int port, String target, String host) throws IOException {
        try (RawWebSocket ws = new RawWebSocket(port)) {
            ws.write(upgradeRequest(target).replace("Host: localhost\r\n", "Host: " + host + "\r\n"));
            return ws.readHead();
        }
    }

    private static String upgradeRequest(String target) {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
    }

    void sendText(String text) throws IOException {
        write(frame(TEXT, text.getBytes(StandardCharsets.UTF_8), true));
    }

    /** One masked frame as bytes (to batch many into one write). */
    static byte[] frame(int opcode, byte[] payload, boolean fin) {
        return frameHeaderAnd(opcode, payload.length, payload, fin);
    }

    /** A frame header announcing {@code declaredLength}, followed by {@code payload} (maybe shorter). */
    static byte[] frameHeaderAnd(int opcode, long declaredLength, byte[] payload, boolean fin) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (declaredLength < 126) {
            b.put((byte) (0x80 | declaredLength));
        } else if (declaredLength <= 0xFFFF) {
            b.put((byte) (0x80 | 126));
            b.putShort((short) declaredLength);
        } else {
            b.put((byte) (0x80 | 127));
            b.putLong(declaredLength);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        b.put(mask);
        for (int i = 0; i < payload.length; i++) {
            b.put((byte) (payload[i] ^ mask[i % 4]));
        }
        byte[] out = new byte[b.position()];
        b.flip();
        b.get(out);
        return out;
    }

    static byte[] textFrame(String text) {
        return frame(TEXT, text.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Reads one (unmasked, unfragmented) server frame. */
    Frame readFrame() throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
            throw new EOFException("connection closed");
        }
        long len = b1 & 0x7f;
        if (len == 126) {
            len = ((in.read() & 0xff) << 8) | (in.read() & 0xff);
        } else if (len == 127) {
            len = ByteBuffer.wrap(in.readNBytes(8)).getLong();
        }
        byte[] payload = in.readNBytes((int) len);
        if (payload.length < len) {
            throw new EOFException("connection closed mid-frame");
        }
        return new Frame(b0 & 0x0f, payload);
    }

    /** The next text frame, skipping pings; fails on a close frame. */
    String readText() throws IOException {
        while (true) {
            Frame f = readFrame();
            if (f.opcode() == TEXT) {
                return f.text();
            }
            if (f.opcode() == CLOSE) {
                throw new EOFException("server closed the session with " + f.closeCode());
            }
        }
    }
}
