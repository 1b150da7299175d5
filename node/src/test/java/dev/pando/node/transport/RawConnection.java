package dev.pando.node.transport;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A plain socket speaking just enough HTTP/1.1 for tests that need control over the bytes. */
class RawConnection implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    /** A parsed HTTP response. Header names are lower-cased. */
    record HttpReply(int status, Map<String, String> headers, String body) {}

    RawConnection(int port) throws IOException {
        this(port, null);
    }

    /** Connects from {@code localAddress} (e.g. 127.0.0.2, to be another client on loopback), or any if null. */
    RawConnection(int port, String localAddress) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    static String request(String method, String target, String body, String... extraHeaderLines) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
        for (String h : extraHeaderLines) {
            sb.append(h).append("\r\n");
        }
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            sb.append("Content-Type: application/json\r\n");
        }
        sb.append("Content-Length: ").append(b.length).append("\r\n\r\n");
        if (body != null) {
            sb.append(body);
        }
        return sb.toString();
    }

    /** Reads one response with a Content-Length body. */
    HttpReply readReply() throws IOException {
        String head = readHead();
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        return new HttpReply(status, headers, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    /** Reads up to and including the blank line ending a header block, byte by byte. */
    String readHead() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed after " + buf.size() + " bytes: " + buf);
            }
            buf.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * True if the server closed the connection within {@code timeoutMs}: EOF or a reset, after
     * skipping whatever it still sent.
     */
    boolean closedByServerWithin(long timeoutMs) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        byte[] sink = new byte[8192];
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) Math.max(1, left));
            try {
                if (in.read(sink) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true; // reset
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
