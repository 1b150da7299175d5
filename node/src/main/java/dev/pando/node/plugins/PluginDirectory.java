package dev.pando.node.plugins;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.host.PluginFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The plugins directory: every {@code .jar} and {@code .wasm} in it, by file name, hashed as it is now. */
record PluginDirectory(Path path) implements PluginSource {
    private static final Logger log = LoggerFactory.getLogger(PluginDirectory.class);

    @Override
    public List<PluginCandidate> candidates() {
        List<PluginCandidate> out = new ArrayList<>();
        try {
            for (Path f : PluginFiles.list(path)) {
                try {
                    out.add(new PluginCandidate.PluginFile(f, PluginFiles.contentHash(f)));
                } catch (IOException e) {
                    log.warn("cannot read plugin file {}: {}", f, e.toString()); // vanished mid-scan or unreadable
                }
            }
        } catch (IOException e) {
            throw new PandoException(ErrorCode.INTERNAL, "cannot list plugins directory " + path + ": " + e.getMessage(), e);
        }
        return out;
    }
}
