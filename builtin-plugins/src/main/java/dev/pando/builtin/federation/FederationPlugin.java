package dev.pando.builtin.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.OpCall;
import dev.pando.api.plugin.PandoPlugin;
import dev.pando.api.plugin.PluginContext;
import dev.pando.signing.TrustedKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Hub and leaf nodes sharing state (docs/federation.md). A hub serves the handshake, push and
 * pull ops to its leaves; a node with {@code hub} set connects upward as a leaf (a hub may do both,
 * which makes trees of hubs). Every node refuses local writes to keys another node owns.
 */
public final class FederationPlugin implements PandoPlugin {
    private FederationConfig config;
    private Optional<Hub> hub = Optional.empty();
    private Optional<Uplink> uplink = Optional.empty();

    @Override
    public void start(PluginContext context) {
        config = FederationConfig.parse(context.config());
        TrustedKeys trusted = trusted(config);
        if (config.mode() == FederationConfig.Mode.HUB) {
            hub = Optional.of(new Hub(context, config, trusted));
        }
        if (config.hub().isPresent()) {
            uplink = Optional.of(new Uplink(context, config, trusted));
        }
        Optional<Hub> h = hub;
        Optional<Uplink> u = uplink;
        context.replica().refuseWritesOwnedElsewhere(key -> h.flatMap(x -> x.ownerOf(key)).or(() -> u.flatMap(x -> x.ownerOf(key))));
        uplink.ifPresent(Uplink::start);
    }

    private static TrustedKeys trusted(FederationConfig config) {
        if (config.trustedPeers().isEmpty()) {
            return TrustedKeys.of();
        }
        try {
            return TrustedKeys.load(Path.of(config.trustedPeers().get()));
        } catch (IOException e) {
            throw PandoException.badRequest("federation.trusted-peers: cannot read " + config.trustedPeers().get() + ": " + e.getMessage());
        }
    }

    @Override
    public JsonNode call(OpCall call) {
        return switch (call.op()) {
            case "federation.hello" -> hub().hello(call);
            case "federation.join" -> hub().join(call);
            case "federation.push" -> hub().push(call);
            case "federation.pull" -> hub().pull(call);
            case "federation.snapshot" -> hub().snapshot(call);
            case "federation.digest" -> hub().digest(call);
            case "federation.peers" -> peers();
            case "federation.resync" -> resync();
            default -> throw new PandoException(ErrorCode.NOT_FOUND, "unknown op '" + call.op() + "'");
        };
    }

    private Hub hub() {
        return hub.orElseThrow(() -> new PandoException(ErrorCode.FORBIDDEN, "this node is a federation leaf; it accepts no peers"));
    }

    private JsonNode peers() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("mode", config.mode().name().toLowerCase());
        o.set("peers", hub.map(Hub::peersJson).orElseGet(JsonNodeFactory.instance::arrayNode));
        uplink.ifPresent(u -> o.withArray("peers").add(u.toJson()));
        return o;
    }

    private JsonNode resync() {
        Uplink u = uplink.orElseThrow(() -> new PandoException(ErrorCode.FORBIDDEN, "federation.resync: this node has no hub to resync from"));
        u.resync();
        return JsonNodeFactory.instance.objectNode().put("resync", true);
    }

    @Override
    public void stop() {
        uplink.ifPresent(Uplink::stop);
        hub.ifPresent(h -> {
            try {
                h.saveAll();
            } catch (RuntimeException e) {
                // The store may already refuse writes; the leaves then push a little again and it is skipped.
            }
        });
    }
}
