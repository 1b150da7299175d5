package dev.pando.host.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.PluginKv;
import dev.pando.host.HostServices;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.TestHost;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScopedKvTest {
    /** Plugin 'ab': reads /sensors and its own prefix, writes only its own prefix. */
    private static final PluginManifest AB = ManifestParser.parse("""
            {"id": "ab", "version": "1.0.0", "apiVersion": 1,
             "kv": {"read": ["/sensors"], "write": ["/_plugins/ab"]}}
            """.getBytes(StandardCharsets.UTF_8));
    private static final String WRITER = "plugin:ab";
    private static final JsonNode VALUE = IntNode.valueOf(7);

    private HostServices host;
    private ScopedKv kv;

    @BeforeEach
    void setUp() {
        host = mock(HostServices.class);
        when(host.scan(anyString(), any(), anyInt(), any())).thenReturn(KvPage.last(List.of()));
        kv = new ScopedKv(AB, host);
    }

    private static KvEntry entry(String key) {
        return new KvEntry(key, VALUE, 3, 1000, "node-1", WRITER);
    }

    private void refused(ThrowingCallable call, ErrorCode code, String... fragments) {
        TestHost.assertRefused(call, code, fragments);
        verifyNoInteractions(host);
    }

    // --- allowed operations delegate unchanged -------------------------------------------------------------

    @Test
    void getInsideAReadPrefixDelegates() {
        when(host.get("/sensors/t1")).thenReturn(Optional.of(entry("/sensors/t1")));
        assertThat(kv.get("/sensors/t1")).contains(entry("/sensors/t1"));
        verify(host).get("/sensors/t1");
        verifyNoMoreInteractions(host);
    }

    @Test
    void getOfThePrefixItselfAndOfWritePrefixesDelegates() {
        when(host.get(anyString())).thenReturn(Optional.empty());
        assertThat(kv.get("/sensors")).isEmpty();
        assertThat(kv.get("/_plugins/ab/state")).isEmpty();
        verify(host).get("/sensors");
        verify(host).get("/_plugins/ab/state");
    }

    @Test
    void setInsideAWritePrefixDelegatesWithoutCasAndWithThePluginAsWriter() {
        when(host.set("/_plugins/ab/n", VALUE, HostServices.NO_CAS, WRITER)).thenReturn(entry("/_plugins/ab/n"));
        assertThat(kv.set("/_plugins/ab/n", VALUE)).isEqualTo(entry("/_plugins/ab/n"));
        verify(host).set("/_plugins/ab/n", VALUE, HostServices.NO_CAS, WRITER);
        verifyNoMoreInteractions(host);
    }

    @Test
    void casSetDelegatesTheRevision() {
        kv.set("/_plugins/ab/n", VALUE, 0);
        kv.set("/_plugins/ab/n", VALUE, 42);
        kv.set("/_plugins/ab", VALUE, Long.MAX_VALUE);
        verify(host).set("/_plugins/ab/n", VALUE, 0, WRITER);
        verify(host).set("/_plugins/ab/n", VALUE, 42, WRITER);
        verify(host).set("/_plugins/ab", VALUE, Long.MAX_VALUE, WRITER);
        verifyNoMoreInteractions(host);
    }

    @Test
    void deleteInsideAWritePrefixDelegates() {
        when(host.delete("/_plugins/ab/n", WRITER)).thenReturn(true);
        assertThat(kv.delete("/_plugins/ab/n")).isTrue();
        assertThat(kv.delete("/_plugins/ab/other")).isFalse();
        verify(host).delete("/_plugins/ab/n", WRITER);
        verify(host).delete("/_plugins/ab/other", WRITER);
        verifyNoMoreInteractions(host);
    }

    @Test
    void hostFailuresPassThrough() {
        when(host.set(anyString(), any(), anyLong(), anyString()))
                .thenThrow(new PandoException(ErrorCode.CONFLICT, "revision is 4"));
        assertThatThrownBy(() -> kv.set("/_plugins/ab/n", VALUE, 3))
                .isInstanceOf(PandoException.class)
                .satisfies(e -> assertThat(((PandoException) e).code()).isEqualTo(ErrorCode.CONFLICT));
    }

    @Test
    void keysAreNeverRewrittenPercentEncodingIsLiteral() {
        // The store never decodes keys, so this is one literal segment inside the plugin's prefix.
        kv.set("/_plugins/ab/%2E%2E%2Fabc", VALUE);
        verify(host).set("/_plugins/ab/%2E%2E%2Fabc", VALUE, HostServices.NO_CAS, WRITER);
    }

    @Test
    void longestValidKeyIsAccepted() {
        String prefix = "/_plugins/ab/";
        String key = prefix + "x".repeat(Keys.MAX_KEY_BYTES - prefix.length());
        assertThat(key.getBytes(StandardCharsets.UTF_8)).hasSize(Keys.MAX_KEY_BYTES);
        kv.set(key, VALUE);
        verify(host).set(key, VALUE, HostServices.NO_CAS, WRITER);
    }

    @Test
    void helpersReturnTheKeyUnchanged() {
        assertThat(kv.readable("/sensors/a")).isEqualTo("/sensors/a");
        assertThat(kv.writable("/_plugins/ab/a")).isEqualTo("/_plugins/ab/a");
        verifyNoInteractions(host);
    }

    // --- refusals never reach the host -------------------------------------------------------------------

    @Test
    void outsideThePrefixesIsForbidden() {
        refused(() -> kv.get("/other/x"), ErrorCode.FORBIDDEN, "plugin 'ab' may not read '/other/x'", "[/sensors, /_plugins/ab]");
        refused(() -> kv.set("/other/x", VALUE), ErrorCode.FORBIDDEN, "plugin 'ab' may not write '/other/x'", "[/_plugins/ab]");
        refused(() -> kv.delete("/other/x"), ErrorCode.FORBIDDEN, "may not write");
    }

    @Test
    void readOnlyPrefixIsNotWritable() {
        refused(() -> kv.set("/sensors/t1", VALUE), ErrorCode.FORBIDDEN, "may not write '/sensors/t1'");
        refused(() -> kv.set("/sensors/t1", VALUE, 0), ErrorCode.FORBIDDEN, "may not write");
        refused(() -> kv.delete("/sensors/t1"), ErrorCode.FORBIDDEN, "may not write");
    }

    static Stream<Arguments> escapes() {
        return Stream.of(
                // another plugin, and the segment-boundary trick
                Arguments.of("/_plugins/other/x", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/abc/x", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/abc", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/a", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/AB/x", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins", ErrorCode.FORBIDDEN),
                Arguments.of("/_sys/node", ErrorCode.FORBIDDEN),
                Arguments.of("/sensorsX/t1", ErrorCode.FORBIDDEN),
                // dot segments are refused, not resolved
                Arguments.of("/_plugins/ab/../abc/x", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/..", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/./x", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/x/.", ErrorCode.BAD_REQUEST),
                Arguments.of("/sensors/../_sys/x", ErrorCode.BAD_REQUEST),
                // encodings and look-alikes of '/' are literal characters, so they stay outside
                Arguments.of("/_plugins/ab%2F..%2Fabc/x", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/ab%2fx", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/ab\u2215x", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/ab\\x", ErrorCode.FORBIDDEN),
                // non-canonical spellings
                Arguments.of("//_plugins/ab/x", ErrorCode.BAD_REQUEST),
                Arguments.of("//a", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins//ab/x", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/x/", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/", ErrorCode.BAD_REQUEST),
                Arguments.of("", ErrorCode.BAD_REQUEST),
                Arguments.of(null, ErrorCode.BAD_REQUEST),
                Arguments.of("/", ErrorCode.BAD_REQUEST),
                Arguments.of("_plugins/ab/x", ErrorCode.BAD_REQUEST),
                Arguments.of(" /_plugins/ab/x", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/*", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/**", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/" + "x".repeat(Keys.MAX_KEY_BYTES), ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/x\u0000", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/x\ny", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/\u007f", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab/\ud800", ErrorCode.BAD_REQUEST));
    }

    @ParameterizedTest
    @MethodSource("escapes")
    void escapeAttemptsOnGet(String key, ErrorCode code) {
        refused(() -> kv.get(key), code);
    }

    @ParameterizedTest
    @MethodSource("escapes")
    void escapeAttemptsOnSet(String key, ErrorCode code) {
        refused(() -> kv.set(key, VALUE), code);
        refused(() -> kv.set(key, VALUE, 1), code);
    }

    @ParameterizedTest
    @MethodSource("escapes")
    void escapeAttemptsOnDelete(String key, ErrorCode code) {
        refused(() -> kv.delete(key), code);
    }

    @Test
    void scanCursorIsPassedThroughOpaque() {
        // The cursor only positions a scan; the store still applies the checked query.
        kv.scan("/sensors", "L3NlbnNvcnMvYQ", 10);
        verify(host).scan(eq("/sensors"), eq("L3NlbnNvcnMvYQ"), eq(10), any());
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, -2, Long.MIN_VALUE})
    void casWithANegativeRevisionIsRefused(long revision) {
        refused(() -> kv.set("/_plugins/ab/n", VALUE, revision), ErrorCode.BAD_REQUEST, "ifRevision", String.valueOf(revision));
    }

    static Stream<JsonNode> nullValues() {
        return Stream.of(null, NullNode.getInstance(), MissingNode.getInstance());
    }

    @ParameterizedTest
    @MethodSource("nullValues")
    void nullValuesAreRefused(JsonNode value) {
        refused(() -> kv.set("/_plugins/ab/n", value), ErrorCode.BAD_REQUEST, "other than null");
        refused(() -> kv.set("/_plugins/ab/n", value, 0), ErrorCode.BAD_REQUEST, "other than null");
    }

    // --- scan ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/sensors", "/sensors/t1", "/_plugins/ab", "/_plugins/ab/x",
        "/sensors/*", "/sensors/**", "/sensors/*/temp", "/sensors/**/temp", "/_plugins/ab/**"})
    void scanWithinTheReadPrefixesDelegates(String query) {
        KvPage page = KvPage.last(List.of());
        when(host.scan(eq(query), isNull(), eq(50), any())).thenReturn(page);
        assertThat(kv.scan(query, null, 50)).isSameAs(page);
        verify(host).scan(eq(query), isNull(), eq(50), any());
        verifyNoMoreInteractions(host);
    }

    @Test
    void scanWithACursorInsideTheReadPrefixesDelegates() {
        kv.scan("/sensors", "/sensors/t5", 1);
        kv.scan("/sensors/*", "/sensors/t5", ScopedKv.MAX_SCAN_LIMIT);
        verify(host).scan(eq("/sensors"), eq("/sensors/t5"), eq(1), any());
        verify(host).scan(eq("/sensors/*"), eq("/sensors/t5"), eq(ScopedKv.MAX_SCAN_LIMIT), any());
        verifyNoMoreInteractions(host);
    }

    static Stream<Arguments> badScans() {
        return Stream.of(
                Arguments.of("/", ErrorCode.FORBIDDEN),
                Arguments.of("/**", ErrorCode.FORBIDDEN),
                Arguments.of("/*", ErrorCode.FORBIDDEN),
                Arguments.of("/*/t1", ErrorCode.FORBIDDEN),
                Arguments.of("/**/sensors", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/*", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/**", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/*/x", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/abc", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/abc/**", ErrorCode.FORBIDDEN),
                Arguments.of("/_sys/**", ErrorCode.FORBIDDEN),
                Arguments.of("/sensorsX", ErrorCode.FORBIDDEN),
                Arguments.of("/_plugins/a*", ErrorCode.BAD_REQUEST),
                Arguments.of("/_plugins/ab*", ErrorCode.BAD_REQUEST),
                Arguments.of("/sensors*", ErrorCode.BAD_REQUEST),
                Arguments.of("/sensors/***", ErrorCode.BAD_REQUEST),
                Arguments.of("/sensors/", ErrorCode.BAD_REQUEST),
                Arguments.of("/sensors//x", ErrorCode.BAD_REQUEST),
                Arguments.of("/sensors/../_sys", ErrorCode.BAD_REQUEST),
                Arguments.of("/sensors/../**", ErrorCode.BAD_REQUEST),
                Arguments.of("sensors", ErrorCode.BAD_REQUEST),
                Arguments.of("", ErrorCode.BAD_REQUEST),
                Arguments.of(null, ErrorCode.BAD_REQUEST));
    }

    @ParameterizedTest
    @MethodSource("badScans")
    void scanOutsideTheReadPrefixesIsRefused(String query, ErrorCode code) {
        refused(() -> kv.scan(query, null, 10), code);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, ScopedKv.MAX_SCAN_LIMIT + 1, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void scanWithABadLimitIsRefused(int limit) {
        refused(() -> kv.scan("/sensors", null, limit), ErrorCode.BAD_REQUEST, "scan limit must be between 1 and 1000", String.valueOf(limit));
    }

    @Test
    void valuesOtherThanNullAreAccepted() {
        kv.set("/_plugins/ab/s", TextNode.valueOf(""));
        kv.set("/_plugins/ab/z", IntNode.valueOf(0));
        verify(host).set("/_plugins/ab/s", TextNode.valueOf(""), HostServices.NO_CAS, WRITER);
        verify(host).set("/_plugins/ab/z", IntNode.valueOf(0), HostServices.NO_CAS, WRITER);
    }

    @Test
    void aRootReaderSeesEverythingButSysAndOtherPluginsKeys() {
        MemoryHostServices memory = TestHost.services();
        for (String key : List.of("/a", "/_sys/secret", "/_plugins/other/x", "/_plugins/wide/mine", "/z")) {
            memory.set(key, JsonNodeFactory.instance.numberNode(1), HostServices.NO_CAS, "test");
        }
        PluginManifest wide = TestHost.manifest("{\"id\":\"wide\",\"version\":\"1.0.0\",\"apiVersion\":1,\"kv\":{\"write\":[\"/\"]}}");
        ScopedKv root = new ScopedKv(wide, memory);
        assertThat(root.scan("/**", null, 100).entries()).extracting(KvEntry::key)
                .containsExactly("/_plugins/wide/mine", "/a", "/z");
        assertThat(root.scan("/", null, 100).entries()).extracting(KvEntry::key)
                .containsExactly("/_plugins/wide/mine", "/a", "/z");
        TestHost.assertRefused(() -> root.get("/_sys/secret"), ErrorCode.FORBIDDEN);
        TestHost.assertRefused(() -> root.set("/_plugins/other/x", JsonNodeFactory.instance.numberNode(2)), ErrorCode.FORBIDDEN);
        assertThat(root.set("/anywhere/else", JsonNodeFactory.instance.numberNode(2)).key()).isEqualTo("/anywhere/else");
    }

    // --- atomic batches --------------------------------------------------------------------------------------

    @Test
    void anAtomicBatchInsideTheWritePrefixesDelegatesWholeWithThePluginAsWriter() {
        List<KvWrite> writes = List.of(KvWrite.set("/_plugins/ab/a", VALUE), KvWrite.set("/_plugins/ab/b", VALUE, 0),
                KvWrite.delete("/_plugins/ab/c"));
        List<KvChange> committed = List.of(new KvChange("/_plugins/ab/a", VALUE, 4, 1000, "node-1", WRITER));
        when(host.apply(writes, WRITER)).thenReturn(committed);
        assertThat(kv.apply(writes)).isEqualTo(committed);
        verify(host).apply(writes, WRITER);
        verifyNoMoreInteractions(host);
        assertThat(kv.apply(List.of())).isEmpty();
        verifyNoMoreInteractions(host);
    }

    @Test
    void anUnpublishedBatchUnderTheOwnPrefixDelegatesWhole() {
        List<KvWrite> writes = List.of(KvWrite.set("/_plugins/ab/i", VALUE), KvWrite.delete("/_plugins/ab/j"));
        List<KvChange> committed = List.of(new KvChange("/_plugins/ab/i", VALUE, 4, 1000, "node-1", WRITER));
        when(host.applyUnpublished(writes, WRITER)).thenReturn(committed);
        assertThat(kv.applyUnpublished(writes)).isEqualTo(committed);
        verify(host).applyUnpublished(writes, WRITER);
        verifyNoMoreInteractions(host);
    }

    @Test
    void anUnpublishedWriteOutsideTheOwnPrefixIsRefusedEvenWhereThePluginMayWrite() {
        PluginManifest wide = TestHost.manifest("{\"id\":\"wide\",\"version\":\"1.0.0\",\"apiVersion\":1,\"kv\":{\"write\":[\"/shared\"]}}");
        ScopedKv scoped = new ScopedKv(wide, host);
        refused(() -> scoped.applyUnpublished(List.of(KvWrite.set("/_plugins/wide/ok", VALUE), KvWrite.set("/shared/x", VALUE))),
                ErrorCode.FORBIDDEN, "'/shared/x'", "/_plugins/wide");
        refused(() -> scoped.applyUnpublished(List.of(KvWrite.set("/_plugins/widest/x", VALUE))), ErrorCode.FORBIDDEN);
        refused(() -> scoped.applyUnpublished(List.of(KvWrite.set("/_plugins/wide/../x", VALUE))), ErrorCode.BAD_REQUEST);
        assertThat(scoped.set("/shared/x", VALUE)).isNull(); // published, the same key is fine (the mock answers null)
    }

    @Test
    void unpublishedWritesLeaveNoChangeBehindInTheMemoryHost() {
        MemoryHostServices memory = TestHost.services();
        ScopedKv scoped = new ScopedKv(AB, memory);
        scoped.set("/_plugins/ab/seen", VALUE);
        List<KvChange> quiet = scoped.applyUnpublished(List.of(KvWrite.set("/_plugins/ab/quiet", VALUE)));
        assertThat(quiet.get(0).revision()).isEqualTo(2);
        assertThat(scoped.get("/_plugins/ab/quiet")).isPresent();
        assertThat(memory.changes()).extracting(KvChange::key).containsExactly("/_plugins/ab/seen");
    }

    @Test
    void anAtomicBatchWithOneBadWriteNeverReachesTheHost() {
        KvWrite ok = KvWrite.set("/_plugins/ab/ok", VALUE);
        refused(() -> kv.apply(List.of(ok, KvWrite.set("/sensors/t1", VALUE))), ErrorCode.FORBIDDEN, "may not write '/sensors/t1'");
        refused(() -> kv.apply(List.of(ok, KvWrite.delete("/_plugins/abc/x"))), ErrorCode.FORBIDDEN, "may not write '/_plugins/abc/x'");
        refused(() -> kv.apply(List.of(ok, KvWrite.set("/_plugins/ab/../x", VALUE))), ErrorCode.BAD_REQUEST, "invalid key");
        refused(() -> kv.apply(List.of(ok, KvWrite.set("/_plugins/ab/n", NullNode.getInstance()))), ErrorCode.BAD_REQUEST, "null");
        refused(() -> kv.apply(java.util.Arrays.asList(ok, null)), ErrorCode.BAD_REQUEST, "write 1 of the batch is null");
        refused(() -> kv.apply(null), ErrorCode.BAD_REQUEST, "null");
        assertThatThrownBy(() -> KvWrite.set("/_plugins/ab/n", VALUE, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAtomicBatchHoldsAtMostMaxApplyWrites() {
        List<KvWrite> atLimit = new java.util.ArrayList<>();
        for (int i = 0; i < PluginKv.MAX_APPLY_WRITES; i++) {
            atLimit.add(KvWrite.set("/_plugins/ab/" + i, VALUE));
        }
        List<KvWrite> onePast = new java.util.ArrayList<>(atLimit);
        onePast.add(KvWrite.set("/_plugins/ab/last", VALUE));
        refused(() -> kv.apply(onePast), ErrorCode.TOO_LARGE, "at most " + PluginKv.MAX_APPLY_WRITES, String.valueOf(onePast.size()));
        when(host.apply(atLimit, WRITER)).thenReturn(List.of());
        kv.apply(atLimit);
        verify(host).apply(atLimit, WRITER);
    }

    /** Every write of a batch counts against the budgets, charged all at once: a batch over either writes nothing. */
    @Test
    void anAtomicBatchIsChargedEveryWriteAndRefusedWholeOverBudget() {
        WriteBudget budget = new WriteBudget("ab", new WriteBudget.Limits(5, 8));
        ScopedKv budgeted = new ScopedKv(AB, host, WRITER, budget);
        List<KvWrite> three = List.of(KvWrite.set("/_plugins/ab/1", VALUE), KvWrite.set("/_plugins/ab/2", VALUE), KvWrite.delete("/_plugins/ab/3"));
        try (WriteBudget.CallScope call = budget.openCall()) {
            budgeted.apply(three);
            TestHost.assertRefused(() -> budgeted.apply(three), ErrorCode.TOO_LARGE, "a batch of 3 writes", "past 5 writes in one call",
                    "none of it was written");
            budgeted.set("/_plugins/ab/4", VALUE);
            budgeted.set("/_plugins/ab/5", VALUE); // 5 of 5: the earlier refusal charged nothing
            TestHost.assertRefused(() -> budgeted.set("/_plugins/ab/6", VALUE), ErrorCode.TOO_LARGE, "more than 5 writes in one call");
        }
        try (WriteBudget.CallScope call = budget.openCall()) {
            budgeted.apply(List.of(KvWrite.set("/_plugins/ab/7", VALUE)));
            // 8 of 8 this second now; a batch of 3 would pass it
            TestHost.assertRefused(() -> budgeted.apply(three), ErrorCode.RATE_LIMITED, "a batch of 3 writes", "past 8 writes in a second");
        }
        verify(host).apply(three, WRITER); // once: the refused batches never reached it
        verify(host).apply(List.of(KvWrite.set("/_plugins/ab/7", VALUE)), WRITER);
        verify(host, org.mockito.Mockito.times(2)).set(anyString(), any(), anyLong(), anyString());
        verifyNoMoreInteractions(host);
    }
}
