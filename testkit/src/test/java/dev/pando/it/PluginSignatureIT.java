package dev.pando.it;

import static dev.pando.it.PluginSupport.failure;
import static dev.pando.it.PluginSupport.fingerprint;
import static dev.pando.it.PluginSupport.outcome;
import static dev.pando.it.PluginSupport.plugin;
import static dev.pando.it.PluginSupport.pluginByFile;
import static dev.pando.it.PluginSupport.reload;
import static dev.pando.it.PluginSupport.signed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.client.PandoClient;
import dev.pando.host.testing.PluginJarBuilder;
import dev.pando.host.testing.Wat;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.DetachedSignature;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.WasmBundle;
import dev.pando.testkit.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signature checks as a node applies them on reload, case by case, each with its outcome and
 * reason. {@code strict} runs with the defaults (signed WASM required, native signatures
 * optional); {@code lax} allows unsigned WASM (development) but requires signed native jars.
 */
class PluginSignatureIT {
    @TempDir
    static Path work;
    static Ed25519KeyPair trusted;
    static Ed25519KeyPair stranger;
    static Path trustFile;
    static Path strictDir;
    static Path laxDir;
    static TestNode strict;
    static TestNode lax;
    static PandoClient strictAdmin;
    static PandoClient laxAdmin;
    /** A native plugin jar "nsig" with op nsig.hello answering "hello from nsig". */
    static byte[] nativeJar;

    @BeforeAll
    static void start() throws IOException {
        trusted = Ed25519KeyPair.generate();
        stranger = Ed25519KeyPair.generate();
        trustFile = PluginSupport.trust(work.resolve("trusted-keys"), trusted);
        strictDir = Files.createDirectories(work.resolve("strict"));
        laxDir = Files.createDirectories(work.resolve("lax"));
        nativeJar = Files.readAllBytes(greeterJar("nsig", "1.0.0", "hello from nsig"));
        strict = TestNode.builder().inMemory()
                .with(NodeConfig.TRUSTED_KEYS, trustFile.toString())
                .pluginsDir(strictDir)
                .start();
        lax = TestNode.builder().inMemory()
                .with(NodeConfig.TRUSTED_KEYS, trustFile.toString())
                .with(NodeConfig.DEV_ALLOW_UNSIGNED, true)
                .with(NodeConfig.REQUIRE_SIGNED_NATIVE, true)
                .pluginsDir(laxDir)
                .start();
        strictAdmin = strict.adminClient();
        laxAdmin = lax.adminClient();
    }

    @AfterAll
    static void stop() {
        if (strict != null) {
            strict.close();
        }
        if (lax != null) {
            lax.close();
        }
    }

    @AfterEach
    void clean() {
        PluginSupport.trust(trustFile, trusted);
        for (var dir : List.of(strictDir, laxDir)) {
            PluginSupport.clear(dir);
        }
        reload(strictAdmin);
        reload(laxAdmin);
        assertThat(PluginSupport.plugins(strictAdmin)).isEmpty();
        assertThat(PluginSupport.plugins(laxAdmin)).isEmpty();
    }

    // ---- WASM ----

    @Test
    void aValidSignatureLoadsAndShowsItsSigner() {
        JsonNode o = load(strict, "echo.wasm", signed("echo", trusted));
        assertThat(o.path("action").asText()).as(o.toString()).isEqualTo("loaded");
        assertThat(o.path("id").asText()).isEqualTo("echo");
        assertThat(plugin(strictAdmin, "echo").path("signer").asText()).isEqualTo(fingerprint(trusted));
        assertThat(strict.client().call("echo.echo", Json.obj().put("a", 1))).isEqualTo(Json.obj().put("a", 1));
    }

