package dev.pando.node.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.node.dispatch.Request;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's HTTP routes as data: which route a request-target names, and how an op call
 * ({@code POST /v1/ops/{op}}) or a key request ({@code GET|PUT|DELETE /v1/kv/{path}}) becomes a
 * {@link Request}. Failures are {@link PandoException}s ({@code BAD_REQUEST}, 405 as
 * {@link MethodNotAllowed}).
 */
final class HttpRoutes {
    static final String WS_PATH = "/v1/ws";
    static final String OPS = "/v1/ops";
    static final String KV = "/v1/kv";

    private HttpRoutes() {}

    /** The {@code route} label of {@code pando_http_requests_total} for a request-target. */
    static String routeLabel(String uri) {
        String path = rawPath(uri);
        if (under(path, OPS)) {
            return "ops";
        }
        if (under(path, KV)) {
            return "kv";
        }
        return switch (path) {
            case "/health" -> "health";
            case "/metrics" -> "metrics";
            case WS_PATH -> "ws";
            default -> "other";
        };
    }

    /** The request-target's path, still percent-encoded, without query or fragment. */
    static String rawPath(String uri) {
        String u = uri;
        int scheme = u.indexOf("://");
        if (scheme > 0 && scheme < u.indexOf('/')) { // absolute-form: drop scheme and authority
            int pathStart = u.indexOf('/', scheme + 3);
            u = pathStart < 0 ? "/" : u.substring(pathStart);
        }
        int end = u.length();
        for (int i = 0; i < u.length(); i++) {
            char c = u.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return u.substring(0, end);
    }

    private static boolean under(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    /** {@code POST /v1/ops/{op}} with the args as the JSON body. */
    static Request opCall(FullHttpRequest request, String path, int maxJsonDepth) {
        requireMethod(request.method(), HttpMethod.POST);
        String op = path.length() > OPS.length() + 1 ? PathCodec.decodeSegment(path.substring(OPS.length() + 1)) : "";
        if (op.isEmpty()) {
            throw PandoException.badRequest("missing op: use POST /v1/ops/{op}");
        }
        JsonNode args = Json.parse(request.content(), maxJsonDepth);
        if (args != null && !args.isObject() && !args.isNull()) {
            throw PandoException.badRequest("the body must be a JSON object (the op's args)");
        }
        return new Request(NullNode.getInstance(), op, args);
    }

    /** {@code GET|PUT|DELETE /v1/kv/{path}} as {@code kv.get|set|delete}; {@code ifRevision} and {@code sync} from the query. */
    static Request keyCall(FullHttpRequest request, String path, int maxJsonDepth) {
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.PUT) && !method.equals(HttpMethod.DELETE)) {
            throw methodNotAllowed(method, "GET, PUT, DELETE");
        }
        String key = PathCodec.keyFromPath(path.length() > KV.length() + 1 ? path.substring(KV.length() + 1) : "");
        ObjectNode args = JsonNodeFactory.instance.objectNode().put("key", key);
        String op;
        if (method.equals(HttpMethod.GET)) {
            op = "kv.get";
        } else {
            Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
            if (method.equals(HttpMethod.PUT)) {
                op = "kv.set";
                JsonNode value = Json.parse(request.content(), maxJsonDepth);
                if (value == null) {
                    throw PandoException.badRequest("PUT /v1/kv/{path} needs the JSON value as its body");
                }
                args.set("value", value);
            } else {
                op = "kv.delete";
            }
            Optional<String> ifRevision = single(query, "ifRevision");
            if (ifRevision.isPresent()) {
                args.put("ifRevision", parseRevision(ifRevision.get()));
            }
            Optional<String> sync = single(query, "sync");
            if (sync.isPresent()) {
                args.put("sync", parseBoolean("sync", sync.get()));
            }
        }
        return new Request(NullNode.getInstance(), op, args);
    }

    static void requireMethod(HttpMethod method, HttpMethod allowed) {
        if (!method.equals(allowed)) {
            throw methodNotAllowed(method, allowed.name());
        }
    }

    private static PandoException methodNotAllowed(HttpMethod method, String allowed) {
        return new MethodNotAllowed(method.name() + " is not allowed here; use " + allowed, allowed);
    }

    /** A {@code BAD_REQUEST} answered with status 405 and an {@code Allow} header. */
    static final class MethodNotAllowed extends PandoException {
        private static final long serialVersionUID = 1L;
        private final String allow;

        MethodNotAllowed(String message, String allow) {
            super(ErrorCode.BAD_REQUEST, message);
            this.allow = allow;
        }

        /** The {@code Allow} header's value. */
        String allow() {
            return allow;
        }
    }

    /** The query parameter {@code name}, if given; {@code BAD_REQUEST} if given more than once. */
    static Optional<String> single(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw PandoException.badRequest("query parameter '" + name + "' given more than once");
        }
        return Optional.of(values.get(0));
    }

    private static long parseRevision(String text) {
        try {
            long r = Long.parseLong(text);
            if (r >= 0) {
                return r;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw PandoException.badRequest("ifRevision must be a non-negative integer, got '" + text + "'");
    }

    private static boolean parseBoolean(String name, String text) {
        return switch (text.toLowerCase()) {
            case "true", "1", "" -> true;
            case "false", "0" -> false;
            default -> throw PandoException.badRequest(name + " must be true or false, got '" + text + "'");
        };
    }
}
