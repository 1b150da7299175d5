package dev.pando.node.bench;

import dev.pando.client.Endpoints;
import dev.pando.node.transport.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.net.URI;

/**
 * Opens the bench's Netty connections to one node: plain HTTP keep-alive, or a WebSocket on
 * {@code /v1/ws} upgraded with the bench's token. The handler given goes last in the pipeline.
 */
final class Connector {
    /** Epoll where it loads, like the node: the generator should not be the slower side. */
    static final NettyTransport IO = NettyTransport.choose(true);
    /** Largest HTTP message or WebSocket frame the bench accepts from the node. */
    static final int MAX_MESSAGE = 1 << 20;
    /** TCP connect and WebSocket handshake time-out of one connection. */
    static final long CONNECT_TIMEOUT_MS = 15_000;

    private final URI base;
    private final String host;
    private final int port;
    private final String token;

    /** @throws IllegalArgumentException if {@code url} is not plain {@code http://} or {@code ws://} */
    Connector(URI url, String token) {
        this.base = Endpoints.httpBase(url);
        if (!base.getScheme().equals("http")) {
            throw new IllegalArgumentException("bench speaks plain http:// / ws:// only (got " + url + ")");
        }
        this.host = base.getHost().replaceAll("^\\[|]$", "");
        this.port = base.getPort() < 0 ? 80 : base.getPort();
        this.token = token;
    }

    /** The node's HTTP base URI. */
    URI base() {
        return base;
    }

    /** Starts connecting one channel on {@code group}; {@code handler} sees the upgraded WebSocket or the HTTP messages. */
    ChannelFuture open(EventLoopGroup group, boolean webSocket, ChannelHandler handler) {
        Bootstrap bootstrap = new Bootstrap().group(group).channel(IO.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT_MS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_MESSAGE));
                        if (webSocket) {
                            ch.pipeline().addLast(new WebSocketClientProtocolHandler(webSocketConfig()),
                                    new WebSocketFrameAggregator(MAX_MESSAGE));
                        }
                        ch.pipeline().addLast(handler);
                    }
                });
        return bootstrap.connect(host, port);
    }

    private WebSocketClientProtocolConfig webSocketConfig() {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (token != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        }
        return WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(Endpoints.webSocketUri(base, token))
                .customHeaders(headers)
                .generateOriginHeader(false) // not a browser: Origin would mark it as a web page
                .maxFramePayloadLength(MAX_MESSAGE)
                .handshakeTimeoutMillis(CONNECT_TIMEOUT_MS)
                .build();
    }
}