    @Test
    void aKeyTheNodeDoesNotTrustIsRefusedUntilItIsTrusted() {
        JsonNode o = load(strict, "echo.wasm", signed("echo", stranger));
        assertRefused(o, "UNTRUSTED_SIGNER");
        assertThat(o.path("error").asText()).contains(fingerprint(stranger));
        assertNotServed(strict, "echo.echo");

        // The trusted keys are re-read on every load: trusting the key and reloading is enough.
        PluginSupport.trust(trustFile, trusted, stranger);
        JsonNode again = outcome(reload(strictAdmin), "echo.wasm");
        assertThat(again.path("action").asText()).as(again.toString()).isEqualTo("loaded");
        assertThat(plugin(strictAdmin, "echo").path("signer").asText()).isEqualTo(fingerprint(stranger));
    }

    static Stream<Arguments> flippedBytes() {
        return Stream.of(
                Arguments.of("magic number", (Flip) b -> 1, "MALFORMED"),
                Arguments.of("code section", (Flip) b -> lastByteOfSection(b, 10), "BAD_SIGNATURE"),
                Arguments.of("manifest section", (Flip) b -> indexOf(b, "\"1.0.0\"".getBytes(StandardCharsets.UTF_8)) + 1, "BAD_SIGNATURE"),
                Arguments.of("signature format byte", (Flip) b -> b.length - 97, "MALFORMED"),
                Arguments.of("signer public key", (Flip) b -> b.length - 96, "BAD_SIGNATURE"),
                Arguments.of("first signature byte", (Flip) b -> b.length - 64, "BAD_SIGNATURE"),
                Arguments.of("last signature byte", (Flip) b -> b.length - 1, "BAD_SIGNATURE"));
    }

    interface Flip {
        int offset(byte[] bundle);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flippedBytes")
    void oneFlippedBitAnywhereIsRefused(String where, Flip flip, String reason) {
        byte[] bundle = signed("echo", trusted);
        int at = flip.offset(bundle);
        assertThat(at).as("offset of the %s", where).isBetween(0, bundle.length - 1);
        bundle[at] ^= 0x01;
        assertRefused(load(strict, "echo.wasm", bundle), reason);
        assertNotServed(strict, "echo.echo");
        // The development flag only admits unsigned modules; a signed one must still verify.
        assertRefused(load(lax, "echo.wasm", bundle), reason);
        assertNotServed(lax, "echo.echo");
    }

    @Test
    void aMissingSignatureIsRefusedUnlessTheNodeAllowsUnsignedPlugins() {
        byte[] unsigned = WasmBundle.packUnsigned(Wat.module("echo"), Wat.manifestJson("echo").getBytes(StandardCharsets.UTF_8));
        JsonNode o = load(strict, "echo.wasm", unsigned);
        assertRefused(o, "UNSIGNED");
        assertNotServed(strict, "echo.echo");

        JsonNode dev = load(lax, "echo.wasm", unsigned);
        assertThat(dev.path("action").asText()).as(dev.toString()).isEqualTo("loaded");
        JsonNode listed = plugin(laxAdmin, "echo");
        assertThat(listed.has("signer")).isTrue();
        assertThat(listed.get("signer").isNull()).as("signer of an unsigned plugin: %s", listed).isTrue();
        assertThat(lax.client().call("echo.echo", Json.obj().put("dev", true))).isEqualTo(Json.obj().put("dev", true));
    }

    @Test
    void aManifestSwappedAfterSigningIsRefused() {
        byte[] bundle = signed("echo", trusted);
        byte[] signature = Arrays.copyOfRange(bundle, bundle.length - 115, bundle.length);
        String greedier = Wat.manifestJson("echo").replace("\"1.0.0\"", "\"6.6.6\"")
                .replace("\"apiVersion\": 1,", "\"apiVersion\": 1, \"kv\": {\"read\": [\"/secrets\"]}, \"permissions\": [\"publish\"],");
        byte[] swapped = concat(WasmBundle.packUnsigned(Wat.module("echo"), greedier.getBytes(StandardCharsets.UTF_8)), signature);
        assertThat(WasmBundle.read(swapped).manifest()).asString(StandardCharsets.UTF_8).contains("/secrets");

        assertRefused(load(strict, "echo.wasm", swapped), "BAD_SIGNATURE");
        assertNotServed(strict, "echo.echo");
    }

