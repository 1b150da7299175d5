package dev.pando.host.pf4j;

import dev.pando.api.plugin.PandoPlugin;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.pf4j.AbstractExtensionFinder;
import org.pf4j.IndexedExtensionFinder;
import org.pf4j.PluginManager;
import org.pf4j.PluginWrapper;
import org.pf4j.processor.ExtensionStorage;

/**
 * Finds the extension classes a plugin jar declares, reading only that jar: the
 * {@code META-INF/extensions.idx} PF4J's annotation processor writes for {@code @Extension}
 * classes, and the {@code META-INF/services} file for {@link PandoPlugin}. PF4J's own finders
 * also read the host's classpath and, for a jar without an index, resolve it through the plugin
 * class loader, which falls back to the host: a plugin would be handed the host's extensions.
 */
final class PluginJarExtensionFinder extends AbstractExtensionFinder {
    private static final List<String> INDEXES = List.of(IndexedExtensionFinder.EXTENSIONS_RESOURCE, NativePluginLoader.SERVICES_ENTRY);
    private static final int MAX_INDEX_BYTES = 64 * 1024;

    PluginJarExtensionFinder(PluginManager manager) {
        super(manager);
    }

    /** None: the host's classpath is never a source of plugin extensions. */
    @Override
    public Map<String, Set<String>> readClasspathStorages() {
        return Map.of();
    }

    @Override
    public Map<String, Set<String>> readPluginsStorages() {
        Map<String, Set<String>> byPlugin = new LinkedHashMap<>();
        for (PluginWrapper plugin : pluginManager.getPlugins()) {
            byPlugin.put(plugin.getPluginId(), classNames(plugin.getPluginPath()));
        }
        return byPlugin;
    }

    /** The class names both indexes list, sorted so that errors naming them are stable. */
    static Set<String> classNames(Path jar) {
        Set<String> names = new TreeSet<>();
        for (String index : INDEXES) {
            PluginJar.read(jar, index, MAX_INDEX_BYTES).ifPresent(bytes -> {
                try {
                    ExtensionStorage.read(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8), names);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // cannot happen: the bytes are in memory
                }
            });
        }
        return names;
    }
}
