package dev.pando.host.pf4j;

import dev.pando.api.manifest.ManifestCaps;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.pf4j.AbstractPluginManager;
import org.pf4j.DefaultExtensionFactory;
import org.pf4j.DefaultPluginFactory;
import org.pf4j.DefaultVersionManager;
import org.pf4j.ExtensionFactory;
import org.pf4j.ExtensionFinder;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PluginFactory;
import org.pf4j.PluginLoader;
import org.pf4j.PluginRepository;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PluginState;
import org.pf4j.PluginStatusProvider;
import org.pf4j.PluginWrapper;
import org.pf4j.VersionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PF4J plugin manager holding exactly one plugin jar.
 *
 * <p>Why one manager per jar: PF4J keys plugins by id and refuses to load a second plugin with
 * an id it already holds, yet a hot reload loads the new version of a plugin while the old one
 * still serves, then unloads the old one. With a manager per jar, two versions of one id are
 * simply two managers, each with its own class loader and bookkeeping, and unloading one cannot
 * disturb the other. Renaming ids internally would work too, but every PF4J map, log line and
 * error would then carry a made-up id. A manager is a handful of small maps, and nothing here
 * scans directories or reads files besides the one jar.
 */
final class SingleJarPluginManager extends AbstractPluginManager {
    private static final Logger log = LoggerFactory.getLogger(SingleJarPluginManager.class);
    /** The loader plugins delegate to: it sees the plugin API, PF4J, Jackson and SLF4J. */
    private static final ClassLoader HOST_LOADER = SingleJarPluginManager.class.getClassLoader();

    private final Path jar;
    private final PluginDescriptorFinder descriptorFinder;

    SingleJarPluginManager(Path jar, ManifestCaps caps) {
        // The root is never scanned; giving one keeps PF4J from consulting pf4j.pluginsDir.
        super(jar.toAbsolutePath().getParent());
        this.jar = jar;
        this.descriptorFinder = new PandoDescriptorFinder(caps);
    }

    /**
     * Loads the jar and moves it to PF4J's STARTED state (which runs only the no-op base
     * {@code Plugin}; the PandoPlugin is started by the host). PF4J failures become
     * {@code PLUGIN_FAILED}; manifest problems surface as the descriptor finder's
     * {@code BAD_REQUEST}.
     */
    PluginWrapper load() {
        String id;
        try {
            id = loadPlugin(jar);
        } catch (PluginRuntimeException | IllegalArgumentException e) {
            throw PluginJar.pluginFailed(jar, "was refused by PF4J: " + e.getMessage());
        }
        PluginWrapper wrapper = getPlugin(id);
        if (startPlugin(id) != PluginState.STARTED) {
            throw PluginJar.pluginFailed(jar, "could not be started by PF4J: " + wrapper.getFailedException());
        }
        return wrapper;
    }

    /** Unloads the plugin and closes its class loader. Idempotent; logs rather than throws. */
    void unload() {
        for (PluginWrapper plugin : getPlugins()) {
            ClassLoader loader = plugin.getPluginClassLoader();
            try {
                unloadPlugin(plugin.getPluginId());
            } catch (RuntimeException e) {
                log.warn("PF4J could not unload {} cleanly", jar.getFileName(), e);
            }
            // PF4J closes the loader on a normal unload; this covers an unload it refused, so
            // the jar's file handle is released whatever happened.
            if (loader instanceof Closeable closeable) {
                try {
                    closeable.close();
                } catch (IOException e) {
                    log.warn("Could not close the class loader of {}", jar.getFileName(), e);
                }
            }
        }
    }

    /** Needs the caps, which exist only after AbstractPluginManager's constructor has run the create* methods. */
    @Override
    protected PluginDescriptorFinder getPluginDescriptorFinder() {
        return descriptorFinder;
    }

    @Override
    protected PluginDescriptorFinder createPluginDescriptorFinder() {
        return null; // see getPluginDescriptorFinder()
    }

    @Override
    protected PluginLoader createPluginLoader() {
        return new JarPluginLoader(this) {
            @Override
            protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
                return new NativePluginClassLoader(pluginManager, descriptor, HOST_LOADER);
            }
        };
    }

    @Override
    protected ExtensionFinder createExtensionFinder() {
        PluginJarExtensionFinder finder = new PluginJarExtensionFinder(this);
        addPluginStateListener(finder); // it caches the index per plugin; state changes reset that
        return finder;
    }

    /** Never consulted: the node's directory scan decides what loads and hands over one jar. */
    @Override
    protected PluginRepository createPluginRepository() {
        return new PluginRepository() {
            @Override
            public List<Path> getPluginPaths() {
                return List.of();
            }

            @Override
            public boolean deletePluginPath(Path pluginPath) {
                return false;
            }
        };
    }

    /** Nothing is disabled: PF4J's default would read enabled.txt / disabled.txt beside the jars. */
    @Override
    protected PluginStatusProvider createPluginStatusProvider() {
        return new PluginStatusProvider() {
            @Override
            public boolean isPluginDisabled(String pluginId) {
                return false;
            }

            @Override
            public void disablePlugin(String pluginId) {}

            @Override
            public void enablePlugin(String pluginId) {}
        };
    }

    @Override
    protected PluginFactory createPluginFactory() {
        return new DefaultPluginFactory();
    }

    @Override
    protected ExtensionFactory createExtensionFactory() {
        return new DefaultExtensionFactory();
    }

    @Override
    protected VersionManager createVersionManager() {
        return new DefaultVersionManager();
    }
}
