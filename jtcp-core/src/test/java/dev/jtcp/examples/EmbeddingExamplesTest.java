package dev.jtcp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The examples of docs/embedding.md run, and the document shows them exactly as they are here. */
class EmbeddingExamplesTest {
    @Test
    void theMemoryLinkEchoRoundTrips() throws Exception {
        assertThat(EchoOverMemoryLink.run("hello, jtcp")).isEqualTo("hello, jtcp");
    }

    @Test
    void theDocumentQuotesTheExampleSourceVerbatim() throws Exception {
        Path doc = Path.of("..", "docs", "embedding.md");
        String source = Files.readString(Path.of("src/test/java/dev/jtcp/examples/EchoOverMemoryLink.java"));
        String body = source.substring(source.indexOf("/** Two jtcp stacks"));
        assertThat(Files.readString(doc)).as("docs/embedding.md quotes EchoOverMemoryLink.java").contains(body.strip());
    }
}
