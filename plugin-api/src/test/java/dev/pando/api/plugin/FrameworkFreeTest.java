package dev.pando.api.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The plugin contract is plain Java: no plugin framework's types, no checked exceptions. */
class FrameworkFreeTest {

    @Test
    void pf4jIsNotEvenOnTheClasspath() {
        assertThatThrownBy(() -> Class.forName("org.pf4j.ExtensionPoint")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void noClassOfThePluginApiNamesAPf4jType() throws Exception {
        Path root = Path.of(PandoPlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (FileSystem jar = Files.isDirectory(root) ? null : FileSystems.newFileSystem(root, Map.of());
             Stream<Path> files = Files.walk(jar == null ? root : jar.getPath("/"))) {
            List<Path> classes = files.filter(p -> p.toString().endsWith(".class")).toList();
            assertThat(classes).isNotEmpty();
            for (Path c : classes) {
                // A class names every type it refers to in its constant pool, as a/b/C.
                assertThat(new String(Files.readAllBytes(c), StandardCharsets.ISO_8859_1)).as(c.toString()).doesNotContain("org/pf4j");
            }
        }
    }

    @Test
    void thePluginContractDeclaresNoCheckedExceptions() {
        assertThat(PandoPlugin.class.getInterfaces()).isEmpty();
        for (Class<?> type : List.of(PandoPlugin.class, PluginContext.class, PluginKv.class, ChangeFeed.class, Caller.class)) {
            for (Method m : type.getDeclaredMethods()) {
                assertThat(m.getExceptionTypes()).as(type.getSimpleName() + "." + m.getName()).isEmpty();
            }
        }
    }
}
