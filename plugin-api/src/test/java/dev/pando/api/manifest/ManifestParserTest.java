package dev.pando.api.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestParserTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    // --- helpers ------------------------------------------------------------------------------------

    /** JSON written with single quotes for readability. */
    private static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static PluginManifest parse(String json) {
        return ManifestParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static PluginManifest parse(String json, ManifestCaps caps) {
        return ManifestParser.parse(json.getBytes(StandardCharsets.UTF_8), caps);
    }

    /** The smallest valid manifest for plugin {@code id}, plus {@code extra} root fields (single-quoted JSON). */
    private static String manifest(String id, String extra) {
        return q("{'id':'" + id + "','version':'1.0.0','apiVersion':1" + (extra.isEmpty() ? "" : "," + extra) + "}");
    }

    private static String counter(String extra) {
        return manifest("counter", extra);
    }

    private static String jsonArray(Stream<String> items) {
        return items.map(s -> "'" + s + "'").collect(Collectors.joining(",", "[", "]"));
    }

    /**
     * Asserts that parsing fails with BAD_REQUEST and a message of the form
     * {@code manifest <field>: <problem>}, containing {@code problem}.
     */
    private static AbstractThrowableAssert<?, ? extends Throwable> refused(String json, String field, String problem) {
        return refused(json, ManifestCaps.DEFAULT, field, problem);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(String json, ManifestCaps caps, String field, String problem) {
        String start = field.isEmpty() ? "manifest " : "manifest " + field + ": ";
        return assertThatThrownBy(() -> parse(json, caps))
                .isInstanceOf(ManifestException.class)
                .satisfies(e -> assertThat(((PandoException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageStartingWith(start)
                .hasMessageContaining(problem);
    }

    // --- valid manifests ------------------------------------------------------------------------------

    @Test
    void fullManifestParsesToTheExpectedRecord() {
        String json = q("""
                { 'id': 'counter', 'version': '1.2.3-beta.1', 'apiVersion': 1, 'description': 'Counts things',
                  'ops': [ {'name': 'counter.incr', 'export': 'do_incr', 'scope': 'write'},
                           {'name': 'counter.get', 'scope': 'read'},
                           {'name': 'counter.health', 'scope': 'none'},
                           {'name': 'counter.reset-all', 'scope': 'admin'} ],
                  'listens': { 'changes': ['/sensors/**', '/_plugins/counter/*'], 'events': ['/alerts/*'] },
                  'kv': { 'read': ['/sensors'], 'write': ['/_plugins/counter', '/out/'] },
                  'permissions': ['publish', 'log', 'clock', 'random'],
                  'limits': { 'memoryPages': 64, 'callTimeoutMs': 500, 'instances': 2 },
                  'config': { 'step': 2, 'names': ['a', 'b'], 'nested': {'x': true} } }
                """);

        PluginManifest m = parse(json);

        ObjectNode config = MAPPER.createObjectNode();
        config.put("step", 2);
        config.putArray("names").add("a").add("b");
        config.putObject("nested").put("x", true);
        PluginManifest expected = new PluginManifest("counter", "1.2.3-beta.1", 1, "Counts things",
                List.of(new OpDecl("counter.incr", "do_incr", Access.WRITE),
                        new OpDecl("counter.get", "get", Access.READ),
                        new OpDecl("counter.health", "health", Access.NONE),
                        new OpDecl("counter.reset-all", "reset_all", Access.ADMIN)),
                List.of("/sensors/**", "/_plugins/counter/*"),
                List.of("/alerts/*"),
                List.of("/sensors", "/_plugins/counter", "/out"),
                List.of("/_plugins/counter", "/out"),
                Set.of(Permission.PUBLISH, Permission.LOG, Permission.CLOCK, Permission.RANDOM),
                new Limits(64, 500, 2),
                config);
        assertThat(m).isEqualTo(expected);
        assertThat(m.op("counter.get")).map(OpDecl::verb).contains("get");
        assertThat(m.op("counter.nope")).isEmpty();
        assertThat(m.has(Permission.CLOCK)).isTrue();
    }

    @Test
    void minimalManifestGetsTheDefaults() {
        PluginManifest m = parse(counter(""));

        assertThat(m.id()).isEqualTo("counter");
        assertThat(m.version()).isEqualTo("1.0.0");
        assertThat(m.apiVersion()).isEqualTo(PluginManifest.API_VERSION);
        assertThat(m.description()).isEmpty();
        assertThat(m.ops()).isEmpty();
        assertThat(m.listenChanges()).isEmpty();
        assertThat(m.listenEvents()).isEmpty();
        assertThat(m.kvRead()).containsExactly("/_plugins/counter");
        assertThat(m.kvWrite()).containsExactly("/_plugins/counter");
        assertThat(m.defaultPrefix()).isEqualTo("/_plugins/counter");
        assertThat(m.permissions()).isEmpty();
        assertThat(m.limits()).isEqualTo(Limits.DEFAULT);
        assertThat(m.config()).isEqualTo(MAPPER.createObjectNode());
    }

    @Test
    void emptyKvSectionMeansTheDefaultPrefix() {
        PluginManifest m = parse(counter(q("'kv': {}")));
        assertThat(m.kvRead()).containsExactly("/_plugins/counter");
        assertThat(m.kvWrite()).containsExactly("/_plugins/counter");
    }

    @Test
    void readOnlyKvKeepsWritingTheDefaultPrefix() {
        PluginManifest m = parse(counter(q("'kv': {'read': ['/sensors']}")));
        assertThat(m.kvRead()).containsExactly("/sensors", "/_plugins/counter");
        assertThat(m.kvWrite()).containsExactly("/_plugins/counter");
    }

    @Test
    void writePrefixesAreAlwaysReadable() {
        PluginManifest both = parse(counter(q("'kv': {'read': ['/sensors'], 'write': ['/out', '/sensors/x']}")));
        assertThat(both.kvWrite()).containsExactly("/out", "/sensors/x");
        assertThat(both.kvRead()).containsAll(both.kvWrite()).contains("/sensors");
        assertThat(both.mayRead("/out/1")).isTrue();

        PluginManifest writeOnly = parse(counter(q("'kv': {'write': ['/out']}")));
        assertThat(writeOnly.kvWrite()).containsExactly("/out");
        assertThat(writeOnly.kvRead()).containsAll(writeOnly.kvWrite());
    }

    @Test
    void mayReadAndMayWriteRespectSegmentBoundaries() {
        PluginManifest m = parse(manifest("ab", q("'kv': {'read': ['/sensors'], 'write': ['/_plugins/ab']}")));
        assertThat(m.mayRead("/sensors")).isTrue();
        assertThat(m.mayRead("/sensors/t1")).isTrue();
        assertThat(m.mayRead("/sensorsX")).isFalse();
        assertThat(m.mayWrite("/_plugins/ab/x")).isTrue();
        assertThat(m.mayWrite("/_plugins/abc/x")).isFalse();
        assertThat(m.mayWrite("/sensors/t1")).isFalse();
    }

    @Test
    void trailingSlashIsNormalisedAndDuplicatesCollapse() {
        PluginManifest m = parse(counter(q("'kv': {'read': ['/a/b/', '/a/b', '/c/'], 'write': ['/w/', '/w']}")));
        assertThat(m.kvRead()).containsExactly("/a/b", "/c", "/w");
        assertThat(m.kvWrite()).containsExactly("/w");
        assertThat(ManifestAccess.normalisePrefix("/a/b/")).isEqualTo("/a/b");
        assertThat(ManifestAccess.normalisePrefix("/a/b")).isEqualTo("/a/b");
    }

    @Test
    void ownPrivatePrefixAndBelowAreAccepted() {
        PluginManifest m = parse(manifest("ab", q("'kv': {'read': ['/_plugins/ab/x'], 'write': ['/_plugins/ab', '/_plugins/ab/y/z']}")));
        assertThat(m.kvRead()).containsExactly("/_plugins/ab/x", "/_plugins/ab", "/_plugins/ab/y/z");
        assertThat(m.kvWrite()).containsExactly("/_plugins/ab", "/_plugins/ab/y/z");
    }

    @Test
    void prefixesThatOnlyLookLikeReservedRootsAreOrdinary() {
        PluginManifest m = parse(counter(q("'kv': {'read': ['/_system', '/_sysx/y'], 'write': ['/_pluginsX']}")));
        assertThat(m.kvRead()).contains("/_system", "/_sysx/y", "/_pluginsX");
    }

    @Test
    void limitsDefaultAndAreMinnedToTheCaps() {
        ManifestCaps small = new ManifestCaps(100, 500, 2);
        assertThat(parse(counter(""), small).limits()).isEqualTo(new Limits(100, 500, 2));
        assertThat(parse(counter(q("'limits': {}")), small).limits()).isEqualTo(new Limits(100, 500, 2));
        assertThat(parse(counter(q("'limits': {'instances': 1}")), small).limits()).isEqualTo(new Limits(100, 500, 1));

        ManifestCaps big = new ManifestCaps(10_000, 60_000, 64);
        assertThat(parse(counter(""), big).limits()).isEqualTo(Limits.DEFAULT);
        assertThat(parse(counter(q("'limits': {'memoryPages': 10000, 'callTimeoutMs': 60000, 'instances': 64}")), big).limits())
                .isEqualTo(new Limits(10_000, 60_000, 64));
        assertThat(parse(counter(q("'limits': {'memoryPages': 1, 'callTimeoutMs': 1, 'instances': 1}"))).limits())
                .isEqualTo(new Limits(1, 1, 1));
    }

    @Test
    void exportDefaultsFromTheVerbAndScopeDefaultsToWrite() {
        PluginManifest m = parse(counter(q("'ops': [{'name': 'counter.incr'}, {'name': 'counter.incr-by'}, {'name': 'counter.a.b'}]")));
        assertThat(m.ops()).containsExactly(
                new OpDecl("counter.incr", "incr", Access.WRITE),
                new OpDecl("counter.incr-by", "incr_by", Access.WRITE),
                new OpDecl("counter.a.b", "a_b", Access.WRITE));
        assertThat(m.ops().get(2).verb()).isEqualTo("a.b");
    }

    @Test
    void listensMayUseReadAndWritePrefixes() {
        PluginManifest m = parse(counter(q("""
                'kv': {'read': ['/sensors'], 'write': ['/out']},
                'listens': {'changes': ['/sensors', '/sensors/*/temp', '/out/**', '/out/*/x/**'], 'events': ['/anything/**', '/**']}
                """)));
        assertThat(m.listenChanges()).containsExactly("/sensors", "/sensors/*/temp", "/out/**", "/out/*/x/**");
        assertThat(m.listenEvents()).containsExactly("/anything/**", "/**");
    }

    @Test
    void declaringKvReadAndWriteKeepsTheOwnPrivatePrefix() {
        // docs/plugin-abi.md: every plugin keeps /_plugins/<id>, whatever it declares.
        PluginManifest m = parse(counter(q("'kv': {'read': ['/sensors'], 'write': ['/out']}, 'listens': {'changes': ['/_plugins/counter/**']}")));
        assertThat(m.mayRead("/_plugins/counter")).isTrue();
        assertThat(m.mayRead("/_plugins/counter/state")).isTrue();
        assertThat(m.mayWrite("/_plugins/counter/state")).isTrue();
        assertThat(m.mayWrite("/_plugins/counterx/state")).isFalse();
        assertThat(m.mayRead("/_plugins/other/state")).isFalse();
        assertThat(m.mayWrite("/sensors/t1")).isFalse();
    }

    @Test
    void listenersDoNotHearTheirOwnWritesUnlessTheyAsk() {
        assertThat(parse(counter(q("'listens': {'changes': ['/_plugins/counter/**']}"))).listenOwn()).isFalse();
        assertThat(parse(counter(q("'listens': {'changes': ['/_plugins/counter/**'], 'includeOwn': true}"))).listenOwn()).isTrue();
        assertThat(parse(counter(q("'listens': {'includeOwn': false}"))).listenOwn()).isFalse();
        refused(counter(q("'listens': {'includeOwn': 'yes'}")), "listens.includeOwn", "must be true or false");
        refused(counter(q("'listens': {'includeOwn': 1}")), "listens.includeOwn", "must be true or false");
        refused(counter(q("'listens': {'includeOwn': null}")), "listens.includeOwn", "must be true or false");
    }

    @Test
    void ownWritersAreThePluginAndItsActors() {
        PluginManifest m = parse(counter(""));
        assertThat(m.isOwnWriter("plugin:counter")).isTrue();
        assertThat(m.isOwnWriter("plugin:counter/rule:x")).isTrue();
        assertThat(m.isOwnWriter("plugin:counterx")).isFalse();
        assertThat(m.isOwnWriter("admin")).isFalse();
        assertThat(m.isOwnWriter(null)).isFalse();
    }

    @Test
    void permissionsAreParsedAndDuplicatesCollapse() {
        PluginManifest m = parse(counter(q("'permissions': ['clock', 'publish', 'clock']")));
        assertThat(m.permissions()).containsExactlyInAnyOrder(Permission.CLOCK, Permission.PUBLISH);
        assertThat(Permission.PUBLISH.jsonName()).isEqualTo("publish");
    }

    @Test
    void configIsCopiedFromTheInputTree() throws Exception {
        ObjectNode root = (ObjectNode) MAPPER.readTree(counter(q("'config': {'a': {'b': 1}}")));
        PluginManifest m = ManifestParser.parse(root, ManifestCaps.DEFAULT);
        ((ObjectNode) root.get("config").get("a")).put("b", 99);
        assertThat(m.config().at("/a/b").asInt()).isEqualTo(1);
    }

    @Test
    void manifestOfExactlyTheSizeLimitIsAccepted() {
        String base = counter("");
        String padded = base + " ".repeat(ManifestParser.MAX_MANIFEST_BYTES - base.length());
        assertThat(padded.getBytes(StandardCharsets.UTF_8)).hasSize(ManifestParser.MAX_MANIFEST_BYTES);
        assertThat(parse(padded).id()).isEqualTo("counter");
    }

    @Test
    void limitsOfManyOpsPrefixesAndPatternsAreInclusive() {
        String ops = IntStream.range(0, ManifestParser.MAX_OPS)
                .mapToObj(i -> "{'name':'counter.op" + i + "'}").collect(Collectors.joining(",", "[", "]"));
        assertThat(parse(counter(q("'ops': " + ops))).ops()).hasSize(ManifestParser.MAX_OPS);

        String prefixes = jsonArray(IntStream.range(0, ManifestParser.MAX_PREFIXES).mapToObj(i -> "/p" + i));
        assertThat(parse(counter(q("'kv': {'read': " + prefixes + "}"))).kvRead()).hasSize(ManifestParser.MAX_PREFIXES + 1);

        String patterns = jsonArray(IntStream.range(0, ManifestParser.MAX_LISTEN_PATTERNS).mapToObj(i -> "/e" + i + "/*"));
        assertThat(parse(counter(q("'listens': {'events': " + patterns + "}"))).listenEvents()).hasSize(ManifestParser.MAX_LISTEN_PATTERNS);
    }

    // --- not a manifest at all -----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"{", "{'id': }", "not json", "{'id':'counter',}", "\u0000"})
    void notJson(String text) {
        refused(q(text), "", "is not valid JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "42", "'counter'", "null", "true", "", "   "})
    void notAnObject(String text) {
        refused(q(text), "", "must be a JSON object");
    }

    @Test
    void jsonNodeEntryPointRefusesNonObjects() {
        assertThatThrownBy(() -> ManifestParser.parse((JsonNode) null, ManifestCaps.DEFAULT))
                .isInstanceOf(ManifestException.class).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> ManifestParser.parse(MAPPER.createArrayNode(), ManifestCaps.DEFAULT))
                .isInstanceOf(ManifestException.class).hasMessageContaining("must be a JSON object");
    }

    @Test
    void tooLarge() {
        String base = counter("");
        String padded = base + " ".repeat(ManifestParser.MAX_MANIFEST_BYTES - base.length() + 1);
        refused(padded, "", "is " + (ManifestParser.MAX_MANIFEST_BYTES + 1) + " bytes; the limit is " + ManifestParser.MAX_MANIFEST_BYTES);
    }

    @Test
    void duplicateFieldsAreRefusedNotSilentlyOverwritten() {
        // Jackson's default keeps the last value: a reviewer reading the first 'kv' would approve
        // prefixes other than the ones the node grants.
        refused(q("{'id':'counter','version':'1.0.0','apiVersion':1,'kv':{'write':['/_plugins/counter']},'kv':{'write':['/everything']}}"),
                "", "Duplicate field 'kv'");
        refused(counter(q("'ops': [{'name':'counter.a','scope':'none','scope':'admin'}]")), "", "Duplicate field 'scope'");
    }

    @Test
    void trailingContentIsRefused() {
        refused(counter("") + q("{'id':'other'}"), "", "is not valid JSON");
        refused(counter("") + " x", "", "is not valid JSON");
    }

    // --- unknown fields ----------------------------------------------------------------------------

    static Stream<Arguments> unknownFields() {
        return Stream.of(
                Arguments.of(counter(q("'bogus': 1")), "bogus", "known fields: id, version, apiVersion"),
                Arguments.of(counter(q("'Id': 'x'")), "Id", "unknown field"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a', 'bogus': 1}]")), "ops[0].bogus", "known fields of ops[0]: name, export, scope"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a'}, {'name': 'counter.b', 'exports': 'b'}]")), "ops[1].exports", "unknown field"),
                Arguments.of(counter(q("'kv': {'read': [], 'writes': []}")), "kv.writes", "known fields of kv: read, write"),
                Arguments.of(counter(q("'listens': {'change': []}")), "listens.change", "known fields of listens: changes, events"),
                Arguments.of(counter(q("'limits': {'memory': 1}")), "limits.memory", "known fields of limits: memoryPages, callTimeoutMs, instances"));
    }

    @ParameterizedTest
    @MethodSource("unknownFields")
    void unknownFieldsAreNamedWithTheirPath(String json, String field, String known) {
        refused(json, field, "unknown field").hasMessageContaining(known);
    }

    // --- id, version, apiVersion, description ------------------------------------------------------------

    static Stream<Arguments> badHeader() {
        return Stream.of(
                Arguments.of(q("{'version':'1.0.0','apiVersion':1}"), "id", "is required and must be a non-empty string"),
                Arguments.of(q("{'id':'','version':'1.0.0','apiVersion':1}"), "id", "is required"),
                Arguments.of(q("{'id':42,'version':'1.0.0','apiVersion':1}"), "id", "must be a non-empty string"),
                Arguments.of(q("{'id':null,'version':'1.0.0','apiVersion':1}"), "id", "must be a non-empty string"),
                Arguments.of(q("{'id':'counter','apiVersion':1}"), "version", "is required and must be a non-empty string"),
                Arguments.of(q("{'id':'counter','version':1,'apiVersion':1}"), "version", "must be a non-empty string"),
                Arguments.of(q("{'id':'counter','version':'1.0.0'}"), "apiVersion", "is required and must be an integer"),
                Arguments.of(q("{'id':'counter','version':'1.0.0','apiVersion':'1'}"), "apiVersion", "must be an integer"),
                Arguments.of(q("{'id':'counter','version':'1.0.0','apiVersion':1.5}"), "apiVersion", "must be an integer"),
                Arguments.of(q("{'id':'counter','version':'1.0.0','apiVersion':2}"), "apiVersion", "2 is not supported; this node speaks 1"),
                Arguments.of(q("{'id':'counter','version':'1.0.0','apiVersion':0}"), "apiVersion", "is not supported"),
                Arguments.of(q("{'id':'counter','version':'1.0.0','apiVersion':-1}"), "apiVersion", "is not supported"),
                // 2^32 + 1 truncates to 1 as an int: must not be mistaken for version 1.
                Arguments.of(q("{'id':'counter','version':'1.0.0','apiVersion':4294967297}"), "apiVersion", "4294967297 is not supported"),
                Arguments.of(q("{'id':'counter','version':'1.0.0','apiVersion':18446744073709551617}"), "apiVersion", "is not supported"),
                Arguments.of(counter(q("'description': 5")), "description", "must be a string"),
                Arguments.of(counter(q("'description': '" + "x".repeat(1025) + "'")), "description", "longer than 1024 characters"));
    }

    @ParameterizedTest
    @MethodSource("badHeader")
    void badHeaderFields(String json, String field, String problem) {
        refused(json, field, problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Counter", "COUNTER", "1abc", "-abc", "_abc", "a b", "a.b", "a/b", "ab!", "café"})
    void malformedIds(String id) {
        refused(manifest(id, ""), "id", "'" + id + "' must be lowercase letters, digits, '-' or '_', starting with a letter");
    }

    @Test
    void idLengthLimit() {
        assertThat(parse(manifest("a".repeat(64), "")).id()).hasSize(64);
        refused(manifest("a".repeat(65), ""), "id", "at most 64 characters");
    }

    @Test
    void reservedIds() {
        assertThat(ManifestParser.RESERVED_IDS).contains("kv", "admin", "sys", "plugins");
        for (String id : ManifestParser.RESERVED_IDS) {
            refused(manifest(id, ""), "id", "'" + id + "' is reserved for the node");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0", "1", "v1.0.0", "1.0.0.0", "1.0.0-", "01.0.0 ", "1.a.0", "1.0.0-beta!", "1234567890.0.0"})
    void badVersions(String version) {
        refused(q("{'id':'counter','version':'" + version + "','apiVersion':1}"), "version",
                "'" + version + "' must be a semantic version such as 1.2.3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.1", "10.20.30", "1.0.0-rc.1", "1.0.0+build.5", "1.0.0-alpha+001"})
    void goodVersions(String version) {
        assertThat(parse(q("{'id':'counter','version':'" + version + "','apiVersion':1}")).version()).isEqualTo(version);
    }

    // --- ops -----------------------------------------------------------------------------------------

    static Stream<Arguments> badOps() {
        return Stream.of(
                Arguments.of(counter(q("'ops': {}")), "ops", "must be an array"),
                Arguments.of(counter(q("'ops': ['counter.a']")), "ops[0]", "must be an object"),
                Arguments.of(counter(q("'ops': [{}]")), "ops[0].name", "is required and must be a non-empty string"),
                Arguments.of(counter(q("'ops': [{'name': 7}]")), "ops[0].name", "is required"),
                Arguments.of(counter(q("'ops': [{'name': 'other.x'}]")), "ops[0].name",
                        "'other.x' is outside the plugin's namespace; ops must be named 'counter.<verb>'"),
                Arguments.of(counter(q("'ops': [{'name': 'counterx.y'}]")), "ops[0].name", "outside the plugin's namespace"),
                Arguments.of(counter(q("'ops': [{'name': 'counter'}]")), "ops[0].name", "outside the plugin's namespace"),
                Arguments.of(counter(q("'ops': [{'name': 'kv.get'}]")), "ops[0].name", "outside the plugin's namespace"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a'}, {'name': 'counter.'}]")), "ops[1].name", "verb '' must start with a lowercase letter"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.Incr'}]")), "ops[0].name", "verb 'Incr' must start with a lowercase letter"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.1x'}]")), "ops[0].name", "verb '1x'"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a b'}]")), "ops[0].name", "verb 'a b'"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a/b'}]")), "ops[0].name", "verb 'a/b'"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a'}, {'name': 'counter.b'}, {'name': 'counter.a'}]")), "ops[2].name",
                        "'counter.a' is declared twice"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a', 'export': 'x'}, {'name': 'counter.b', 'export': 'x'}]")), "ops[1].export",
                        "'x' already serves another op"),
                // Two verbs whose default exports collide.
                Arguments.of(counter(q("'ops': [{'name': 'counter.a-b'}, {'name': 'counter.a_b'}]")), "ops[1].export", "'a_b' already serves another op"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a', 'export': '1x'}]")), "ops[0].export", "'1x' is not a valid export name"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a', 'export': 'a-b'}]")), "ops[0].export", "not a valid export name"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a', 'export': ''}]")), "ops[0].export", "not a valid export name"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a', 'export': 3}]")), "ops[0].export", "must be a string"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a', 'scope': 'owner'}]")), "ops[0].scope",
                        "'owner' must be one of none, read, subscribe, publish, write, admin"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a', 'scope': 'WRITE'}]")), "ops[0].scope", "must be one of"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a', 'scope': ''}]")), "ops[0].scope", "must be one of"),
                Arguments.of(counter(q("'ops': [{'name': 'counter.a', 'scope': 1}]")), "ops[0].scope", "must be a string"));
    }

    @ParameterizedTest
    @MethodSource("badOps")
    void badOps(String json, String field, String problem) {
        refused(json, field, problem);
    }

    @Test
    void tooManyOps() {
        String ops = IntStream.range(0, ManifestParser.MAX_OPS + 1)
                .mapToObj(i -> "{'name':'counter.op" + i + "'}").collect(Collectors.joining(",", "[", "]"));
        refused(counter(q("'ops': " + ops)), "ops", "declares 257 ops; at most 256 are allowed");
    }

    // --- kv prefixes -----------------------------------------------------------------------------------

    static Stream<Arguments> badPrefixes() {
        return Stream.of(
                Arguments.of("read", "a/b", "must start with '/'"),
                Arguments.of("write", "a/b", "must start with '/'"),
                Arguments.of("read", "", "empty"),
                Arguments.of("read", "/a//b", "empty segment"),
                Arguments.of("read", "//a", "empty segment"),
                Arguments.of("read", "/a/../b", "'..' segment"),
                Arguments.of("write", "/a/./b", "'.' segment"),
                Arguments.of("read", "/..", "'..' segment"),
                Arguments.of("read", "/a/*", "'*'"),
                Arguments.of("read", "/a/**", "'*'"),
                Arguments.of("write", "/a*", "'*'"),
                Arguments.of("read", "/a//", "ends with '/'"),
                Arguments.of("read", "/a\nb", "control character"),
                Arguments.of("read", "/" + "x".repeat(1024), "longer than 1024 bytes"));
    }

    @ParameterizedTest
    @MethodSource("badPrefixes")
    void invalidPrefixPaths(String which, String prefix, String problem) {
        ObjectNode kv = MAPPER.createObjectNode();
        kv.putArray(which).add("/ok").add(prefix);
        ObjectNode root = (ObjectNode) readTree(counter(""));
        root.set("kv", kv);
        refused(root.toString(), "kv." + which + "[1]", problem).hasMessageContaining("invalid prefix");
    }

    @ParameterizedTest
    @ValueSource(strings = {"read", "write"})
    void sysIsTheNodes(String which) {
        for (String p : List.of("/_sys", "/_sys/x", "/_sys/x/y", "/_sys/")) {
            refused(counter(q("'kv': {'" + which + "': ['" + p + "']}")), "kv." + which + "[0]", "'" + p + "' reaches /_sys/, which belongs to the node");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"read", "write"})
    void rootReachesEverythingButSysAndOtherPluginsPrefixes(String which) throws Exception {
        PluginManifest m = ManifestParser.parse(counter(q("'kv': {'" + which + "': ['/']}, 'listens': {'changes': ['/**']}")).getBytes(StandardCharsets.UTF_8));
        assertThat(m.mayRead("/_plugins/counter/x")).isTrue();
        assertThat(m.mayWrite("/_plugins/counter/x")).as("its own prefix, writable either way").isTrue();
        for (String key : List.of("/a", "/sensors/t1", "/_sysx", "/_pluginsx/y")) {
            assertThat(m.mayRead(key)).as("read %s", key).isTrue();
            assertThat(m.mayWrite(key)).as("write %s", key).isEqualTo(which.equals("write"));
        }
        for (String key : List.of("/_sys", "/_sys/admin", "/_plugins/other/x", "/_plugins/counterx/y", "/_plugins")) {
            assertThat(m.mayRead(key)).as("read %s", key).isFalse();
            assertThat(m.mayWrite(key)).as("write %s", key).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"read", "write"})
    void anotherPluginsPrefixIsRefused(String which) {
        refused(counter(q("'kv': {'" + which + "': ['/_plugins/other']}")), "kv." + which + "[0]",
                "'/_plugins/other' reaches into another plugin's private prefix; only /_plugins/counter/ is yours");
        refused(counter(q("'kv': {'" + which + "': ['/_plugins/other/x']}")), "kv." + which + "[0]", "another plugin's private prefix");
    }

    @ParameterizedTest
    @ValueSource(strings = {"read", "write"})
    void prefixBoundaryTrickIsRefused(String which) {
        // Plugin 'ab' must not reach /_plugins/abc: prefixes compare on segment boundaries.
        refused(manifest("ab", q("'kv': {'" + which + "': ['/_plugins/abc']}")), "kv." + which + "[0]", "another plugin's private prefix");
        refused(manifest("ab", q("'kv': {'" + which + "': ['/_plugins/abc/x']}")), "kv." + which + "[0]", "another plugin's private prefix");
        refused(manifest("ab", q("'kv': {'" + which + "': ['/_plugins/a']}")), "kv." + which + "[0]", "another plugin's private prefix");
        assertThat(parse(manifest("ab", q("'kv': {'" + which + "': ['/_plugins/ab/x']}"))).kvRead()).contains("/_plugins/ab/x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"read", "write"})
    void pluginsRootIsRefused(String which) {
        refused(counter(q("'kv': {'" + which + "': ['/ok', '/_plugins']}")), "kv." + which + "[1]", "'/_plugins'");
        refused(counter(q("'kv': {'" + which + "': ['/_plugins/']}")), "kv." + which + "[0]", "'/_plugins/'");
    }

    static Stream<Arguments> badKvShapes() {
        return Stream.of(
                Arguments.of(counter(q("'kv': []")), "kv", "must be an object with 'read' and/or 'write'"),
                Arguments.of(counter(q("'kv': '/a'")), "kv", "must be an object"),
                Arguments.of(counter(q("'kv': {'read': '/a'}")), "kv.read", "must be an array of strings"),
                Arguments.of(counter(q("'kv': {'write': {}}")), "kv.write", "must be an array of strings"),
                Arguments.of(counter(q("'kv': {'read': ['/a', 1]}")), "kv.read[1]", "must be a string"),
                Arguments.of(counter(q("'kv': {'write': [null]}")), "kv.write[0]", "must be a string"));
    }

    @ParameterizedTest
    @MethodSource("badKvShapes")
    void badKvShapes(String json, String field, String problem) {
        refused(json, field, problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"read", "write"})
    void tooManyPrefixes(String which) {
        String prefixes = jsonArray(IntStream.range(0, ManifestParser.MAX_PREFIXES + 1).mapToObj(i -> "/p" + i));
        refused(counter(q("'kv': {'" + which + "': " + prefixes + "}")), "kv." + which, "has 33 entries; at most 32 are allowed");
    }

    // --- listens -------------------------------------------------------------------------------------

    static Stream<Arguments> badListens() {
        String sensors = "'kv': {'read': ['/sensors']}, ";
        return Stream.of(
                Arguments.of(counter(q("'listens': []")), "listens", "must be an object with 'changes' and/or 'events'"),
                Arguments.of(counter(q("'listens': {'changes': '/a'}")), "listens.changes", "must be an array of strings"),
                Arguments.of(counter(q("'listens': {'events': [1]}")), "listens.events[0]", "must be a string"),
                Arguments.of(counter(q(sensors + "'listens': {'changes': ['/sensors/*', '/other/**']}")), "listens.changes[1]",
                        "'/other/**' reaches outside the readable prefixes [/sensors, /_plugins/counter]"),
                Arguments.of(counter(q(sensors + "'listens': {'changes': ['/**']}")), "listens.changes[0]", "reaches outside the readable prefixes"),
                Arguments.of(counter(q(sensors + "'listens': {'changes': ['/*/x']}")), "listens.changes[0]", "reaches outside the readable prefixes"),
                Arguments.of(counter(q(sensors + "'listens': {'changes': ['/sensorsX/**']}")), "listens.changes[0]", "reaches outside"),
                Arguments.of(counter(q(sensors + "'listens': {'changes': ['/_sys/**']}")), "listens.changes[0]", "reaches outside"),
                Arguments.of(counter(q(sensors + "'listens': {'changes': ['/_plugins/**']}")), "listens.changes[0]", "reaches outside"),
                Arguments.of(manifest("ab", q("'listens': {'changes': ['/_plugins/abc/**']}")), "listens.changes[0]", "reaches outside"),
                Arguments.of(counter(q(sensors + "'listens': {'changes': ['sensors/*']}")), "listens.changes[0]", "invalid pattern"),
                Arguments.of(counter(q(sensors + "'listens': {'changes': ['/sensors/a*']}")), "listens.changes[0]", "must be whole segments"),
                Arguments.of(counter(q(sensors + "'listens': {'changes': ['/sensors//x']}")), "listens.changes[0]", "empty segment"),
                Arguments.of(counter(q(sensors + "'listens': {'changes': ['/sensors/../x']}")), "listens.changes[0]", "'..' segment"),
                Arguments.of(counter(q("'listens': {'events': ['/ok', '/a/***']}")), "listens.events[1]", "invalid pattern"),
                Arguments.of(counter(q("'listens': {'events': ['']}")), "listens.events[0]", "empty"));
    }

    @ParameterizedTest
    @MethodSource("badListens")
    void badListens(String json, String field, String problem) {
        refused(json, field, problem);
    }

    @Test
    void tooManyListenPatterns() {
        String patterns = jsonArray(IntStream.range(0, ManifestParser.MAX_LISTEN_PATTERNS + 1).mapToObj(i -> "/_plugins/counter/" + i));
        refused(counter(q("'listens': {'changes': " + patterns + "}")), "listens.changes", "has 65 entries; at most 64 are allowed");
        refused(counter(q("'listens': {'events': " + patterns + "}")), "listens.events", "has 65 entries");
    }

    // --- permissions -----------------------------------------------------------------------------------

    @Test
    void unknownPermission() {
        refused(counter(q("'permissions': ['log', 'network']")), "permissions[1]",
                "unknown permission 'network'; known: publish, log, clock, random, feed, identity, replicate");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUBLISH", "Publish", "cLock"})
    void uppercasePermission(String p) {
        refused(counter(q("'permissions': ['" + p + "']")), "permissions[0]", "'" + p + "' must be lowercase");
    }

    @ParameterizedTest
    // Dotless i and long s upper-case to ASCII I and S: 'publısh' must not pass for 'publish'.
    @ValueSource(strings = {"publ\u0131sh", "publi\u017Fh", "", " log", "log "})
    void permissionLookalikesAreUnknown(String p) {
        ObjectNode root = (ObjectNode) readTree(counter(""));
        root.putArray("permissions").add(p);
        refused(root.toString(), "permissions[0]", "unknown permission");
    }

    @Test
    void badPermissionShapes() {
        refused(counter(q("'permissions': 'publish'")), "permissions", "must be an array of strings");
        refused(counter(q("'permissions': [true]")), "permissions[0]", "must be a string");
        refused(counter(q("'permissions': ['log','log','log','log','log','log','log','log','log','log','log','log','log','log','log']")), "permissions", "at most 14");
    }

    // --- limits ----------------------------------------------------------------------------------------

    @Test
    void limitsAboveCapsNameTheConfigKey() {
        ManifestCaps caps = new ManifestCaps(100, 500, 2);
        refused(counter(q("'limits': {'memoryPages': 101}")), caps, "limits.memoryPages",
                "101 exceeds the node's cap of 100 (plugins.max-memory-pages)");
        refused(counter(q("'limits': {'callTimeoutMs': 501}")), caps, "limits.callTimeoutMs",
                "501 exceeds the node's cap of 500 (plugins.max-call-timeout-ms)");
        refused(counter(q("'limits': {'instances': 3}")), caps, "limits.instances",
                "3 exceeds the node's cap of 2 (plugins.max-instances)");
        refused(counter(q("'limits': {'memoryPages': 1025}")), "limits.memoryPages", "plugins.max-memory-pages");
    }

    static Stream<Arguments> badLimitValues() {
        return Stream.of("0", "-1", "1.5", "1.0", "'64'", "null", "true", "[]", "{}", "10000000000", "1e3", "-2147483649")
                .flatMap(v -> Stream.of("memoryPages", "callTimeoutMs", "instances").map(k -> Arguments.of(k, v)));
    }

    @ParameterizedTest
    @MethodSource("badLimitValues")
    void limitsMustBePositiveIntegers(String key, String value) {
        refused(counter(q("'limits': {'" + key + "': " + value + "}")), "limits." + key, "must be a positive integer");
    }

    @Test
    void limitsMustBeAnObject() {
        refused(counter(q("'limits': [1, 2, 3]")), "limits", "must be an object");
        refused(counter(q("'limits': 5")), "limits", "must be an object");
    }

    // --- config ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"[]", "'x'", "1", "true", "null"})
    void configMustBeAnObject(String value) {
        refused(counter(q("'config': " + value)), "config", "must be an object");
    }

    private static JsonNode readTree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
