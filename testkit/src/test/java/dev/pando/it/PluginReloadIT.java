package dev.pando.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.client.PandoClient;
import dev.pando.host.testing.PluginJarBuilder;
import dev.pando.host.testing.Wat;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.testkit.TestNode;
import dev.pando.testkit.TestScale;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload of a native plugin under continuous load: every request is answered, each client
 * sees versions only move forward, and a replaced plugin's classloader can be collected.
 */
class PluginReloadIT {
    private static final int REPLACEMENTS = 50 * TestScale.factor();
    private static final int CLIENTS = 4;

    @TempDir
    Path work;

    @Test
    void replacingAPluginUnderLoadLosesNothing() throws Exception {
        Path template = new PluginJarBuilder()
                .manifest(manifest(0))
                .source("example.ver.Ver", """
                        package example.ver;

                        import com.fasterxml.jackson.databind.JsonNode;
                        import com.fasterxml.jackson.databind.node.JsonNodeFactory;
                        import dev.pando.api.plugin.OpCall;
                        import dev.pando.api.plugin.PandoPlugin;
                        import dev.pando.api.plugin.PluginContext;

                        @org.pf4j.Extension
                        public class Ver implements PandoPlugin {
                            private String version;

                            @Override
                            public void start(PluginContext ctx) {
                                version = ctx.manifest().version();
                            }

                            @Override
                            public JsonNode call(OpCall call) {
                                return JsonNodeFactory.instance.objectNode().put("version", version);
                            }
                        }""")
                .writeTo(work, "template.jar");
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        install(template, 0, plugins);

        try (TestNode node = TestNode.builder().inMemory().pluginsDir(plugins).start()) {
            assertThat(node.client().call("ver.get", null).path("version").asText()).isEqualTo("1.0.0");
            WeakReference<ClassLoader> firstLoader = new WeakReference<>(
                    node.node().plugins().plugin("ver").orElseThrow().loaded().plugin().getClass().getClassLoader());

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong answered = new AtomicLong();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Thread> load = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                PandoClient client = node.client();
                Thread t = new Thread(() -> {
                    int last = 0;
                    while (!stop.get()) {
                        try {
                            JsonNode r = client.call("ver.get", null);
                            int v = Integer.parseInt(r.path("version").asText().substring("1.0.".length()));
                            if (v < last) {
                                problems.add("version went back from " + last + " to " + v);
                            }
                            last = v;
                            answered.incrementAndGet();
                        } catch (RuntimeException e) {
                            problems.add(e.toString());
                        }
                    }
                }, "load-" + c);
                t.start();
                load.add(t);
            }

            try (PandoClient admin = node.adminClient()) {
                for (int i = 1; i <= REPLACEMENTS; i++) {
                    install(template, i, plugins);
                    JsonNode report = admin.call("admin.reload", null);
                    assertThat(report.path("replaced").asInt()).as("reload %d: %s", i, report).isEqualTo(1);
                    assertThat(report.path("failed").asInt()).isZero();
                }
            }
            long before = answered.get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (answered.get() < before + 100 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            stop.set(true);
            for (Thread t : load) {
                t.join(10_000);
            }

            assertThat(problems).as("failed or out-of-order responses").isEmpty();
            assertThat(answered.get()).as("requests answered during %d reloads", REPLACEMENTS).isGreaterThan(REPLACEMENTS);
            assertThat(node.client().call("ver.get", null).path("version").asText()).isEqualTo("1.0." + REPLACEMENTS);

            assertThat(node.node().plugins().awaitRetired(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 50 && firstLoader.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertThat(firstLoader.get()).as("the first version's classloader was collected").isNull();

            node.uninstall("ver.jar"); // deletes the file, reloads and checks the outcome is UNLOADED
            assertThat(plugins.resolve("ver.jar")).doesNotExist();
            assertThat(node.plugin("ver")).isEmpty();
        }
    }

    @Test
    void aFileThatNowDeclaresAnotherIdUnloadsTheOldId() {
        Ed25519KeyPair key = Ed25519KeyPair.generate();
        Path plugins = work.resolve("renamed");
        PluginSupport.drop(plugins, "echo.wasm", PluginSupport.signed("echo", key));
        try (TestNode node = TestNode.builder().inMemory()
                .with(NodeConfig.TRUSTED_KEYS, PluginSupport.trust(work.resolve("trusted-keys"), key).toString())
                .pluginsDir(plugins).start()) {
            PandoClient admin = node.adminClient();
            assertThat(node.client().call("echo.echo", Json.obj().put("a", 1)).path("a").asInt()).isEqualTo(1);

            String renamed = PluginSupport.manifest("echo", "\"echo", "\"mirror");
            PluginSupport.drop(plugins, "echo.wasm", PluginSupport.signed(Wat.module("echo"), renamed, key));
            JsonNode report = PluginSupport.reload(admin);
            List<String> outcomes = new ArrayList<>();
            report.path("outcomes").forEach(o -> outcomes.add(o.path("id").asText() + " " + o.path("action").asText()));
            assertThat(outcomes).containsExactlyInAnyOrder("echo unloaded", "mirror loaded");
            assertThat(PluginSupport.failure(() -> node.client().call("echo.echo", null)).code())
                    .as("the id the file no longer declares is not served").isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(node.client().call("mirror.echo", Json.obj().put("b", 2)).path("b").asInt()).isEqualTo(2);
            assertThat(PluginSupport.plugins(admin)).extracting(p -> p.path("id").asText()).containsExactly("mirror");
            assertThat(PluginSupport.reload(admin).path("unchanged").asInt()).as("and the next reload has nothing to do").isEqualTo(1);
        }
    }

    private static String manifest(int n) {
        return "{\"id\": \"ver\", \"version\": \"1.0." + n + "\", \"apiVersion\": 1,"
                + " \"ops\": [{\"name\": \"ver.get\", \"scope\": \"read\"}], \"limits\": {\"instances\": 8}}";
    }

    /** Copies the template jar with manifest version 1.0.n and moves it into place atomically. */
    private void install(Path template, int n, Path plugins) throws IOException {
        Path tmp = work.resolve("ver-" + n + ".tmp");
        try (ZipFile in = new ZipFile(template.toFile()); OutputStream os = Files.newOutputStream(tmp);
             ZipOutputStream out = new ZipOutputStream(os)) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(e.getName()));
                if (e.getName().equals(PluginJarBuilder.MANIFEST_ENTRY)) {
                    out.write(manifest(n).getBytes(StandardCharsets.UTF_8));
                } else {
                    in.getInputStream(e).transferTo(out);
                }
                out.closeEntry();
            }
        }
        Files.move(tmp, plugins.resolve("ver.jar"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
