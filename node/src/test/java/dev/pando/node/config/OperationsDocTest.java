package dev.pando.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/operations.md must document every config key with its environment variable. */
class OperationsDocTest {
    @Test
    void sampleConfigFileLoads(@TempDir Path dir) throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "operations.md"));
        Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).as("docs/operations.md has a sample pando.yaml").isTrue();
        Path file = Files.writeString(dir.resolve("pando.yaml"), m.group(1));
        NodeConfig config = ConfigLoader.load(file, Map.of(), Map.of());
        assertThat(config.get(NodeConfig.AUTH_MODE)).isEqualTo("authenticated");
        assertThat(config.get(NodeConfig.BIND)).isEqualTo("0.0.0.0");
        assertThat(config.source(NodeConfig.STORE_SYNC)).startsWith("file");
    }

    @Test
    void everyConfigKeyIsDocumented() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "operations.md"));
        for (ConfigKey<?> key : NodeConfig.keys()) {
            assertThat(doc).as("docs/operations.md documents %s", key.name())
                    .contains("| `" + key.name() + "` |")
                    .contains("`" + key.envName() + "`");
        }
    }
}
