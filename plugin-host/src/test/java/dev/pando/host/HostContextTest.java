package dev.pando.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.Permission;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.PluginContext;
import dev.pando.host.kv.ScopedKv;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.TestHost;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostContextTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);
    private static final JsonNode PAYLOAD = IntNode.valueOf(1);

    private HostServices host;

    @BeforeEach
    void setUp() {
        host = mock(HostServices.class);
    }

    private static PluginManifest manifest(String permissions, String config) {
        return ManifestParser.parse(("{\"id\": \"ab\", \"version\": \"1.0.0\", \"apiVersion\": 1, "
                + "\"permissions\": " + permissions + ", \"config\": " + config + "}").getBytes(StandardCharsets.UTF_8));
    }

    private HostContext context(String permissions) {
        return new HostContext(manifest(permissions, "{}"), host, null, CLOCK);
    }

    private void refused(ThrowingCallable call, ErrorCode code, String... fragments) {
        TestHost.assertRefused(call, code, fragments);
        verifyNoInteractions(host);
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // --- identity and kv ------------------------------------------------------------------------------

    @Test
    void exposesTheManifestAndAScopedKvView() {
        PluginManifest m = manifest("[]", "{}");
        HostContext ctx = new HostContext(m, host, null, CLOCK);
        assertThat(ctx.pluginId()).isEqualTo("ab");
        assertThat(ctx.manifest()).isSameAs(m);
        assertThat(ctx.kv()).isInstanceOf(ScopedKv.class);
        assertThat(ctx.log().getName()).isEqualTo("pando.plugin.ab");

        refused(() -> ctx.kv().set("/_plugins/abc/x", PAYLOAD), ErrorCode.FORBIDDEN);
        ctx.kv().set("/_plugins/ab/x", PAYLOAD);
        verify(host).set("/_plugins/ab/x", PAYLOAD, HostServices.NO_CAS, "plugin:ab");
    }

    // --- publish ---------------------------------------------------------------------------------------

    @Test
    void publishWithoutThePermissionIsForbidden() {
        HostContext ctx = context("[\"clock\", \"log\", \"random\"]");
        refused(() -> ctx.publish("/alerts/x", PAYLOAD), ErrorCode.FORBIDDEN, "plugin 'ab' did not declare the 'publish' permission");
    }

    @Test
    void publishWithThePermissionDelegatesAsThePlugin() {
        HostContext ctx = context("[\"publish\"]");
        ctx.publish("/alerts/x", PAYLOAD);
        verify(host).publish("/alerts/x", PAYLOAD, "plugin:ab");
        verifyNoMoreInteractions(host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/alerts/*", "/alerts/**", "/*", "/**", "/**/x"})
    void wildcardTopicsAreRefused(String topic) {
        HostContext ctx = context("[\"publish\"]");
        refused(() -> ctx.publish(topic, PAYLOAD), ErrorCode.BAD_REQUEST, topic);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "alerts", "/", "/alerts/", "/a//b", "/a/../b", "/a/b*"})
    void malformedTopicsAreRefused(String topic) {
        HostContext ctx = context("[\"publish\"]");
        refused(() -> ctx.publish(topic, PAYLOAD), ErrorCode.BAD_REQUEST);
    }

    @Test
    void nullTopicIsRefused() {
        HostContext ctx = context("[\"publish\"]");
        refused(() -> ctx.publish(null, PAYLOAD), ErrorCode.BAD_REQUEST);
    }

    @Test
    void permissionIsCheckedBeforeTheTopic() {
        HostContext ctx = context("[]");
        refused(() -> ctx.publish("/alerts/*", PAYLOAD), ErrorCode.FORBIDDEN, "'publish' permission");
    }

    // --- clock and require --------------------------------------------------------------------------------

    @Test
    void clockWithoutThePermissionIsForbidden() {
        HostContext ctx = context("[\"publish\"]");
        refused(ctx::clock, ErrorCode.FORBIDDEN, "plugin 'ab' did not declare the 'clock' permission");
    }

    @Test
    void clockWithThePermissionIsTheHostsClock() {
        assertThat(context("[\"clock\"]").clock()).isSameAs(CLOCK);
    }

    @Test
    void requireChecksEachPermission() {
        HostContext none = context("[]");
        HostContext all = context("[\"publish\", \"log\", \"clock\", \"random\", \"feed\", \"identity\", \"replicate\"]");
        for (Permission p : Permission.values()) {
            assertThatThrownBy(() -> none.require(p))
                    .isInstanceOf(PandoException.class)
                    .hasMessageContaining("'" + p.jsonName() + "' permission");
            all.require(p);
        }
    }

    // --- feed, principals, acting for someone -------------------------------------------------------

    @Test
    void feedNeedsItsPermissionAndIsTheCursorNamedAfterThePlugin() {
        refused(() -> context("[]").feed(), ErrorCode.FORBIDDEN, "'feed' permission");
        MemoryHostServices memory = TestHost.services();
        HostContext ctx = new HostContext(manifest("[\"feed\"]", "{}"), memory, null, CLOCK);
        memory.set("/a", PAYLOAD, HostServices.NO_CAS, "user:x");
        memory.set("/b", PAYLOAD, HostServices.NO_CAS, "user:x");
        assertThat(ctx.feed().poll(10)).extracting(c -> c.key()).containsExactly("/a", "/b");
        ctx.feed().commit(1);
        // a fresh handle resumes at the committed position: the cursor is durable, not the handle
        assertThat(ctx.feed().poll(10)).extracting(c -> c.key()).containsExactly("/b");
        assertThat(memory.feed("plugin:ab").position()).isEqualTo(1);
    }

    @Test
    void principalIsTheHostsAnswer() {
        MemoryHostServices memory = TestHost.services();
        memory.principal(TestHost.ADMIN);
        HostContext ctx = new HostContext(manifest("[]", "{}"), memory, null, CLOCK);
        assertThat(ctx.principal(TestHost.ADMIN.name()).may(Access.WRITE, "/x")).isTrue();
        assertThat(ctx.principal("stranger").may(Access.READ, "/x")).isFalse();
    }

    @Test
    void actingAsAttributesWritesAndPublishesToTheActor() {
        MemoryHostServices memory = TestHost.services();
        PluginContext rule = new HostContext(manifest("[\"publish\"]", "{}"), memory, null, CLOCK).actingAs("rule:lights-on");
        assertThat(rule.kv().set("/_plugins/ab/x", PAYLOAD).writer()).isEqualTo("plugin:ab/rule:lights-on");
        rule.publish("/t", PAYLOAD);
        assertThat(memory.published().get(0).publisher()).isEqualTo("plugin:ab/rule:lights-on");
        // still bounded by the manifest: acting for someone grants nothing
        refused(() -> rule.kv().set("/elsewhere", PAYLOAD), ErrorCode.FORBIDDEN);
        for (String bad : new String[] {"", "Rule", "a/b", "-x", "x".repeat(65), null}) {
            refused(() -> context("[]").actingAs(bad), ErrorCode.BAD_REQUEST, "actor");
        }
    }

    // --- config ----------------------------------------------------------------------------------------

    @Test
    void configIsTheManifestsWhenTheOperatorHasNone() {
        PluginManifest m = manifest("[]", "{\"a\": 1, \"b\": {\"x\": true}}");
        HostContext ctx = new HostContext(m, host, null, CLOCK);
        assertThat(ctx.config()).isEqualTo(json("{\"a\": 1, \"b\": {\"x\": true}}"));
        assertThat(new HostContext(manifest("[]", "{}"), host, null, CLOCK).config()).isEqualTo(json("{}"));
    }

    @Test
    void operatorConfigWinsFieldByFieldAndTheManifestIsUnchanged() {
        PluginManifest m = manifest("[]", "{\"a\": 1, \"b\": {\"x\": 1, \"y\": 1}, \"keep\": \"m\"}");
        JsonNode before = m.config().deepCopy();
        JsonNode operator = json("{\"a\": 2, \"b\": {\"y\": 2}, \"extra\": [1, 2]}");

        HostContext ctx = new HostContext(m, host, operator, CLOCK);

        // Top-level fields are replaced whole: the operator's "b" replaces the manifest's "b".
        assertThat(ctx.config()).isEqualTo(json("{\"a\": 2, \"b\": {\"y\": 2}, \"keep\": \"m\", \"extra\": [1, 2]}"));
        assertThat(m.config()).isEqualTo(before);
        assertThat(operator).isEqualTo(json("{\"a\": 2, \"b\": {\"y\": 2}, \"extra\": [1, 2]}"));
    }

    @Test
    void theMergedConfigSharesNoNodesWithItsSources() {
        PluginManifest m = manifest("[]", "{\"m\": {\"x\": 1}}");
        JsonNode operator = json("{\"o\": {\"y\": 1}}");
        HostContext ctx = new HostContext(m, host, operator, CLOCK);

        ((ObjectNode) ctx.config().get("m")).put("x", 99);
        ((ObjectNode) ctx.config().get("o")).put("y", 99);

        assertThat(m.config()).isEqualTo(json("{\"m\": {\"x\": 1}}"));
        assertThat(operator).isEqualTo(json("{\"o\": {\"y\": 1}}"));
    }
}
