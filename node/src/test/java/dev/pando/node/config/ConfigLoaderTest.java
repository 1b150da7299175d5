package dev.pando.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.node.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path f = dir.resolve("pando.yaml");
        Files.writeString(f, text);
        return f;
    }

    private static NodeConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        return ConfigLoader.load(file, env, flags);
    }

    @Test
    void defaultsWhenNothingIsGiven() {
        Assumptions.assumeFalse(Files.exists(ConfigLoader.DEFAULT_FILE), "a ./pando.yaml would be picked up");
        NodeConfig c = load(null, Map.of(), Map.of());
        for (ConfigKey<?> k : NodeConfig.keys()) {
            assertThat((Object) c.get(k)).as(k.name()).isEqualTo(k.defaultValue());
            assertThat(c.source(k)).as(k.name()).isEqualTo("default");
        }
        assertThat(c.get(NodeConfig.PORT)).isEqualTo(7330);
        assertThat(c.get(NodeConfig.BIND)).isEqualTo("127.0.0.1");
        assertThat(c.get(NodeConfig.AUTH_MODE)).isEqualTo("auto");
        assertThat(NodeConfig.defaults().get(NodeConfig.MAX_BODY_BYTES)).isEqualTo(1024 * 1024);
        assertThat(NodeConfig.defaults().source(NodeConfig.PORT)).isEqualTo("default");
    }

    @Test
    void trustedKeysAcceptsTheCamelCaseSpellingToo() throws IOException {
        NodeConfig fromFlag = load(null, Map.of(), Map.of("plugins.trustedKeys", "/etc/pando/trusted"));
        assertThat(fromFlag.get(NodeConfig.TRUSTED_KEYS)).isEqualTo("/etc/pando/trusted");
        assertThat(fromFlag.source(NodeConfig.TRUSTED_KEYS)).isEqualTo("flag");
        NodeConfig fromFile = load(yaml("plugins:\n  trustedKeys: keys.pub\n"), Map.of(), Map.of());
        assertThat(fromFile.get(NodeConfig.TRUSTED_KEYS)).isEqualTo("keys.pub");
    }

    @Test
    void precedenceIsDefaultsThenFileThenEnvThenFlags() throws IOException {
        Path f = yaml("""
                port: 1000
                bind: 10.0.0.1
                store: memory
                limits:
                  max-body-bytes: 11
                """);
        Map<String, String> env = Map.of("PANDO_PORT", "2000", "PANDO_BIND", "10.0.0.2");
        Map<String, String> flags = Map.of("port", "3000");

        NodeConfig c = load(f, env, flags);
        assertThat(c.get(NodeConfig.PORT)).isEqualTo(3000);
        assertThat(c.source(NodeConfig.PORT)).isEqualTo("flag");
        assertThat(c.get(NodeConfig.BIND)).isEqualTo("10.0.0.2");
        assertThat(c.source(NodeConfig.BIND)).isEqualTo("env");
        assertThat(c.get(NodeConfig.STORE)).isEqualTo("memory");
        assertThat(c.source(NodeConfig.STORE)).startsWith("file").contains(f.toString());
        assertThat(c.get(NodeConfig.MAX_BODY_BYTES)).isEqualTo(11);
        assertThat(c.source(NodeConfig.MAX_BODY_BYTES)).startsWith("file");
        assertThat(c.get(NodeConfig.MAX_FRAME_BYTES)).isEqualTo(1024 * 1024);
        assertThat(c.source(NodeConfig.MAX_FRAME_BYTES)).isEqualTo("default");

        NodeConfig noFlags = load(f, env, Map.of());
        assertThat(noFlags.get(NodeConfig.PORT)).isEqualTo(2000);
        assertThat(noFlags.source(NodeConfig.PORT)).isEqualTo("env");

        NodeConfig fileOnly = load(f, Map.of(), Map.of());
        assertThat(fileOnly.get(NodeConfig.PORT)).isEqualTo(1000);
        assertThat(fileOnly.get(NodeConfig.BIND)).isEqualTo("10.0.0.1");

        NodeConfig flagsOverFileOnly = load(f, Map.of(), Map.of("bind", "0.0.0.0"));
        assertThat(flagsOverFileOnly.get(NodeConfig.BIND)).isEqualTo("0.0.0.0");
        assertThat(flagsOverFileOnly.get(NodeConfig.PORT)).isEqualTo(1000);
    }

    @Test
    void nestedAndDottedYamlKeysAreFlattened() throws IOException {
        Path f = yaml("""
                limits: {max-body-bytes: 10, rate-per-second: 5}
                workers:
                  threads: 3
                  queue: 7
                auth:
                  mode: authenticated
                store.sync: true
                data-dir: /var/lib/pando
                """);
        NodeConfig c = load(f, Map.of(), Map.of());
        assertThat(c.get(NodeConfig.MAX_BODY_BYTES)).isEqualTo(10);
        assertThat(c.get(NodeConfig.RATE_PER_SECOND)).isEqualTo(5L);
        assertThat(c.get(NodeConfig.WORKER_THREADS)).isEqualTo(3);
        assertThat(c.get(NodeConfig.WORKER_QUEUE)).isEqualTo(7);
        assertThat(c.get(NodeConfig.AUTH_MODE)).isEqualTo("authenticated");
        assertThat(c.get(NodeConfig.STORE_SYNC)).isTrue();
        assertThat(c.get(NodeConfig.DATA_DIR)).isEqualTo(Path.of("/var/lib/pando"));
    }

    @Test
    void aListKeyMayBeAYamlSequenceAndOtherKeysMayNot() throws IOException {
        NodeConfig c = load(yaml("""
                federation:
                  namespaces: [/site-a/**, /site-b/**]
                  interests:
                    - /site-c/**
                plugins: {builtins: []}
                """), Map.of(), Map.of());
        assertThat(c.get(NodeConfig.FEDERATION_NAMESPACES)).isEqualTo("/site-a/**,/site-b/**");
        assertThat(c.get(NodeConfig.FEDERATION_INTERESTS)).isEqualTo("/site-c/**");
        assertThat(c.get(NodeConfig.BUILTINS)).as("an empty list: none").isEmpty();
        assertThatThrownBy(() -> load(yaml("federation:\n  namespaces: ['/a/**,/b/**']\n"), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("federation.namespaces").hasMessageContaining("no commas");
        assertThatThrownBy(() -> load(yaml("federation:\n  namespaces: [[/a/**]]\n"), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain values");
        assertThatThrownBy(() -> load(yaml("port: [7330]\n"), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'port' must be a scalar");
    }

    @Test
    void emptyFileMeansDefaults() throws IOException {
        NodeConfig c = load(yaml(""), Map.of(), Map.of());
        assertThat(c.get(NodeConfig.PORT)).isEqualTo(7330);
        NodeConfig comments = load(yaml("# nothing here\n"), Map.of(), Map.of());
        assertThat(comments.get(NodeConfig.PORT)).isEqualTo(7330);
    }

    @Test
    void unknownKeyInTheFileIsAnErrorNamingIt() throws IOException {
        Path f = yaml("""
                limits:
                  max-bodybytes: 10
                """);
        assertThatThrownBy(() -> load(f, Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limits.max-bodybytes")
                .hasMessageContaining(f.toString());
        assertThatThrownBy(() -> load(yaml("prot: 1\n"), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'prot'");
    }

    @Test
    void unknownFlagIsAnErrorNamingIt() {
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("limits.max-body", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limits.max-body")
                .hasMessageContaining("flag");
    }

    @Test
    void unknownPandoEnvVarsAndOtherVarsAreIgnored() {
        Assumptions.assumeFalse(Files.exists(ConfigLoader.DEFAULT_FILE));
        NodeConfig c = load(null, Map.of(
                "PANDO_NO_SUCH_KEY", "x",
                "PANDO_PORTT", "1",
                "PORT", "1",
                "pando_port", "1",
                "HOME", "/root",
                "PANDO_WORKERS_THREADS", "9"), Map.of());
        assertThat(c.get(NodeConfig.PORT)).isEqualTo(7330);
        assertThat(c.get(NodeConfig.WORKER_THREADS)).isEqualTo(9);
        assertThat(c.source(NodeConfig.WORKER_THREADS)).isEqualTo("env");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "port|abc|Integer",
        "port|1.5|Integer",
        "port|99999999999|Integer",
        "limits.rate-per-second|lots|Long",
        "auth.max-delegation-depth|deep|Integer",
    })
    void badValuesGiveAClearMessage(String key, String text, String expected) {
        assertThatThrownBy(() -> load(null, Map.of(), Map.of(key, text)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + key + "'")
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining(expected);
    }

    @Test
    void badValueInTheFileOrEnvIsReportedToo() throws IOException {
        assertThatThrownBy(() -> load(yaml("limits:\n  max-body-bytes: ten\n"), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limits.max-body-bytes")
                .hasMessageContaining("ten");
        assertThatThrownBy(() -> load(null, Map.of("PANDO_LIMITS_MAX_BODY_BYTES", "10kb"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limits.max-body-bytes")
                .hasMessageContaining("10kb");
    }

    @Test
    void negativeNumbersAreRejected() throws IOException {
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("port", "-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port")
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> load(yaml("changes:\n  retain-count: -5\n"), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("changes.retain-count")
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> load(null, Map.of("PANDO_LIMITS_RATE_BURST", "-40"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
        assertThat(load(null, Map.of(), Map.of("port", "0")).get(NodeConfig.PORT)).isZero();
    }

    @Test
    void numbersMayUseUnderscoresAndSurroundingSpace() {
        NodeConfig c = load(null, Map.of(), Map.of("limits.rate-per-second", " 1_000 ", "bind", " ::1 "));
        assertThat(c.get(NodeConfig.RATE_PER_SECOND)).isEqualTo(1000L);
        assertThat(c.get(NodeConfig.BIND)).isEqualTo("::1");
    }

    @ParameterizedTest
    @CsvSource({"true,true", "TRUE,true", "yes,true", "on,true", "1,true", "false,false", "No,false", "off,false", "0,false"})
    void booleans(String text, boolean expected) {
        assertThat(load(null, Map.of(), Map.of("store.sync", text)).get(NodeConfig.STORE_SYNC)).isEqualTo(expected);
    }

    @Test
    void structuralProblemsInTheFile() throws IOException {
        assertThatThrownBy(() -> load(yaml("limits:\n  max-body-bytes: [1, 2]\n"), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limits.max-body-bytes")
                .hasMessageContaining("scalar");
        assertThatThrownBy(() -> load(yaml("- port\n- bind\n"), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mapping");
        assertThatThrownBy(() -> load(yaml("port: [unclosed\n"), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read config file");
        assertThatThrownBy(() -> load(dir.resolve("missing.yaml"), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.yaml")
                .hasMessageContaining("does not exist");
    }

    @Test
    void aKeyWithoutAValueInTheFileIsAnErrorNotTheStringNull() throws IOException {
        // "bind:" with nothing after it is YAML null; it must not become the address "null"
        // or a data directory called "null".
        for (String text : new String[] {"bind:\n", "data-dir: ~\n", "port: null\n", "limits:\n  max-body-bytes:\n"}) {
            Path f = yaml(text);
            assertThatThrownBy(() -> load(f, Map.of(), Map.of())).as(text)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no value");
        }
        // A quoted "null" is a string like any other.
        assertThat(load(yaml("store: 'null'\n"), Map.of(), Map.of()).get(NodeConfig.STORE)).isEqualTo("null");
    }

    @Test
    void cliVariablesAreNotConfigMistakesButOtherUnknownOnesAreWarnedAbout() {
        try (LogCapture log = new LogCapture()) {
            NodeConfig c = load(null, Map.of("PANDO_URL", "http://127.0.0.1:9", "PANDO_TOKEN", "t", "PANDO_DEBUG", "1",
                    "PANDO_PROT", "1", "PANDO_PORT", "2001"), Map.of());
            assertThat(c.get(NodeConfig.PORT)).isEqualTo(2001);
            assertThat(log.warningsAndErrors()).hasSize(1).allMatch(w -> w.contains("PANDO_PROT"));
        }
    }

    @Test
    void envNameMapping() {
        assertThat(NodeConfig.MAX_BODY_BYTES.envName()).isEqualTo("PANDO_LIMITS_MAX_BODY_BYTES");
        assertThat(NodeConfig.PORT.envName()).isEqualTo("PANDO_PORT");
        assertThat(NodeConfig.DATA_DIR.envName()).isEqualTo("PANDO_DATA_DIR");
        assertThat(NodeConfig.AUTH_MODE.envName()).isEqualTo("PANDO_AUTH_MODE");
        assertThat(NodeConfig.STORE_SYNC.envName()).isEqualTo("PANDO_STORE_SYNC");
        Set<String> names = new HashSet<>();
        for (ConfigKey<?> k : NodeConfig.keys()) {
            assertThat(k.envName()).matches("PANDO_[A-Z0-9_]+");
            assertThat(names.add(k.envName())).as("env name of %s is unique", k).isTrue();
        }
    }

    @Test
    void everyKeyCanBeSetThroughItsEnvName() {
        for (ConfigKey<?> k : NodeConfig.keys()) {
            String text = k.type() == Boolean.class ? "false" : k.type() == String.class ? "x" : k.type() == Path.class ? "/p" : "5";
            NodeConfig c = load(null, Map.of(k.envName(), text), Map.of());
            assertThat(c.source(k)).as(k.name()).isEqualTo("env");
            assertThat(String.valueOf((Object) c.get(k))).as(k.name()).isEqualTo(text);
        }
    }

    @Test
    void keysAreDocumentedAndTheListIsReadOnly() {
        List<ConfigKey<?>> keys = NodeConfig.keys();
        assertThat(keys).contains(NodeConfig.PORT, NodeConfig.MAX_BODY_BYTES, NodeConfig.SHUTDOWN_DRAIN_MS);
        for (ConfigKey<?> k : keys) {
            assertThat(k.doc()).as(k.name()).isNotBlank();
            assertThat(k.defaultValue()).as(k.name()).isNotNull();
            assertThat(k.type()).isInstanceOf(Class.class);
            assertThat(k.type().isInstance(k.defaultValue())).as(k.name()).isTrue();
            assertThat(k.toString()).isEqualTo(k.name());
        }
        assertThatThrownBy(() -> keys.add(NodeConfig.PORT)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void withAndWithTextReportCodeAsTheSource() throws IOException {
        NodeConfig fromFile = load(yaml("port: 1000\n"), Map.of(), Map.of());
        NodeConfig a = fromFile.with(NodeConfig.PORT, 0);
        assertThat(a.get(NodeConfig.PORT)).isZero();
        assertThat(a.source(NodeConfig.PORT)).isEqualTo("code");
        assertThat(fromFile.get(NodeConfig.PORT)).as("the original is unchanged").isEqualTo(1000);

        NodeConfig b = fromFile.withText("port", "4000");
        assertThat(b.get(NodeConfig.PORT)).isEqualTo(4000);
        assertThat(b.source(NodeConfig.PORT)).isEqualTo("code");
        NodeConfig c = NodeConfig.defaults().withText("limits.max-body-bytes", "12");
        assertThat(c.get(NodeConfig.MAX_BODY_BYTES)).isEqualTo(12);
        assertThat(c.source(NodeConfig.MAX_BODY_BYTES)).isEqualTo("code");

        assertThatThrownBy(() -> NodeConfig.defaults().withText("nope", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> NodeConfig.defaults().withText("port", "-3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    }
}
