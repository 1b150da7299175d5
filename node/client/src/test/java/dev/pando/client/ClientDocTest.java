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
        Path doc = Path.of("..", "..", "docs", "client.md");
        Path example = Path.of("src", "test", "java", "dev", "pando", "client", "ClientDocExample.java");
        String markdown = Files.readString(doc, StandardCharsets.UTF_8);
        String fence = "```java\n";
        int start = markdown.indexOf(fence + "package dev.pando.client;");
        assertThat(start).as("a java block in %s starting with the example's package line", doc).isNotNegative();
        int end = markdown.indexOf("```", start + fence.length());
        assertThat(markdown.substring(start + fence.length(), end)).isEqualTo(Files.readString(example, StandardCharsets.UTF_8));
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
