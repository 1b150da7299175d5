package dev.pando.node.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvChange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: RocksDB on a 16 MiB tmpfs (needs root to mount; skipped otherwise, the
 * mapping and resume logic is also covered by {@link WriteResumeTest}).
 */
class RocksDiskFullTest {
    @TempDir
    Path tmp;
    private Path mount;
    private boolean mounted;

    @BeforeEach
    void mountTmpfs() throws Exception {
        mount = tmp.resolve("small");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root): a real full disk cannot be simulated");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullDiskIsUnavailableAndWritesResumeOnceSpaceIsFreedWithoutARestart() throws IOException {
        Path filler = mount.resolve("filler");
        try (StateStore store = StateStore.rocks(mount.resolve("state"), StoreOptions.defaults("n"))) {
            store.set("/before", TextNode.valueOf("x"), WriteOptions.by("t")).join();
            long usable = Files.getFileStore(mount).getUsableSpace();
            Files.write(filler, new byte[(int) Math.max(0, usable - (1 << 20))]);

            PandoException failure = null;
            String pad = "y".repeat(4000);
            for (int i = 0; i < 10_000 && failure == null; i++) {
                try {
                    store.set("/fill/" + i, TextNode.valueOf(pad), WriteOptions.by("t")).join();
                } catch (CompletionException e) {
                    failure = (PandoException) e.getCause();
                }
            }
            assertThat(failure).as("the disk filled up").isNotNull();
            assertThat(failure.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(failure.getMessage()).contains("disk full", "resume");
            assertThat(store.get("/before")).as("reads keep working").isPresent();

            Files.delete(filler);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            KvChange after = null;
            while (after == null && System.nanoTime() < deadline) {
                try {
                    after = store.set("/after", TextNode.valueOf("z"), WriteOptions.by("t")).join();
                } catch (CompletionException e) {
                    assertThat(((PandoException) e.getCause()).code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    sleep(200);
                }
            }
            assertThat(after).as("writes resumed without a restart").isNotNull();
            assertThat(store.get("/after")).isPresent();
            assertThat(store.get("/before")).isPresent();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
