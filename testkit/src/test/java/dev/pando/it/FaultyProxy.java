package dev.pando.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy for tests that cuts the network: {@link #cut()} resets every connection through it
 * and refuses new ones until {@link #heal()}; {@link #stall()} keeps every connection open but
 * carries no byte either way (a peer that stopped reading, a link that went silent) until
 * {@link #heal()}. Each connection is two pump threads.
 */
final class FaultyProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean stalled;
    private volatile boolean closed;

    FaultyProxy(int targetPort) {
        this.targetPort = targetPort;
        try {
            server = new ServerSocket(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread t = new Thread(this::acceptLoop, "faulty-proxy-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Resets every connection (RST, not FIN) and refuses new ones. */
    void cut() {
        cut = true;
        for (Socket s : open) {
            reset(s);
        }
    }

    /** Holds every byte from now on, in both directions, on open connections and new ones. */
    void stall() {
        stalled = true;
    }

    void heal() {
        cut = false;
        stalled = false;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (cut) {
                    reset(client);
                    continue;
                }
                Socket target = new Socket();
                target.connect(new InetSocketAddress("127.0.0.1", targetPort), 2_000);
                open.add(client);
                open.add(target);
                pump(client, target);
                pump(target, client);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    while (stalled && !cut && !closed) {
                        Thread.sleep(5); // reading no more: the sender's buffers fill, as with a stuck peer
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut or closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                reset(from);
                reset(to);
            }
        }, "faulty-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void reset(Socket s) {
        open.remove(s);
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