    @Test
    void sectionsAfterTheSignatureAreRefused() {
        byte[] bundle = signed("echo", trusted);
        // A custom section "x" with one payload byte, appended after the signature.
        byte[] trailing = concat(bundle, new byte[] {0, 3, 1, 'x', 0});
        assertRefused(load(strict, "echo.wasm", trailing), "SIGNATURE_NOT_LAST");
    }

    // ---- native ----

    @Test
    void aNativeJarWithAValidSigShowsItsSigner() throws IOException {
        Path jar = PluginSupport.drop(strictDir, "nsig.jar", nativeJar);
        DetachedSignature.signFile(jar, trusted);
        JsonNode o = outcome(reload(strictAdmin), "nsig.jar");
        assertThat(o.path("action").asText()).as(o.toString()).isEqualTo("loaded");
        JsonNode listed = plugin(strictAdmin, "nsig");
        assertThat(listed.path("kind").asText()).isEqualTo("native");
        assertThat(listed.path("signer").asText()).isEqualTo(fingerprint(trusted));
        assertThat(strict.client().call("nsig.hello", null).asText()).isEqualTo("hello from nsig");
    }

    @Test
    void anUnsignedNativeJarLoadsWithoutSignerUnlessSignaturesAreRequired() {
        JsonNode o = load(strict, "nsig.jar", nativeJar);
        assertThat(o.path("action").asText()).as(o.toString()).isEqualTo("loaded");
        assertThat(plugin(strictAdmin, "nsig").get("signer").isNull()).isTrue();

        JsonNode required = load(lax, "nsig.jar", nativeJar);
        assertRefused(required, "UNSIGNED");
        assertThat(required.path("error").asText()).contains("plugins.require-signed-native");
        assertNotServed(lax, "nsig.hello");
    }

    @Test
    void aSignedNativeJarLoadsWhereSignaturesAreRequired() throws IOException {
        Path jar = PluginSupport.drop(laxDir, "nsig.jar", nativeJar);
        DetachedSignature.signFile(jar, trusted);
        JsonNode o = outcome(reload(laxAdmin), "nsig.jar");
        assertThat(o.path("action").asText()).as(o.toString()).isEqualTo("loaded");
        assertThat(plugin(laxAdmin, "nsig").path("signer").asText()).isEqualTo(fingerprint(trusted));
    }

    static Stream<Arguments> badSigs() {
        return Stream.of(
                Arguments.of("flipped signature byte", (SigMaker) jar -> {
                    String[] lines = DetachedSignature.sign(jar, trusted).text().split("\n");
                    byte[] sig = Base64.getDecoder().decode(lines[2]);
                    sig[10] ^= 0x01;
                    return lines[0] + "\n" + lines[1] + "\n" + Base64.getEncoder().encodeToString(sig) + "\n";
                }, "BAD_SIGNATURE"),
                Arguments.of("signature of other content", (SigMaker) jar -> DetachedSignature.sign(concat(jar, new byte[] {0}), trusted).text(),
                        "BAD_SIGNATURE"),
                Arguments.of("signed by an untrusted key", (SigMaker) jar -> DetachedSignature.sign(jar, stranger).text(), "UNTRUSTED_SIGNER"),
                Arguments.of("claims the trusted key, signed by another", (SigMaker) jar -> {
                    String[] lines = DetachedSignature.sign(jar, stranger).text().split("\n");
                    String trustedLine = DetachedSignature.sign(jar, trusted).text().split("\n")[1];
                    return lines[0] + "\n" + trustedLine + "\n" + lines[2] + "\n";
                }, "BAD_SIGNATURE"),
                Arguments.of("garbage", (SigMaker) jar -> "not a signature\n", "MALFORMED"));
    }

