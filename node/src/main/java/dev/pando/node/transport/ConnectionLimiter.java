package dev.pando.node.transport;

import dev.pando.node.metrics.Metrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections against {@code limits.max-connections} and, per remote IP address,
 * {@code limits.max-connections-per-address}. An accepted connection over either limit gets a
 * fixed response (harmless to non-HTTP peers: 503 for the node's limit, 429 for the address's)
 * and is closed; nothing else of the pipeline is built for it. Loopback addresses are counted
 * like any other.
 */
final class ConnectionLimiter {
    static final String REJECTED = "pando_connections_rejected_total";
    static final String REJECTED_PER_ADDRESS = "pando_connections_rejected_per_address_total";
    static final String REJECTED_HELP = "Connections refused because the connection limit was reached";
    static final String REJECTED_PER_ADDRESS_HELP =
            "Connections refused because their remote address held limits.max-connections-per-address already";

    private static final byte[] NODE_FULL = response("503 Service Unavailable", "UNAVAILABLE", "too many open connections");
    private static final byte[] ADDRESS_FULL = response("429 Too Many Requests", "RATE_LIMITED",
            "too many open connections from this address");

    /** Why a connection was refused. */
    enum Refusal {
        NODE_FULL, ADDRESS_FULL
    }

    private final int max;
    private final int maxPerAddress;
    private final Metrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    /** Open connections per remote address; an address leaves the map when its last one closes. */
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    /**
     * @param max           open connections at once, 0 = unlimited
     * @param maxPerAddress open connections at once from one remote IP address, 0 = unlimited
     */
    ConnectionLimiter(int max, int maxPerAddress, Metrics metrics) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
        this.metrics = metrics;
    }

    /**
     * Admits {@code ch} (and releases its slots when it closes) or refuses it.
     *
     * @return empty if admitted, else why not; the caller then installs {@link #rejecter(Refusal)} only
     */
    Optional<Refusal> tryAdmit(Channel ch) {
        InetAddress address = ch.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        if (address != null && maxPerAddress > 0 && !takeAddressSlot(address)) {
            metrics.inc(REJECTED_PER_ADDRESS, REJECTED_PER_ADDRESS_HELP);
            return Optional.of(Refusal.ADDRESS_FULL);
        }
        int n = open.incrementAndGet();
        if (max > 0 && n > max) {
            open.decrementAndGet();
            releaseAddressSlot(address);
            metrics.inc(REJECTED, REJECTED_HELP);
            return Optional.of(Refusal.NODE_FULL);
        }
        ch.closeFuture().addListener(f -> {
            open.decrementAndGet();
            releaseAddressSlot(address);
        });
        return Optional.empty();
    }

    int open() {
        return open.get();
    }

    private boolean takeAddressSlot(InetAddress address) {
        boolean[] taken = {false};
        perAddress.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            if (count >= maxPerAddress) {
                return n;
            }
            taken[0] = true;
            return count + 1;
        });
        return taken[0];
    }

    private void releaseAddressSlot(InetAddress address) {
        if (address != null && maxPerAddress > 0) {
            perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** A handler that answers for {@code refusal} and closes as soon as the connection is active. */
    static ChannelInboundHandlerAdapter rejecter(Refusal refusal) {
        byte[] response = refusal == Refusal.ADDRESS_FULL ? ADDRESS_FULL : NODE_FULL;
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(response)).addListener(ChannelFutureListener.CLOSE);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // the peer may reset first; nothing worth logging
            }
        };
    }

    private static byte[] response(String status, String code, String message) {
        String body = "{\"id\":null,\"ok\":false,\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}";
        return ("HTTP/1.1 " + status + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Connection: close\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n"
                + body).getBytes(StandardCharsets.US_ASCII);
    }
}
