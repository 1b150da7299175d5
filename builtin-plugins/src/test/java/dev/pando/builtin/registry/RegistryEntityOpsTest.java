package dev.pando.builtin.registry;

import static dev.pando.host.testing.TestHost.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.builtin.registry.RegistryHarness.Key;
import dev.pando.signing.Ed25519KeyPair;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryEntityOpsTest {
    private final RegistryHarness h = new RegistryHarness();

    @Test
    void registerAnswersTheEntityWithItsIdDerivedFromTheKey() {
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        String hex = HexFormat.of().formatHex(pair.publicKey());
        JsonNode e = h.admin("register", "{\"publicKey\":\"" + hex + "\",\"type\":\"service\",\"name\":\"thermostat\","
                + "\"tags\":[\"kitchen\"],\"metadata\":{\"fw\":\"1.2\"},\"scopes\":[\"write:/lights/**\"],\"namespaces\":[\"/agents/t/**\"]}");

        assertThat(e.get("id").asText()).isEqualTo("e" + Ed25519KeyPair.fingerprint(pair.publicKey())).matches("e[0-9a-f]{16}");
        assertThat(e.get("type").asText()).isEqualTo("service");
        assertThat(e.get("status").asText()).isEqualTo("active");
        assertThat(e.get("publicKey").asText()).isEqualTo(hex);
        assertThat(e.get("metadata").get("fw").asText()).isEqualTo("1.2");
        assertThat(e.get("scopes").toString()).isEqualTo("[\"write:/lights/**\"]");
        assertThat(e.get("namespaces").toString()).isEqualTo("[\"/agents/t/**\"]");
        assertThat(e.get("createdAt").asLong()).isEqualTo(RegistryHarness.START).isEqualTo(e.get("updatedAt").asLong());
        assertThat(h.memory.get(RegistryStore.entityKey(e.get("id").asText()))).isPresent();
        assertThat(h.memory.get("/registry/tags/kitchen/" + e.get("id").asText())).isPresent();
        assertThat(h.admin("get", "{\"id\":\"" + e.get("id").asText() + "\"}")).isEqualTo(e);
    }

    @Test
    void getIsForTheNodeAdminAndTheEntityItself() {
        Key a = h.register("a", "");
        Key b = h.register("b", "");

        assertThat(h.call("get", "{\"id\":\"" + a.id() + "\"}", a.caller()).get("name").asText()).isEqualTo("a");
        assertRefused(() -> h.call("get", "{\"id\":\"" + a.id() + "\"}", b.caller()), ErrorCode.FORBIDDEN, "registry.get", a.id());
        assertRefused(() -> h.admin("get", "{\"id\":\"e0000000000000000\"}"), ErrorCode.NOT_FOUND, "registry.get", "e0000000000000000");
    }

    @Test
    void listByTagReadsOnlyThatTagsIndex() {
        Key a = h.register("a", ",\"tags\":[\"kitchen\",\"hot\"]");
        Key b = h.register("b", ",\"tags\":[\"kitchen\"]");
        h.register("c", ",\"tags\":[\"garage\"]");
        for (int i = 0; i < 20; i++) {
            h.register("other" + i, ",\"tags\":[\"garden\"]");
        }
        h.services.clear();

        JsonNode page = h.admin("list", "{\"tag\":\"kitchen\"}");

        assertThat(ids(page)).containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(page.has("cursor")).isFalse();
        assertThat(h.services.scans).containsExactly("/registry/tags/kitchen");
        assertThat(h.services.gets).isZero();
        assertThat(ids(h.admin("list", "{\"tag\":\"hot\"}"))).containsExactly(a.id());
        assertThat(ids(h.admin("list", "{\"tag\":\"none\"}"))).isEmpty();
    }

    @Test
    void listPagesWithTheCursorAndFiltersByTypeAndStatus() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(h.register("n" + i, ",\"tags\":[\"t\"]").id());
        }
        h.admin("suspend", "{\"id\":\"" + all.get(2) + "\"}");
        List<String> seen = new ArrayList<>();
        JsonNode page = h.admin("list", "{\"tag\":\"t\",\"limit\":2}");
        seen.addAll(ids(page));
        while (page.has("cursor")) {
            page = h.admin("list", "{\"tag\":\"t\",\"limit\":2,\"cursor\":\"" + page.get("cursor").asText() + "\"}");
            seen.addAll(ids(page));
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(all).doesNotHaveDuplicates();
        assertThat(ids(h.admin("list", "{\"status\":\"suspended\"}"))).containsExactly(all.get(2));
        assertThat(ids(h.admin("list", "{\"type\":\"device\"}"))).hasSize(5);
        assertThat(ids(h.admin("list", "{\"type\":\"user\"}"))).isEmpty();
    }

    @Test
    void listByNamespaceFindsTheOwnersOfOverlappingNamespaces() {
        Key a = h.register("a", ",\"namespaces\":[\"/agents/a/**\"]");
        Key b = h.register("b", ",\"namespaces\":[\"/agents/b/**\",\"/shared/b\"]");
        h.register("c", "");

        assertThat(ids(h.admin("list", "{\"namespace\":\"/agents/a/**\"}"))).containsExactly(a.id());
        assertThat(ids(h.admin("list", "{\"namespace\":\"/agents/**\"}"))).containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(ids(h.admin("list", "{\"namespace\":\"/agents/b/x\"}"))).containsExactly(b.id());
        assertThat(ids(h.admin("list", "{\"namespace\":\"/elsewhere/**\"}"))).isEmpty();
    }

    @Test
    void aKeyRegisteredTwiceIsAConflictAndChangesNothing() {
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        String args = "{\"publicKey\":\"" + HexFormat.of().formatHex(pair.publicKey()) + "\",\"type\":\"user\",\"name\":\"x\"}";
        JsonNode first = h.admin("register", args);
        long rev = h.revision();

        assertRefused(() -> h.admin("register", args.replace("\"x\"", "\"y\"")), ErrorCode.CONFLICT, "registry.register",
                first.get("id").asText());
        assertThat(h.revision()).isEqualTo(rev);
    }

    @Test
    void aNamespaceOverlappingAnotherEntitysIsAConflictEitherWay() {
        Key a = h.register("a", ",\"namespaces\":[\"/agents/a/**\"]");
        long rev = h.revision();

        assertRefused(() -> h.register("inner", ",\"namespaces\":[\"/agents/a/inbox/**\"]"), ErrorCode.CONFLICT,
                "'/agents/a/inbox/**' overlaps '/agents/a/**'", a.id());
        assertRefused(() -> h.register("outer", ",\"namespaces\":[\"/agents/**\"]"), ErrorCode.CONFLICT, "'/agents/**' overlaps");
        assertRefused(() -> h.register("same", ",\"namespaces\":[\"/agents/a/**\"]"), ErrorCode.CONFLICT, "overlaps");
        Key b = h.register("b", ",\"namespaces\":[\"/agents/b/**\"]");
        rev = h.revision();
        assertRefused(() -> h.admin("update", "{\"id\":\"" + b.id() + "\",\"namespaces\":[\"/agents/**\"]}"), ErrorCode.CONFLICT,
                "registry.update", "overlaps");
        assertThat(h.revision()).isEqualTo(rev);
    }

    @Test
    void updateReplacesFieldsAndTheTagIndexAndMovesNamespaces() {
        Key a = h.register("a", ",\"tags\":[\"old\"],\"namespaces\":[\"/agents/a/**\"]");
        h.clock.advance(5);

        JsonNode e = h.admin("update", "{\"id\":\"" + a.id() + "\",\"name\":\"renamed\",\"tags\":[\"new\"],"
                + "\"namespaces\":[\"/agents/a2/**\"]}");

        assertThat(e.get("name").asText()).isEqualTo("renamed");
        assertThat(e.get("updatedAt").asLong()).isEqualTo(RegistryHarness.START + 5);
        assertThat(ids(h.admin("list", "{\"tag\":\"old\"}"))).isEmpty();
        assertThat(ids(h.admin("list", "{\"tag\":\"new\"}"))).containsExactly(a.id());
        assertThat(h.memory.entries().keySet().stream().filter(k -> k.startsWith("/registry/namespaces/"))).hasSize(1);
        h.register("b", ",\"namespaces\":[\"/agents/a/**\"]"); // given up, so free again
        assertThat(h.memory.invalidated()).contains("*");
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndChangesNothing() {
        long rev = h.revision();
        String key = HexFormat.of().formatHex(Ed25519KeyPair.generate().publicKey());
        assertRefused(() -> h.admin("register", "{\"publicKey\":\"abc\",\"type\":\"user\",\"name\":\"x\"}"), ErrorCode.BAD_REQUEST,
                "registry.register", "'publicKey'");
        assertRefused(() -> h.admin("register", "{\"publicKey\":\"" + key + "\",\"type\":\"robot\",\"name\":\"x\"}"),
                ErrorCode.BAD_REQUEST, "'type'");
        assertRefused(() -> h.admin("register", "{\"publicKey\":\"" + key + "\",\"type\":\"user\",\"name\":\"x\",\"colour\":1}"),
                ErrorCode.BAD_REQUEST, "unknown argument 'colour'");
        assertRefused(() -> h.admin("register", "{\"publicKey\":\"" + key + "\",\"type\":\"user\",\"name\":\"x\",\"scopes\":[\"fly:/a\"]}"),
                ErrorCode.BAD_REQUEST, "'scopes[0]'", "unknown action 'fly'");
        assertRefused(() -> h.admin("register", "{\"publicKey\":\"" + key + "\",\"type\":\"user\",\"name\":\"x\",\"namespaces\":[\"/a/**/\"]}"),
                ErrorCode.BAD_REQUEST, "'namespaces[0]'");
        assertRefused(() -> h.admin("register", "{\"publicKey\":\"" + key + "\",\"type\":\"user\",\"name\":\"x\",\"tags\":[\"a/b\"]}"),
                ErrorCode.BAD_REQUEST, "'tags[0]'");
        assertRefused(() -> h.admin("register", "{\"publicKey\":\"" + key + "\",\"type\":\"user\",\"name\":\"x\","
                + "\"namespaces\":[\"/a/**\",\"/a/b\"]}"), ErrorCode.BAD_REQUEST, "'namespaces'", "overlap");
        assertRefused(() -> h.admin("register", "{\"publicKey\":\"" + key + "\",\"type\":\"user\",\"name\":\"x\","
                + "\"namespaces\":[\"/**\"]}"), ErrorCode.BAD_REQUEST, "'namespaces[0]'", "registry's own keys");
        assertRefused(() -> h.admin("register", "{\"publicKey\":\"" + key + "\",\"type\":\"user\",\"name\":\"x\","
                + "\"namespaces\":[\"/registry/tokens/**\"]}"), ErrorCode.BAD_REQUEST, "registry's own keys");
        assertRefused(() -> h.admin("list", "{\"limit\":0}"), ErrorCode.BAD_REQUEST, "registry.list", "'limit'");
        assertRefused(() -> h.admin("get", "{\"id\":\"alice\"}"), ErrorCode.BAD_REQUEST, "registry.get", "'id'");
        assertThat(h.revision()).isEqualTo(rev);
        assertThat(h.memory.entries()).isEmpty();
    }

    @Test
    void everythingSurvivesARestart() {
        Key a = h.register("a", ",\"tags\":[\"t\"],\"namespaces\":[\"/agents/a/**\"]");
        h.admin("lock", "{\"namespace\":\"/agents/a/**\"}");
        String token = h.login(a);

        h.restart();

        assertThat(h.admin("get", "{\"id\":\"" + a.id() + "\"}").get("name").asText()).isEqualTo("a");
        assertThat(h.validate(token).name()).isEqualTo("ent:" + a.id());
        assertThat(h.admin("namespaces", "{}").get("namespaces").get(0).get("visibility").asText()).isEqualTo("locked");
        assertRefused(() -> h.register("b", ",\"namespaces\":[\"/agents/a/x\"]"), ErrorCode.CONFLICT, "overlaps");
    }

    private static List<String> ids(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("entities").forEach(e -> out.add(e.get("id").asText()));
        return out;
    }
}
