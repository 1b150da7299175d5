package dev.pando.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.host.testing.PluginJarBuilder;
import dev.pando.host.testing.Wat;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.Ed25519Keys;
import dev.pando.signing.KeyFormat;
import dev.pando.signing.WasmBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keygen and plugin pack/sign/verify, run in-process against files in a temp dir. */
class SigningCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A module a node loads: memory, allocator and one op export ("echo"). */
    static final byte[] MODULE = Wat.module("echo");
    static final String MANIFEST = "{\"id\":\"counter\",\"version\":\"1.2.3\",\"apiVersion\":1}";

    @TempDir
    Path dir;
    Path key;
    Path trusted;
    String fingerprint;

    @BeforeEach
    void keygen() throws Exception {
        key = dir.resolve("release.key");
        CliRun r = CliRun.run("keygen", "-o", key.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode out = JSON.readTree(r.out());
        fingerprint = out.get("fingerprint").asText();
        trusted = dir.resolve("release.key.pub");
        Files.write(dir.resolve("module.wasm"), MODULE);
        Files.writeString(dir.resolve("plugin.json"), MANIFEST);
    }

    String p(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void keygenWritesAPairAndPrintsItsPublicKey() throws Exception {
        Ed25519KeyPair pair = Ed25519Keys.readPrivate(key);
        assertThat(Ed25519Keys.readPublic(trusted)).isEqualTo(pair.publicKey());
        assertThat(fingerprint).isEqualTo(Ed25519KeyPair.fingerprint(pair.publicKey()));
        assertThat(Files.readString(key)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        assertThat(Files.readString(trusted)).startsWith("ssh-ed25519 AAAA").endsWith(" release.key\n");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        }
        CliRun again = CliRun.run("keygen", "-o", key.toString(), "--format", "pem");
        assertThat(again.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(again.err()).isEqualTo("error: " + key + " already exists; use --force to replace it\n");
        assertThat(Ed25519Keys.readPrivate(key).seed()).as("untouched").isEqualTo(pair.seed());

        Files.delete(key);
        CliRun pubLeft = CliRun.run("keygen", "-o", key.toString());
        assertThat(pubLeft.err()).as("the .pub alone also blocks").contains(trusted + " already exists");

        CliRun forced = CliRun.run("keygen", "-o", key.toString(), "--format", "PEM", "--force");
        assertThat(forced.exit()).as(forced.toString()).isZero();
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(trusted)).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(JSON.readTree(forced.out()).get("publicKey").asText())
                .isEqualTo(Ed25519Keys.encodePublic(Ed25519Keys.readPublic(trusted), KeyFormat.OPENSSH, "release.key").strip());

        CliRun hex = CliRun.run("keygen", "-o", p("hex.key"), "--format", "hex");
        assertThat(Files.readString(dir.resolve("hex.key"))).matches("[0-9a-f]{64}\n");
        assertThat(Ed25519Keys.readPrivate(dir.resolve("hex.key")).publicKey()).isEqualTo(Ed25519Keys.readPublic(dir.resolve("hex.key.pub")));
        assertThat(hex.exit()).isZero();

        CliRun bad = CliRun.run("keygen", "-o", p("x"), "--format", "der");
        assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).startsWith("error: Invalid value for option '--format'");
    }

    @Test
    void packThenVerifyWasm() throws Exception {
        CliRun pack = CliRun.run("plugin", "pack", "--manifest", p("plugin.json"), "--key", key.toString(), p("module.wasm"), "-o", p("out.wasm"));
        assertThat(pack.exit()).as(pack.toString()).isZero();
        assertThat(pack.err()).isEmpty();
        JsonNode packed = JSON.readTree(pack.out());
        assertThat(packed.get("id").asText()).isEqualTo("counter");
        assertThat(packed.get("version").asText()).isEqualTo("1.2.3");
        assertThat(packed.get("signer").asText()).isEqualTo(fingerprint);
        assertThat(WasmBundle.read(Files.readAllBytes(dir.resolve("out.wasm"))).manifest()).asString(StandardCharsets.UTF_8).isEqualTo(MANIFEST);

        CliRun verify = CliRun.run("plugin", "verify", "--trusted", trusted.toString(), p("out.wasm"));
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(JSON.readTree(verify.out())).isEqualTo(JSON.readTree("{\"file\":\"" + p("out.wasm") + "\",\"kind\":\"wasm\",\"id\":\"counter\","
                + "\"version\":\"1.2.3\",\"signer\":\"" + fingerprint + "\"}"));

        // A directory of trusted keys works too.
        Path keys = Files.createDirectory(dir.resolve("trusted.d"));
        Files.copy(trusted, keys.resolve("release.pub"));
        assertThat(CliRun.run("plugin", "verify", "--trusted", keys.toString(), p("out.wasm")).exit()).isZero();
    }

    @Test
    void verifyRefusalsExitOneWithTheReason() throws Exception {
        CliRun.run("plugin", "pack", "--manifest", p("plugin.json"), "--key", key.toString(), p("module.wasm"), "-o", p("out.wasm"));
        Path stranger = dir.resolve("stranger.pub");
        Ed25519Keys.writePublic(stranger, Ed25519KeyPair.generate().publicKey(), KeyFormat.OPENSSH, null);
        CliRun untrusted = CliRun.run("plugin", "verify", "--trusted", stranger.toString(), p("out.wasm"));
        assertThat(untrusted.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(untrusted.out()).isEmpty();
        assertThat(untrusted.err()).isEqualTo("error: refused " + p("out.wasm") + ": UNTRUSTED_SIGNER: the module is signed by key "
                + fingerprint + ", which is not among the trusted keys\n");

        byte[] bytes = Files.readAllBytes(dir.resolve("out.wasm"));
        bytes[MODULE.length - 2] ^= 1; // inside the function body
        Files.write(dir.resolve("tampered.wasm"), bytes);
        CliRun tampered = CliRun.run("plugin", "verify", "--trusted", trusted.toString(), p("tampered.wasm"));
        assertThat(tampered.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(tampered.err()).startsWith("error: refused " + p("tampered.wasm") + ": BAD_SIGNATURE: ");

        Files.write(dir.resolve("cut.wasm"), java.util.Arrays.copyOf(bytes, bytes.length - 10));
        CliRun cut = CliRun.run("plugin", "verify", "--trusted", trusted.toString(), p("cut.wasm"));
        assertThat(cut.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(cut.err()).startsWith("error: refused " + p("cut.wasm") + ": the file is truncated");

        CliRun unsigned = CliRun.run("plugin", "pack", "--manifest", p("plugin.json"), "--unsigned", p("module.wasm"), "-o", p("dev.wasm"));
        assertThat(unsigned.exit()).isZero();
        assertThat(unsigned.err()).startsWith("warning: " + p("dev.wasm") + " is unsigned");
        assertThat(JSON.readTree(unsigned.out()).get("signer").isNull()).isTrue();
        CliRun refused = CliRun.run("plugin", "verify", "--trusted", trusted.toString(), p("dev.wasm"));
        assertThat(refused.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(refused.err()).contains(": UNSIGNED: the module is not signed");
    }

    @Test
    void packRefusesBadInputWithUsageErrors() throws Exception {
        Files.writeString(dir.resolve("bad.json"), "{\"id\":\"Bad Id\",\"version\":\"1.0.0\",\"apiVersion\":1}");
        CliRun badManifest = CliRun.run("plugin", "pack", "--manifest", p("bad.json"), "--key", key.toString(), p("module.wasm"), "-o", p("o.wasm"));
        assertThat(badManifest.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badManifest.err()).startsWith("error: " + p("bad.json") + ": manifest id: 'Bad Id' must be lowercase");
        assertThat(dir.resolve("o.wasm")).doesNotExist();

        CliRun notWasm = CliRun.run("plugin", "pack", "--manifest", p("plugin.json"), "--key", key.toString(), p("plugin.json"), "-o", p("o.wasm"));
        assertThat(notWasm.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(notWasm.err()).isEqualTo("error: " + p("plugin.json") + ": the module is not a WASM module (it does not start with \\0asm)\n");

        CliRun publicAsKey = CliRun.run("plugin", "pack", "--manifest", p("plugin.json"), "--key", trusted.toString(), p("module.wasm"), "-o", p("o.wasm"));
        assertThat(publicAsKey.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(publicAsKey.err()).isEqualTo("error: " + trusted + ": is an OpenSSH public key; a private key is needed here\n");

        CliRun missingKey = CliRun.run("plugin", "pack", "--manifest", p("plugin.json"), "--key", p("nope.key"), p("module.wasm"), "-o", p("o.wasm"));
        assertThat(missingKey.err()).isEqualTo("error: cannot read key " + p("nope.key") + ": no such file\n");
        assertThat(missingKey.exit()).isEqualTo(ExitCodes.USAGE);

        CliRun neither = CliRun.run("plugin", "pack", "--manifest", p("plugin.json"), p("module.wasm"), "-o", p("o.wasm"));
        assertThat(neither.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(neither.err()).contains("--key").contains("--unsigned");
        CliRun both = CliRun.run("plugin", "pack", "--manifest", p("plugin.json"), "--unsigned", "--key", key.toString(), p("module.wasm"), "-o", p("o.wasm"));
        assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("mutually exclusive");
        assertThat(dir.resolve("o.wasm")).doesNotExist();
    }

    @Test
    void signAndVerifyJar() throws Exception {
        Path jar = new PluginJarBuilder().manifest(PluginJarBuilder.minimalManifest("echo", "1.0.0"))
                .source("example.Echo", """
                        package example;
                        @org.pf4j.Extension
                        public class Echo implements dev.pando.api.plugin.PandoPlugin {
                            public com.fasterxml.jackson.databind.JsonNode call(dev.pando.api.plugin.OpCall c) { return c.args(); }
                        }""")
                .writeTo(dir, "plugin.jar");
        CliRun sign = CliRun.run("plugin", "sign", "--key", key.toString(), jar.toString());
        assertThat(sign.exit()).as(sign.toString()).isZero();
        assertThat(JSON.readTree(sign.out()).get("signature").asText()).isEqualTo(jar + ".sig");
        assertThat(Files.readAllLines(dir.resolve("plugin.jar.sig")).get(0)).isEqualTo("pando-signature v1");

        CliRun plain = CliRun.run("plugin", "verify", jar.toString());
        assertThat(plain.exit()).as(plain.toString()).isZero();
        assertThat(JSON.readTree(plain.out()).get("id").asText()).isEqualTo("echo");
        CliRun ok = CliRun.run("plugin", "verify", "--trusted", trusted.toString(), jar.toString());
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(JSON.readTree(ok.out())).isEqualTo(JSON.readTree("{\"file\":\"" + jar + "\",\"kind\":\"jar\",\"id\":\"echo\","
                + "\"version\":\"1.0.0\",\"signer\":\"" + fingerprint + "\"}"));

        Files.writeString(jar, "tampered", java.nio.file.StandardOpenOption.APPEND);
        CliRun bad = CliRun.run("plugin", "verify", "--trusted", trusted.toString(), jar.toString());
        assertThat(bad.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(bad.err()).startsWith("error: refused " + jar + ": BAD_SIGNATURE: the file does not match its signature (claimed signer " + fingerprint);

        Files.delete(dir.resolve("plugin.jar.sig"));
        CliRun unsigned = CliRun.run("plugin", "verify", "--trusted", trusted.toString(), jar.toString());
        assertThat(unsigned.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(unsigned.err()).isEqualTo("error: refused " + jar + ": UNSIGNED: the file is not signed (there is no plugin.jar.sig beside it)\n");

        CliRun wasm = CliRun.run("plugin", "sign", "--key", key.toString(), p("module.wasm"));
        assertThat(wasm.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(wasm.err()).contains("sign it with 'pando plugin pack'");
        assertThat(dir.resolve("module.wasm.sig")).doesNotExist();
    }

    @Test
    void verifyRunsTheNodesChecksNotOnlyTheSignature() throws Exception {
        // Signed and well-formed, but the op's export is not in the module: a node refuses it, so verify must.
        Files.writeString(dir.resolve("missing.json"), "{\"id\":\"counter\",\"version\":\"1.2.3\",\"apiVersion\":1,"
                + "\"ops\":[{\"name\":\"counter.incr\",\"scope\":\"write\"}]}");
        CliRun pack = CliRun.run("plugin", "pack", "--manifest", p("missing.json"), "--key", key.toString(), p("module.wasm"), "-o", p("bad.wasm"));
        assertThat(pack.exit()).as(pack.toString()).isZero();
        CliRun verify = CliRun.run("plugin", "verify", "--trusted", trusted.toString(), p("bad.wasm"));
        assertThat(verify.exit()).as(verify.toString()).isEqualTo(ExitCodes.REQUEST);
        assertThat(verify.out()).isEmpty();
        assertThat(verify.err()).startsWith("error: refused " + p("bad.wasm") + ": ").contains("counter.incr").contains("'incr'");

        // Without keys, everything but the signature is still checked.
        CliRun untrusted = CliRun.run("plugin", "verify", p("bad.wasm"));
        assertThat(untrusted.exit()).as(untrusted.toString()).isEqualTo(ExitCodes.REQUEST);
        assertThat(untrusted.err()).contains("counter.incr");
        CliRun.run("plugin", "pack", "--manifest", p("plugin.json"), "--key", key.toString(), p("module.wasm"), "-o", p("out.wasm"));
        CliRun fine = CliRun.run("plugin", "verify", p("out.wasm"));
        assertThat(fine.exit()).as(fine.toString()).isZero();
        assertThat(fine.err()).startsWith("warning: no --trusted keys given: the signature is not checked");
        assertThat(JSON.readTree(fine.out()).get("signer").isNull()).isTrue();

    }

    @Test
    void verifyUsageErrors() throws Exception {
        Path badTrust = dir.resolve("trusted.txt");
        Files.writeString(badTrust, "# keys\n\nnot-a-key\n");
        CliRun r = CliRun.run("plugin", "verify", "--trusted", badTrust.toString(), p("module.wasm"));
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("error: " + badTrust + ":3: is not an Ed25519 public key");

        assertThat(CliRun.run("plugin", "verify", "--trusted", trusted.toString(), p("plugin.json")).err())
                .isEqualTo("error: cannot tell what " + p("plugin.json") + " is: expected a .wasm or .jar plugin\n");
        CliRun missing = CliRun.run("plugin", "verify", "--trusted", trusted.toString(), p("gone.jar"));
        assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).isEqualTo("error: cannot read " + p("gone.jar") + ": no such file\n");
        CliRun noTrust = CliRun.run("plugin", "verify", "--trusted", p("nothing"), p("module.wasm"));
        assertThat(noTrust.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(noTrust.err()).isEqualTo("error: cannot read trusted keys " + p("nothing") + ": no such file\n");

        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "# nobody\n");
        CliRun.run("plugin", "pack", "--manifest", p("plugin.json"), "--key", key.toString(), p("module.wasm"), "-o", p("out.wasm"));
        CliRun none = CliRun.run("plugin", "verify", "--trusted", empty.toString(), p("out.wasm"));
        assertThat(none.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(none.err()).startsWith("warning: " + empty + " holds no keys").contains("UNTRUSTED_SIGNER");
    }

    @Test
    void helpAndMissingSubcommand() {
        for (String[] args : new String[][] {{"keygen", "--help"}, {"plugin", "--help"}, {"plugin", "pack", "--help"},
                {"plugin", "sign", "--help"}, {"plugin", "verify", "--help"}}) {
            CliRun r = CliRun.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).contains("Usage: pando");
        }
        assertThat(CliRun.run("--help").out()).contains("keygen", "plugin");
        CliRun none = CliRun.run("plugin");
        assertThat(none.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err()).startsWith("error: missing plugin command (pack, sign or verify)");
    }
}
