package dev.pando.it;

import static dev.pando.it.Json.num;
import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoConnectionException;
import dev.pando.client.PandoWebSocket;
import dev.pando.client.SubscribeOptions;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.testkit.TestNode;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registry builtin on a real node in authenticated mode: entities prove their key for an
 * {@code ent_} token, owned namespaces with locks and grants decide who may read, write, publish
 * and subscribe, and suspension or revocation reaches sessions that are already open.
 */
class RegistryIT {
    static TestNode node;
    static PandoClient admin;

    @BeforeAll
    static void start() {
        node = TestNode.builder().builtins("rules", "registry").set("auth.mode", "authenticated").start();
        admin = node.adminClient();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** A registered entity: its key, id and a fresh {@code ent_} token. */
    record Entity(Ed25519KeyPair key, String id, String token) {
        PandoClient client() {
            return PandoClient.connect(node.url(), token);
        }
    }

    private static Entity register(String name, List<String> namespaces, List<String> scopes) {
        Ed25519KeyPair key = Ed25519KeyPair.generate();
        ObjectNode args = obj().put("publicKey", HexFormat.of().formatHex(key.publicKey())).put("type", "device").put("name", name);
        namespaces.forEach(args.putArray("namespaces")::add);
        scopes.forEach(args.putArray("scopes")::add);
        String id = admin.call("registry.register", args).get("id").asText();
        return new Entity(key, id, login(key, id));
    }

    /** Challenge, sign, token: what an entity does to log in; no credentials needed. */
    private static String login(Ed25519KeyPair key, String id) {
        try (PandoClient anonymous = PandoClient.connect(node.url(), null)) {
            String challenge = anonymous.call("registry.challenge", obj().put("id", id)).get("challenge").asText();
            byte[] signature = key.sign(("pando-registry-challenge:" + challenge).getBytes(StandardCharsets.UTF_8));
            JsonNode t = anonymous.call("registry.token", obj().put("id", id).put("challenge", challenge)
                    .put("signature", HexFormat.of().formatHex(signature)));
            assertThat(t.get("name").asText()).isEqualTo("ent:" + id);
            return t.get("token").asText();
        }
    }

    private static void refused(ErrorCode code, String why, Supplier<?> call) {
        Refusals.refused(node, code, why, call);
    }

    @Test
    void anEntityProvesItsKeyAndActsWithinItsScopesAndNamespace() {
        Entity e = register("kitchen", List.of("/agents/kitchen/**"), List.of("write:/sensors/kitchen/**"));
        try (PandoClient c = e.client()) {
            assertThat(c.call("node.whoami", obj()).get("name").asText()).isEqualTo("ent:" + e.id());
            c.set("/sensors/kitchen/temp", num(21));
            c.set("/agents/kitchen/state", num(1));
            c.publish("/agents/kitchen/events", num(1));
            refused(ErrorCode.FORBIDDEN, "may not write '/sensors/garage/temp'", () -> c.set("/sensors/garage/temp", num(1)));
            refused(ErrorCode.FORBIDDEN, "requires node-wide admin", () -> c.call("registry.register", obj()));
        }
        try (PandoClient anonymous = PandoClient.connect(node.url(), null)) {
            String challenge = anonymous.call("registry.challenge", obj().put("id", e.id())).get("challenge").asText();
            byte[] wrong = Ed25519KeyPair.generate().sign(("pando-registry-challenge:" + challenge).getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> anonymous.call("registry.token", obj().put("id", e.id()).put("challenge", challenge)
                    .put("signature", HexFormat.of().formatHex(wrong))))
                    .isInstanceOfSatisfying(PandoException.class, x -> assertThat(x.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
        }
    }

    @Test
    void ownerGranteeAndStrangerOnOpenLockedAndPublicNamespaces() throws Exception {
        Entity owner = register("owner", List.of("/agents/owner/**"), List.of());
        Entity grantee = register("grantee", List.of("/agents/grantee/**"), List.of());
        Entity stranger = register("stranger", List.of("/agents/stranger/**"), List.of());
        admin.set("/agents/owner/doc", num(1));
        try (PandoClient o = owner.client(); PandoClient g = grantee.client(); PandoClient s = stranger.client()) {
            o.call("registry.grant", obj().put("namespace", "/agents/owner/**").put("entity", grantee.id())
                    .set("actions", Json.parse("[\"read\",\"write\",\"subscribe\"]")));
            refused(ErrorCode.FORBIDDEN, "", () -> s.call("registry.grant", obj().put("namespace", "/agents/owner/**")
                    .put("entity", stranger.id()).set("actions", Json.parse("[\"write\"]"))));

            // Open (the default): everyone authenticated reads; only owner and grantees write; nobody else publishes.
            assertThat(s.get("/agents/owner/doc").get("value").asInt()).isEqualTo(1);
            g.set("/agents/owner/doc", num(2));
            o.set("/agents/owner/doc", num(3));
            refused(ErrorCode.FORBIDDEN, "may not write", () -> s.set("/agents/owner/doc", num(9)));
            refused(ErrorCode.FORBIDDEN, "may not publish", () -> s.publish("/agents/owner/t", num(9)));
            refused(ErrorCode.FORBIDDEN, "may not publish", () -> g.publish("/agents/owner/t", num(9)));

            // Locked: the stranger no longer reads, and its subscription delivers nothing.
            o.call("registry.lock", obj().put("namespace", "/agents/owner/**"));
            refused(ErrorCode.FORBIDDEN, "may not read", () -> s.get("/agents/owner/doc"));
            assertThat(g.get("/agents/owner/doc").get("value").asInt()).isEqualTo(3);
            BlockingQueue<JsonNode> strangerSees = new LinkedBlockingQueue<>();
            BlockingQueue<JsonNode> granteeSees = new LinkedBlockingQueue<>();
            try (PandoWebSocket sw = PandoWebSocket.connect(node.url(), stranger.token());
                    PandoWebSocket gw = PandoWebSocket.connect(node.url(), grantee.token())) {
                sw.subscribe("/agents/owner/**", SubscribeOptions.defaults(), strangerSees::add);
                gw.subscribe("/agents/owner/**", SubscribeOptions.defaults(), granteeSees::add);
                o.set("/agents/owner/doc", num(4));
                o.publish("/agents/owner/t", num(5));
                // A change and a later event are not ordered against each other (docs/protocol.md).
                assertThat(Pushes.subjects(granteeSees, 2)).containsExactlyInAnyOrder("/agents/owner/doc", "/agents/owner/t");
                assertThat(strangerSees.poll(300, TimeUnit.MILLISECONDS)).as("a locked namespace pushes nothing to strangers").isNull();
            }

            // Public: everyone authenticated reads and publishes; writing stays the owner's and grantees'.
            o.call("registry.unlock", obj().put("namespace", "/agents/owner/**").put("public", true));
            assertThat(s.get("/agents/owner/doc").get("value").asInt()).isEqualTo(4);
            s.publish("/agents/owner/t", num(6));
            refused(ErrorCode.FORBIDDEN, "may not write", () -> s.set("/agents/owner/doc", num(9)));

            // Ungranted: the grantee is a stranger again.
            o.call("registry.unlock", obj().put("namespace", "/agents/owner/**"));
            o.call("registry.ungrant", obj().put("namespace", "/agents/owner/**").put("entity", grantee.id()));
            refused(ErrorCode.FORBIDDEN, "may not write", () -> g.set("/agents/owner/doc", num(9)));
        }
    }

    @Test
    void suspendingAnEntityCutsOffItsOpenSessionAtOnceAndActivatingRestoresIt() throws Exception {
        Entity e = register("suspendable", List.of("/agents/suspendable/**"), List.of());
        BlockingQueue<JsonNode> pushes = new LinkedBlockingQueue<>();
        CompletableFuture<PandoConnectionException> closed = new CompletableFuture<>();
        PandoWebSocket ws = PandoWebSocket.connect(node.url(), e.token(), new PandoWebSocket.Listener() {
            @Override
            public void onClosed(PandoConnectionException error) {
                closed.complete(error);
            }
        });
        try (ws; PandoClient c = e.client()) {
            ws.subscribe("/agents/suspendable/**", SubscribeOptions.defaults(), pushes::add);
            admin.call("registry.suspend", obj().put("id", e.id()));
            JsonNode error = pushes.poll(5, TimeUnit.SECONDS);
            assertThat(error).isNotNull();
            assertThat(error.toString()).contains("UNAUTHORIZED").contains("suspended");
            assertThat(closed.get(5, TimeUnit.SECONDS)).isNotNull();
            admin.set("/agents/suspendable/x", num(1));
            assertThat(pushes.poll(300, TimeUnit.MILLISECONDS)).as("nothing pushed after the suspension").isNull();
            refused(ErrorCode.UNAUTHORIZED, "suspended", () -> c.set("/agents/suspendable/x", num(2)));

            admin.call("registry.activate", obj().put("id", e.id()));
            c.set("/agents/suspendable/x", num(3));
        }
    }

    @Test
    void aRevokedEntitysTokenIsRefusedForeverEvenAfterARestart() {
        Entity e = register("revocable", List.of("/agents/revocable/**"), List.of());
        try (PandoClient c = e.client()) {
            c.set("/agents/revocable/x", num(1));
            admin.call("registry.revoke", obj().put("id", e.id()));
            refused(ErrorCode.UNAUTHORIZED, "", () -> c.set("/agents/revocable/x", num(2)));
        }
        node.restart();
        admin = node.adminClient();
        try (PandoClient c = e.client()) {
            refused(ErrorCode.UNAUTHORIZED, "", () -> c.set("/agents/revocable/x", num(3)));
        }
        try (PandoClient anonymous = PandoClient.connect(node.url(), null)) {
            refused(ErrorCode.UNAUTHORIZED, "", () -> anonymous.call("registry.challenge", obj().put("id", e.id())));
        }
    }

    @Test
    void aRuleByAnEntityStopsActingWhenItsAuthorIsSuspended() {
        Entity author = register("automator", List.of("/agents/automator/**"), List.of());
        try (PandoClient c = author.client()) {
            c.call("rules.put", Json.parse("""
                    {"rule": {"id": "mirror", "trigger": {"type": "on_change", "pattern": "/agents/automator/in"},
                              "actions": [{"type": "set_from_trigger", "key": "/agents/automator/out"}]}}"""));
        }
        admin.set("/agents/automator/in", num(1));
        dev.pando.testkit.Eventually.eventually("the rule acts for its author", java.time.Duration.ofSeconds(10),
                () -> admin.find("/agents/automator/out").filter(v -> v.get("value").asInt() == 1).orElse(null));
        admin.call("registry.suspend", obj().put("id", author.id()));
        admin.set("/agents/automator/in", num(2));
        dev.pando.testkit.Eventually.eventually("the rule notices its author lost the right", java.time.Duration.ofSeconds(10),
                () -> admin.call("rules.get", obj().put("id", "mirror")).path("stats").path("forbidden").asLong() > 0 ? true : null);
        assertThat(admin.get("/agents/automator/out").get("value").asInt()).as("not copied for a suspended author").isEqualTo(1);
    }
}
