package dev.pando.client;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where things live on a node, given its base URL ({@code http://127.0.0.1:7330}, optionally
 * with a path prefix when behind a reverse proxy). Accepts {@code ws://}/{@code wss://} bases
 * too, so one URL works for both clients.
 */
public final class Endpoints {
    private Endpoints() {}

    /**
     * The base as an http(s) URL without a trailing slash, query or fragment.
     *
     * @throws IllegalArgumentException if the scheme is not http, https, ws or wss, or there is no host
     */
    public static URI httpBase(URI base) {
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        String http = switch (scheme) {
            case "http", "ws" -> "http";
            case "https", "wss" -> "https";
            default -> throw new IllegalArgumentException("node URL must start with http:// or https:// (got '" + base + "')");
        };
        if (base.getHost() == null) {
            throw new IllegalArgumentException("node URL has no host: '" + base + "'");
        }
        String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        String port = base.getPort() < 0 ? "" : ":" + base.getPort();
        // getHost() keeps IPv6 brackets; user info is dropped on purpose (tokens go in headers).
        return URI.create(http + "://" + base.getHost() + port + path);
    }

    /** {@code POST} target for {@code op}: {@code <base>/v1/ops/<op>}. */
    public static URI opUri(URI base, String op) {
        if (op == null || op.isBlank()) {
            throw new IllegalArgumentException("op name must not be empty");
        }
        return URI.create(httpBase(base) + "/v1/ops/" + encode(op));
    }

    /** The WebSocket URL, {@code ws://host:port/v1/ws}, with {@code ?token=} when a token is given. */
    public static URI webSocketUri(URI base, String tokenOrNull) {
        URI http = httpBase(base);
        String ws = (http.getScheme().equals("https") ? "wss" : "ws") + http.toString().substring(http.getScheme().length());
        return URI.create(ws + "/v1/ws" + (tokenOrNull == null || tokenOrNull.isEmpty() ? "" : "?token=" + encode(tokenOrNull)));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
