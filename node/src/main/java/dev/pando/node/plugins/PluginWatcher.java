package dev.pando.node.plugins;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads when the plugins directory changes. Copying a jar in produces a burst of events, so a
 * reload runs only once the directory has been quiet for the debounce time.
 */
public final class PluginWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginWatcher.class);

    private final PluginManager plugins;
    private final long debounceMs;
    private final WatchService watch;
    private final Thread thread;

    public PluginWatcher(PluginManager plugins, long debounceMs) throws IOException {
        this.plugins = plugins;
        this.debounceMs = Math.max(1, debounceMs);
        Path dir = plugins.directory();
        Files.createDirectories(dir);
        this.watch = FileSystems.getDefault().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
        this.thread = new Thread(this::run, "pando-plugin-watch");
        thread.setDaemon(true);
        thread.start();
        log.info("watching {} for plugin changes (debounce {} ms)", dir, this.debounceMs);
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watch.take();
                drainAndReset(key);
                // Debounce: keep absorbing events until the directory has been quiet long enough.
                WatchKey more;
                while ((more = watch.poll(debounceMs, TimeUnit.MILLISECONDS)) != null) {
                    drainAndReset(more);
                }
                try {
                    plugins.reload();
                } catch (RuntimeException e) {
                    log.error("watched reload failed: {}", e.toString());
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    private static void drainAndReset(WatchKey key) {
        key.pollEvents();
        if (!key.reset()) {
            log.warn("the plugins directory {} is gone; watching stopped (use pando reload, or restart to watch again)", key.watchable());
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            log.debug("closing watch service: {}", e.toString());
        }
        thread.interrupt();
    }
}
