package dev.pando.node.transport;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The DNS-rebinding guard. A web page on {@code evil.example} can point that name at 127.0.0.1
 * and then read from the node as "same origin": the browser sends no {@code Origin} header, but
 * its {@code Host} header still says {@code evil.example}. So requests must name the node by a
 * loopback name ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}), its bind address (unless a
 * wildcard), or a name listed in {@code transport.allowed-hosts}; any port. {@code *} in the
 * list turns the check off.
 *
 * <p>In open mode the check always applies, since there the address alone grants access. With
 * auth on, a rebinding page has no token, so the check applies only when names are configured
 * (an operator reaching the node by names of their own should not have to list them all).
 * A request without a {@code Host} header (HTTP/1.0) passes: browsers always send one.
 */
final class HostGuard {
    private static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "[::1]");
    private static final Set<String> WILDCARD_BINDS = Set.of("0.0.0.0", "[::]", "[0:0:0:0:0:0:0:0]");
    private static final String ANY = "*";
    private static final int MAX_ECHOED = 100;

    private final boolean enforced;
    private final Set<String> allowed;

    private HostGuard(boolean enforced, Set<String> allowed) {
        this.enforced = enforced;
        this.allowed = allowed;
    }

    /**
     * @param bind              the configured bind address
     * @param configured        {@code transport.allowed-hosts} entries (host or host:port; port ignored)
     * @param anonymousAllowed  whether the node runs in open mode
     */
    static HostGuard of(String bind, List<String> configured, boolean anonymousAllowed) {
        Set<String> names = new HashSet<>(LOOPBACK_NAMES);
        hostOf(bracketed(bind)).filter(b -> !WILDCARD_BINDS.contains(b)).ifPresent(names::add);
        for (String entry : configured) {
            names.add(hostOf(bracketed(entry)).orElseThrow(
                    () -> new IllegalArgumentException("transport.allowed-hosts: not a host name: '" + entry + "'")));
        }
        boolean enforced = (anonymousAllowed || !configured.isEmpty()) && !configured.contains(ANY);
        return new HostGuard(enforced, Set.copyOf(names));
    }

    /**
     * Refuses a request that names another host.
     *
     * @throws PandoException {@code FORBIDDEN} for a name not accepted, {@code BAD_REQUEST} for
     *                        more than one Host header
     */
    void check(HttpRequest request) {
        if (!enforced) {
            return;
        }
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            throw PandoException.badRequest("more than one Host header");
        }
        if (!hosts.isEmpty()) {
            require(hosts.get(0));
        }
        absoluteFormAuthority(request.uri()).ifPresent(this::require);
    }

    boolean allows(String hostHeader) {
        return !enforced || hostOf(hostHeader).filter(allowed::contains).isPresent();
    }

    private void require(String hostHeader) {
        if (!allows(hostHeader)) {
            String shown = hostHeader.length() > MAX_ECHOED ? hostHeader.substring(0, MAX_ECHOED) + "…" : hostHeader;
            throw new PandoException(ErrorCode.FORBIDDEN, "Host '" + shown + "' is not a name of this node (a page on another"
                    + " site may have pointed its name here: DNS rebinding); use localhost or 127.0.0.1, or list the name"
                    + " in transport.allowed-hosts");
        }
    }

    /** The authority of an absolute-form request target ({@code GET http://host/path}), which overrides Host. */
    private static Optional<String> absoluteFormAuthority(String uri) {
        if (uri.startsWith("/")) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(new URI(uri).getRawAuthority());
        } catch (java.net.URISyntaxException e) {
            return Optional.empty(); // routing answers a target it cannot read
        }
    }

    /**
     * The host of a {@code host[:port]} value, lower-cased, IPv6 in brackets, without a trailing
     * dot; empty if it is not of that form.
     */
    static Optional<String> hostOf(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        String host;
        String rest;
        if (v.startsWith("[")) {
            int end = v.indexOf(']');
            if (end < 0) {
                return Optional.empty();
            }
            host = v.substring(0, end + 1);
            rest = v.substring(end + 1);
        } else {
            int colon = v.indexOf(':');
            if (colon >= 0 && v.indexOf(':', colon + 1) >= 0) {
                return Optional.empty(); // an unbracketed IPv6 address is not a valid Host
            }
            host = colon < 0 ? v : v.substring(0, colon);
            rest = colon < 0 ? "" : v.substring(colon);
        }
        if (!rest.isEmpty() && !rest.matches(":[0-9]{0,5}")) {
            return Optional.empty();
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1); // "localhost." is localhost
        }
        return host.isEmpty() || host.equals("[]") ? Optional.empty() : Optional.of(host);
    }

    /** Puts a bare IPv6 address (a configured bind or name) in brackets, the form Host uses. */
    private static String bracketed(String name) {
        String n = name.trim();
        return n.indexOf(':') != n.lastIndexOf(':') && !n.startsWith("[") ? "[" + n + "]" : n;
    }
}
