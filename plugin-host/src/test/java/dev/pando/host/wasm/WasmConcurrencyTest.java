package dev.pando.host.wasm;

import static dev.pando.host.testing.TestHost.failure;
import static dev.pando.host.testing.TestHost.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.host.HostContext;
import dev.pando.host.HostServices;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.TestHost;
import dev.pando.host.testing.WasmFixture;
import dev.pando.host.testing.Wat;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many threads, few instances: each call gets an instance of its own and the right answer. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WasmConcurrencyTest {

    @Test
    void manyThreadsShareTwoInstances() throws Exception {
        int threads = 8;
        int callsEach = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (WasmFixture echo = WasmFixture.start("echo", WasmOptions.DEFAULT)) {
            assertThat(echo.plugin().manifest().limits().instances()).isEqualTo(2);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    int correct = 0;
                    for (int i = 0; i < callsEach; i++) {
                        // Args of varying length, so a mix-up between concurrent calls would show.
                        String args = "{\"thread\":" + thread + ",\"i\":" + i + ",\"pad\":\"" + "x".repeat(thread * 7 + i % 5) + "\"}";
                        if (echo.call("echo", args).equals(json(args))) {
                            correct++;
                        }
                    }
                    return correct;
                }));
            }
            go.countDown();
            for (Future<Integer> f : done) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(callsEach);
            }
            assertThat(echo.plugin().stats().instancesCreated()).isBetween(1L, 2L);
            assertThat(echo.plugin().stats().instancesDiscarded()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void whenEveryInstanceIsBusyACallWaitsForOne() throws Exception {
        BlockingGets services = new BlockingGets();
        WasmPlugin plugin = startProbe(services, 5_000);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<JsonNode>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(pool.submit(() -> plugin.call(TestHost.call("ab.get", "{\"key\":\"/_plugins/ab/x\"}"))));
            }
            assertThat(services.inside.tryAcquire(2, 10, TimeUnit.SECONDS)).as("two calls inside kv_get").isTrue();
            assertThat(services.inside.tryAcquire(1, 300, TimeUnit.MILLISECONDS)).as("the third waits for an instance").isFalse();
            assertThat(plugin.stats().instancesCreated()).isEqualTo(2);

            services.release.countDown();
            for (Future<JsonNode> call : calls) {
                assertThat(call.get(10, TimeUnit.SECONDS).get("status").asInt()).isEqualTo(AbiV1.Status.NOT_FOUND.code());
            }
            assertThat(plugin.stats().instancesCreated()).isEqualTo(2);
        } finally {
            services.release.countDown();
            pool.shutdownNow();
            plugin.close();
        }
    }

    @Test
    void theWaitForAnInstanceIsBoundedByTheCallTimeout() throws Exception {
        BlockingGets services = new BlockingGets();
        WasmPlugin plugin = startProbe(services, 300);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2; i++) {
                pool.submit(() -> plugin.call(TestHost.call("ab.get", "{\"key\":\"/_plugins/ab/x\"}")));
            }
            assertThat(services.inside.tryAcquire(2, 10, TimeUnit.SECONDS)).isTrue();
            PandoException e = failure(() -> plugin.call(TestHost.call("ab.get", "{\"key\":\"/_plugins/ab/x\"}")));
            assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(e.getMessage()).contains("all 2 instances stayed busy for 300 ms");
        } finally {
            services.release.countDown();
            pool.shutdownNow();
            plugin.close();
        }
    }

    private static WasmPlugin startProbe(HostServices services, int callTimeoutMs) {
        PluginManifest manifest = TestHost.manifest(Wat.manifestJson("kvprobe")
                .replace("\"callTimeoutMs\": 1000", "\"callTimeoutMs\": " + callTimeoutMs));
        assertThat(manifest.limits().callTimeoutMs()).isEqualTo(callTimeoutMs);
        WasmPlugin plugin = WasmPlugin.load(manifest, Wat.module("kvprobe"), WasmOptions.DEFAULT);
        plugin.start(new HostContext(manifest, services, null, TestHost.CLOCK));
        return plugin;
    }

    /** Holds every get until released, so calls pile up inside the guest. */
    private static final class BlockingGets implements HostServices {
        final MemoryHostServices delegate = TestHost.services();
        final Semaphore inside = new Semaphore(0);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public Optional<KvEntry> get(String key) {
            inside.release();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return delegate.get(key);
        }

        @Override
        public KvEntry set(String key, JsonNode value, long ifRevision, String writer) {
            return delegate.set(key, value, ifRevision, writer);
        }

        @Override
        public boolean delete(String key, String writer) {
            return delegate.delete(key, writer);
        }

        @Override
        public KvPage scan(String prefixOrPattern, String after, int limit) {
            return delegate.scan(prefixOrPattern, after, limit);
        }

        @Override
        public void publish(String topic, JsonNode payload, String publisher) {
            delegate.publish(topic, payload, publisher);
        }

        @Override
        public ChangeFeed feed(String consumer) {
            return delegate.feed(consumer);
        }

        @Override
        public Caller principal(String name) {
            return delegate.principal(name);
        }
    }
}
