package dev.pando.host.pf4j;

import dev.pando.api.manifest.ManifestCaps;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.PandoPlugin;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.pf4j.IndexedExtensionFinder;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads native plugins. A native plugin is a jar with {@value #MANIFEST_ENTRY} (the manifest,
 * see {@link dev.pando.api.manifest.ManifestParser}) at its root and exactly one public class
 * implementing {@link PandoPlugin} with a public no-argument constructor, named either in
 * {@value #SERVICES_ENTRY} (plain Java, no PF4J at all) or with PF4J's {@code @Extension}
 * (indexed in {@code META-INF/extensions.idx} by PF4J's annotation processor). No PF4J
 * {@code MANIFEST.MF} entries or {@code plugin.properties} are needed.
 *
 * <p>PF4J is this adapter's business, not the contract's: {@link PandoPlugin} is not a PF4J
 * {@code ExtensionPoint}, because the plugin API names no PF4J type. That matters only to PF4J's
 * annotation processor, which by default refuses an {@code @Extension} whose class implements no
 * {@code ExtensionPoint}; compiled with {@value #IGNORE_EXTENSION_POINT_OPTION} it indexes the
 * class under its one interface instead. The host never asks PF4J for extensions by type (which
 * would need the extension point): it reads the class names the jar's indexes list and keeps
 * those implementing {@link PandoPlugin}.
 *
 * <p>Each jar gets its own class loader (see {@link NativePluginClassLoader} for what is shared
 * with the host) and its own PF4J manager, so two versions of one plugin id load side by side.
 * Stateless and thread-safe.
 */
public final class NativePluginLoader {
    /** The manifest's path inside the jar. */
    public static final String MANIFEST_ENTRY = "pando-plugin.json";
    /** The services file that may name the plugin class instead of {@code @Extension}. */
    public static final String SERVICES_ENTRY = "META-INF/services/dev.pando.api.plugin.PandoPlugin";
    /**
     * The javac option that lets PF4J's annotation processor index an {@code @Extension} class
     * implementing {@link PandoPlugin}, which is not a PF4J {@code ExtensionPoint}.
     */
    public static final String IGNORE_EXTENSION_POINT_OPTION = "-Apf4j.ignoreExtensionPoint";

    private static final Logger log = LoggerFactory.getLogger(NativePluginLoader.class);

    /**
     * Loads {@code jar} and instantiates its plugin, without starting it. Every failure leaves
     * nothing loaded and throws a {@link dev.pando.api.PandoException}: {@code BAD_REQUEST} when
     * the jar itself is wrong (not a readable jar, no or an invalid manifest, a manifest asking
     * more than {@code caps} allow, not exactly one plugin class), {@code PLUGIN_FAILED} when the
     * plugin's code fails (its class cannot be linked, its constructor throws).
     */
    public NativePlugin load(Path jar, ManifestCaps caps) {
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(caps, "caps");
        PluginJar.requireReadable(jar);
        SingleJarPluginManager manager = new SingleJarPluginManager(jar, caps);
        boolean loaded = false;
        try {
            PluginWrapper wrapper = manager.load();
            PluginManifest manifest = ((PandoDescriptor) wrapper.getDescriptor()).manifest();
            Set<String> declared = manager.getExtensionClassNames(wrapper.getPluginId());
            Class<? extends PandoPlugin> type = onlyPluginClass(jar, declared, wrapper.getPluginClassLoader());
            NativePlugin plugin = new NativePlugin(jar, manifest, instantiate(jar, type), manager);
            loaded = true;
            return plugin;
        } finally {
            if (!loaded) {
                manager.unload();
            }
        }
    }

    private static Class<? extends PandoPlugin> onlyPluginClass(Path jar, Set<String> declared, ClassLoader loader) {
        List<Class<? extends PandoPlugin>> plugins = new ArrayList<>();
        for (String name : declared) {
            Class<?> type = loadDeclared(jar, name, loader);
            if (PandoPlugin.class.isAssignableFrom(type)) {
                plugins.add(type.asSubclass(PandoPlugin.class));
            }
        }
        if (plugins.isEmpty()) {
            throw PluginJar.badRequest(jar, "has no class implementing " + PandoPlugin.class.getName()
                    + " marked @Extension (" + IndexedExtensionFinder.EXTENSIONS_RESOURCE + ") or listed in " + SERVICES_ENTRY
                    + (declared.isEmpty() ? "" : "; it declares only " + declared));
        }
        if (plugins.size() > 1) {
            throw PluginJar.badRequest(jar, "declares " + plugins.size() + " " + PandoPlugin.class.getSimpleName()
                    + " classes " + plugins.stream().map(Class::getName).toList() + "; exactly one is allowed");
        }
        return plugins.get(0);
    }

    /** Loads without initialising: static initialisers run at instantiation, where failures are reported. */
    private static Class<?> loadDeclared(Path jar, String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            throw PluginJar.badRequest(jar, "declares extension " + name + ", which is not in the jar");
        } catch (LinkageError e) {
            throw failed(jar, "cannot link " + name, e);
        }
    }

    private static PandoPlugin instantiate(Path jar, Class<? extends PandoPlugin> type) {
        if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
            throw PluginJar.badRequest(jar, "plugin class " + type.getName() + " must be public and not abstract");
        }
        Constructor<? extends PandoPlugin> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw PluginJar.badRequest(jar, "plugin class " + type.getName() + " has no public no-argument constructor");
        } catch (LinkageError e) {
            throw failed(jar, "cannot link " + type.getName(), e);
        }
        // Libraries that look things up through the context class loader while the plugin is
        // being built (ServiceLoader, Jackson modules, ...) should see the plugin's classes.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(type.getClassLoader());
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw failed(jar, "could not construct " + type.getName(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw failed(jar, "could not construct " + type.getName(), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * A {@code PLUGIN_FAILED} error naming the cause, which is logged but not attached: a
     * throwable raised in plugin code references the plugin's classes through its stack trace
     * (and often its own class), which would keep the class loader of a failed plugin alive
     * for as long as the node keeps the error to report it.
     */
    private static RuntimeException failed(Path jar, String what, Throwable cause) {
        log.warn("Native plugin {}: {}", jar.getFileName(), what, cause);
        return PluginJar.pluginFailed(jar, what + ": " + cause);
    }
}
