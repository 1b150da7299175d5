package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/testing-plugins.md shows GuideExampleIT as it is: the doc's Java block and the class are identical. */
class GuideSnippetTest {
    @Test
    void theGuideShowsTheCompiledExample() throws Exception {
        Path doc = Path.of("..", "docs", "testing-plugins.md");
        Path example = Path.of("src", "test", "java", "dev", "pando", "testkit", "GuideExampleIT.java");
        String markdown = Files.readString(doc, StandardCharsets.UTF_8);
        String fence = "```java\n";
        int start = markdown.indexOf(fence + "package dev.pando.testkit;");
        assertThat(start).as("a java block in %s starting with the example's package line", doc).isNotNegative();
        int end = markdown.indexOf("```", start + fence.length());
        String snippet = markdown.substring(start + fence.length(), end);
        assertThat(snippet).isEqualTo(Files.readString(example, StandardCharsets.UTF_8));
    }
}
