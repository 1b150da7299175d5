package dev.pando.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/client.md shows ClientDocExample as it is, and the example runs. */
class ClientDocTest {
    @Test
    void theDocShowsTheCompiledExample() throws Exception {
        String doc = Files.readString(Path.of("..", "..", "docs", "client.md"), StandardCharsets.UTF_8);
        String example = Files.readString(Path.of("src/test/java/dev/pando/client/ClientDocExample.java"), StandardCharsets.UTF_8);
        assertThat(doc).as("docs/client.md holds ClientDocExample.java as a java block").contains("```java\n" + example + "```\n");
    }

    @Test
    void theExampleRuns() throws Exception {
        try (FakeNode node = FakeNode.start()) {
            node.requiredToken = "t0k";
            JsonNode frame = ClientDocExample.lights(node.uri(), "t0k");
            assertThat(frame.path("type").asText()).isEqualTo("change");
            assertThat(frame.at("/change/key").asText()).isEqualTo("/site-a/lights/1");
            assertThat(frame.at("/change/value").asDouble()).isEqualTo(0.25);
            assertThat(node.count("kv.set")).isEqualTo(3);
        }
    }
}
