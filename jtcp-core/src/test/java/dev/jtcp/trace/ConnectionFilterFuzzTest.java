package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@code jtcp trace --filter EXPR} ({@link ConnectionFilter#parse}): text that is not a
 * filter is an {@link IllegalArgumentException} with a message, never another exception; a filter
 * that parses prints as text that parses again to the same filter.
 * Corpus: {@code src/test/resources/dev/jtcp/trace/ConnectionFilterFuzzTestInputs/filters}.
 */
class ConnectionFilterFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void filters(byte[] data) {
        String expression = new String(data, StandardCharsets.UTF_8);
        ConnectionFilter f;
        try {
            f = ConnectionFilter.parse(expression);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return;
        }
        assertThat(ConnectionFilter.parse(f.toString()).toString()).isEqualTo(f.toString());
    }
}
