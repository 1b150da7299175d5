package dev.pando.host.testing;

import dev.pando.host.pf4j.NativePluginLoader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.pf4j.processor.ExtensionAnnotationProcessor;

/**
 * Builds native plugin jars in tests: compiles Java source strings against the test's own
 * classpath, with PF4J's annotation processor so {@code @Extension} classes are indexed in
 * {@code META-INF/extensions.idx} (with {@link NativePluginLoader#IGNORE_EXTENSION_POINT_OPTION},
 * as a plugin's build does: {@code PandoPlugin} is no PF4J extension point), then adds
 * {@code pando-plugin.json} and any other resources. {@link #withoutPf4j()} compiles as a build
 * that has no PF4J at all, for plugins named in {@link NativePluginLoader#SERVICES_ENTRY}.
 *
 * <pre>{@code
 * Path jar = new PluginJarBuilder()
 *         .manifest("""
 *             {"id": "echo", "version": "1.0.0", "apiVersion": 1, "ops": [{"name": "echo.say"}]}""")
 *         .source("example.Echo", """
 *             package example;
 *             @org.pf4j.Extension
 *             public class Echo implements dev.pando.api.plugin.PandoPlugin {
 *                 public com.fasterxml.jackson.databind.JsonNode call(dev.pando.api.plugin.OpCall c) { return c.args(); }
 *             }""")
 *         .writeTo(dir, "echo.jar");
 * }</pre>
 */
public final class PluginJarBuilder {
    /** The manifest's path inside a plugin jar. */
    public static final String MANIFEST_ENTRY = "pando-plugin.json";

    private final Map<String, String> sources = new TreeMap<>();
    private final Map<String, byte[]> resources = new TreeMap<>();
    private boolean pf4j = true;

    /** A manifest with only the required fields, for plugins whose ops and prefixes do not matter. */
    public static String minimalManifest(String id, String version) {
        return "{\"id\": \"" + id + "\", \"version\": \"" + version + "\", \"apiVersion\": 1}";
    }

    /** Sets {@code pando-plugin.json}; without it the jar has no manifest. */
    public PluginJarBuilder manifest(String json) {
        return resource(MANIFEST_ENTRY, json);
    }

    /** Adds a compilation unit whose top-level public class is {@code className}. */
    public PluginJarBuilder source(String className, String javaSource) {
        sources.put(className, javaSource);
        return this;
    }

    /** Adds a resource; it replaces a compiled file of the same path. */
    public PluginJarBuilder resource(String path, String text) {
        return resource(path, text.getBytes(StandardCharsets.UTF_8));
    }

    public PluginJarBuilder resource(String path, byte[] bytes) {
        resources.put(path, bytes.clone());
        return this;
    }

    /**
     * Compiles without PF4J: neither on the classpath nor as an annotation processor, so
     * {@code @Extension} does not compile and only {@link NativePluginLoader#SERVICES_ENTRY} can
     * name the plugin class.
     */
    public PluginJarBuilder withoutPf4j() {
        pf4j = false;
        return this;
    }

    /** Bundles the class file of {@code type} as found on the test classpath, as a shading plugin would. */
    public PluginJarBuilder copyOfClass(Class<?> type) {
        String path = type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no class file for " + type.getName());
            }
            return resource(path, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles the sources and writes the jar to {@code dir/fileName}; returns its path. */
    public Path writeTo(Path dir, String fileName) {
        try {
            Path classes = Files.createTempDirectory("plugin-jar-classes");
            try {
                compile(classes);
                Map<String, byte[]> entries = new TreeMap<>(read(classes));
                entries.putAll(resources);
                Files.createDirectories(dir);
                Path jar = dir.resolve(fileName);
                write(jar, entries);
                return jar;
            } finally {
                deleteRecursively(classes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void compile(Path out) throws IOException {
        if (sources.isEmpty()) {
            return;
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler: tests must run on a JDK");
        }
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, code) -> units.add(new SourceString(name, code)));
        List<String> options = new ArrayList<>(List.of("-classpath", classpath(), "-d", out.toString(), "-Xlint:none"));
        options.add(pf4j ? NativePluginLoader.IGNORE_EXTENSION_POINT_OPTION : "-proc:none");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            JavaCompiler.CompilationTask task = javac.getTask(null, files, diagnostics, options, null, units);
            if (pf4j) {
                // Named explicitly rather than discovered on the classpath, which newer JDKs no longer do by default.
                task.setProcessors(List.of(new ExtensionAnnotationProcessor()));
            }
            if (!task.call()) {
                throw new IllegalStateException("plugin sources do not compile:\n" + diagnostics.getDiagnostics().stream()
                        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                        .map(d -> d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(null))
                        .collect(Collectors.joining("\n")));
            }
        }
    }

    /** The test's own classpath, less PF4J's jar when compiling {@link #withoutPf4j()}. */
    private String classpath() {
        String all = System.getProperty("java.class.path");
        if (pf4j) {
            return all;
        }
        return Stream.of(all.split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("pf4j-"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Map<String, byte[]> read(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/"), Files.readAllBytes(file));
            }
        }
        return files;
    }

    private static void write(Path jar, Map<String, byte[]> entries) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static final class SourceString extends SimpleJavaFileObject {
        private final String code;

        SourceString(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}
