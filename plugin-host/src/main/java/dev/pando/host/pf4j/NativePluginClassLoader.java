package dev.pando.host.pf4j;

import java.util.List;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * A native plugin's class loader. Plugin-first, so a plugin's own classes and the libraries it
 * bundles win over the host's copies; except for the {@link #HOST_PACKAGES}, which always come
 * from the host so that both sides of the plugin contract see the same {@code Class} objects
 * (a plugin that bundles its own {@code PandoPlugin} or Jackson would otherwise implement an
 * interface, or return a {@code JsonNode}, the host cannot use).
 */
final class NativePluginClassLoader extends PluginClassLoader {

    /**
     * Package prefixes resolved host-first: the JDK, everything the plugin API exposes, and PF4J,
     * whose {@code @Extension} the host's PF4J reads on plugin classes.
     */
    static final List<String> HOST_PACKAGES = List.of(
            "java.", "javax.", "jdk.",
            "dev.pando.api.", "org.pf4j.", "com.fasterxml.jackson.", "org.slf4j.");

    NativePluginClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader host) {
        super(manager, descriptor, host, ClassLoadingStrategy.PDA);
    }

    static boolean isHostFirst(String className) {
        for (String prefix : HOST_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Class<?> loadClass(String className) throws ClassNotFoundException {
        if (!isHostFirst(className)) {
            return super.loadClass(className);
        }
        synchronized (getClassLoadingLock(className)) {
            Class<?> loaded = findLoadedClass(className);
            if (loaded != null) {
                return loaded;
            }
            try {
                return getParent().loadClass(className);
            } catch (ClassNotFoundException notInHost) {
                if (className.startsWith("java.")) {
                    throw notInHost; // only the JDK may define java.*
                }
                // A class of these packages the host lacks (say a Jackson module the plugin
                // bundles) can still come from the plugin and link against the host's core.
                return findClass(className);
            }
        }
    }
}