    interface SigMaker {
        String sig(byte[] jar);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSigs")
    void aNativeJarWithATamperedSigIsRefused(String what, SigMaker sig, String reason) throws IOException {
        Path jar = PluginSupport.drop(strictDir, "nsig.jar", nativeJar);
        Files.writeString(DetachedSignature.sigFile(jar), sig.sig(nativeJar), StandardCharsets.UTF_8);
        assertRefused(outcome(reload(strictAdmin), "nsig.jar"), reason);
        assertNotServed(strict, "nsig.hello");
    }

    // ---- a failed replacement keeps the old version ----

    @Test
    void aWasmReplacementThatFailsVerificationLeavesTheOldVersionServing() {
        String v1 = "{\"id\":\"swap\",\"version\":\"1.0.0\",\"apiVersion\":1,\"ops\":[{\"name\":\"swap.echo\",\"export\":\"echo\"}]}";
        String v2 = v1.replace("1.0.0", "2.0.0");
        // v2 answers {"v":2} whatever it is asked.
        byte[] constant = Wat.assemble("(module (memory (export \"memory\") 1) (data (i32.const 0) \"{\\22v\\22:2}\")"
                + " (func (export \"pando_alloc\") (param i32) (result i32) (i32.const 1024))"
                + " (func (export \"echo\") (param i32 i32) (result i64) (i64.const 7)))");
        JsonNode args = Json.obj().put("x", 1);
        PandoClient client = strict.client();

        assertThat(load(strict, "swap.wasm", signed(Wat.module("echo"), v1, trusted)).path("action").asText()).isEqualTo("loaded");
        assertThat(client.call("swap.echo", args)).isEqualTo(args);

        byte[] tampered = signed(constant, v2, trusted);
        tampered[tampered.length - 1] ^= 0x01;
        for (byte[] bad : List.of(signed(constant, v2, stranger), tampered)) {
            JsonNode o = load(strict, "swap.wasm", bad);
            assertThat(o.path("action").asText()).as(o.toString()).isEqualTo("failed");
            assertThat(o.path("id").asText()).isEqualTo("swap");
            assertThat(o.path("previousVersion").asText()).isEqualTo("1.0.0");
            assertThat(o.path("error").asText()).containsAnyOf("UNTRUSTED_SIGNER", "BAD_SIGNATURE").contains("(version 1.0.0 keeps serving)");
            assertThat(client.call("swap.echo", args)).as("the old version answers").isEqualTo(args);

            JsonNode listed = plugin(strictAdmin, "swap");
            assertThat(listed.path("state").asText()).isEqualTo("LOADED");
            assertThat(listed.path("version").asText()).isEqualTo("1.0.0");
            assertThat(listed.path("signer").asText()).isEqualTo(fingerprint(trusted));
            assertThat(listed.path("lastReload").path("action").asText()).isEqualTo("failed");
            assertThat(listed.path("lastReload").path("error").asText()).isEqualTo(o.path("error").asText());
            assertThat(listed.path("lastReload").path("at").asLong()).isPositive();
        }

        JsonNode replaced = load(strict, "swap.wasm", signed(constant, v2, trusted));
        assertThat(replaced.path("action").asText()).as(replaced.toString()).isEqualTo("replaced");
        assertThat(replaced.path("previousVersion").asText()).isEqualTo("1.0.0");
        assertThat(client.call("swap.echo", args)).isEqualTo(Json.parse("{\"v\":2}"));
        JsonNode listed = plugin(strictAdmin, "swap");
        assertThat(listed.path("version").asText()).isEqualTo("2.0.0");
        assertThat(listed.path("lastReload").path("action").asText()).isEqualTo("replaced");
        assertThat(listed.path("lastReload").has("error")).isFalse();
    }

