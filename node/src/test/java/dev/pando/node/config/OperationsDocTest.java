package dev.pando.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/operations.md must document every config key with its environment variable. */
class OperationsDocTest {
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