    @Test
    void aNativeReplacementWithATamperedSigLeavesTheOldVersionServing() throws IOException {
        Path jar = PluginSupport.drop(strictDir, "nsig.jar", nativeJar);
        DetachedSignature.signFile(jar, trusted);
        assertThat(outcome(reload(strictAdmin), "nsig.jar").path("action").asText()).isEqualTo("loaded");
        PandoClient client = strict.client();
        assertThat(client.call("nsig.hello", null).asText()).isEqualTo("hello from nsig");

        byte[] v2 = Files.readAllBytes(greeterJar("nsig", "2.0.0", "v2 says hi"));
        PluginSupport.drop(strictDir, "nsig.jar", v2);
        // The old .sig stays beside the new jar: it no longer matches.
        JsonNode o = outcome(reload(strictAdmin), "nsig.jar");
        assertThat(o.path("action").asText()).as(o.toString()).isEqualTo("failed");
        assertThat(o.path("error").asText()).contains("BAD_SIGNATURE").contains("(version 1.0.0 keeps serving)");
        assertThat(client.call("nsig.hello", null).asText()).isEqualTo("hello from nsig");
        JsonNode listed = plugin(strictAdmin, "nsig");
        assertThat(listed.path("version").asText()).isEqualTo("1.0.0");
        assertThat(listed.path("lastReload").path("error").asText()).contains("BAD_SIGNATURE");

        DetachedSignature.signFile(jar, trusted);
        assertThat(outcome(reload(strictAdmin), "nsig.jar").path("action").asText()).isEqualTo("replaced");
        assertThat(client.call("nsig.hello", null).asText()).isEqualTo("v2 says hi");
    }

    // ---- helpers ----

    /** Drops {@code bytes} as {@code fileName} into the node's plugins dir and reloads; the file's outcome. */
    private static JsonNode load(TestNode node, String fileName, byte[] bytes) {
        PluginSupport.drop(node.pluginsDir(), fileName, bytes);
        return outcome(reload(node == strict ? strictAdmin : laxAdmin), fileName);
    }

    private static void assertRefused(JsonNode outcome, String reason) {
        assertThat(outcome.path("action").asText()).as(outcome.toString()).isEqualTo("failed");
        assertThat(outcome.path("error").asText()).as(outcome.toString()).contains("refused ").contains(reason + ": ");
    }

    private static void assertNotServed(TestNode node, String op) {
        assertThat(failure(() -> node.client().call(op, null)).code()).as(op + " is not served").isEqualTo(ErrorCode.NOT_FOUND);
        String file = op.startsWith("nsig") ? "nsig.jar" : null;
        if (file != null) {
            JsonNode listed = pluginByFile(node == strict ? strictAdmin : laxAdmin, file);
            assertThat(listed.path("state").asText()).isEqualTo("FAILED");
        }
    }

    private static Path greeterJar(String id, String version, String greeting) {
        return new PluginJarBuilder()
                .manifest("{\"id\": \"" + id + "\", \"version\": \"" + version + "\", \"apiVersion\": 1,"
                        + " \"ops\": [{\"name\": \"" + id + ".hello\", \"scope\": \"read\"}]}")
                .source("example.sig.Greeter", """
                        package example.sig;

                        import com.fasterxml.jackson.databind.JsonNode;
                        import com.fasterxml.jackson.databind.node.TextNode;
                        import dev.pando.api.plugin.OpCall;
                        import dev.pando.api.plugin.PandoPlugin;

                        @org.pf4j.Extension
                        public class Greeter implements PandoPlugin {
                            @Override
                            public JsonNode call(OpCall call) {
                                return TextNode.valueOf("%s");
                            }
                        }
                        """.formatted(greeting))
                .writeTo(work.resolve("jars"), id + "-" + version + ".jar");
    }

    /** Offset of the last byte of the first section with this id. */
    private static int lastByteOfSection(byte[] wasm, int sectionId) {
        int p = 8;
        while (p < wasm.length) {
            int id = wasm[p++] & 0xff;
            int size = 0;
            int shift = 0;
            int b;
            do {
                b = wasm[p++] & 0xff;
                size |= (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            if (id == sectionId) {
                return p + size - 1;
            }
            p += size;
        }
        throw new AssertionError("no section " + sectionId);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
