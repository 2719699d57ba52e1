package dev.jtcp.link.impair;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the {@code --impair} spec ({@link Impairments#parse}): a bad spec is an
 * {@link IllegalArgumentException} with a message, never another exception, and a good one prints
 * as a spec that parses back to the same impairments (the round trip {@link ImpairmentSpec}
 * promises). Corpus: {@code src/test/resources/dev/jtcp/link/impair/ImpairmentSpecFuzzTestInputs/specs}.
 */
class ImpairmentSpecFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void specs(byte[] data) {
        String spec = new String(data, StandardCharsets.UTF_8);
        Impairments parsed;
        try {
            parsed = Impairments.parse(spec);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return;
        }
        assertThat(Impairments.parse(parsed.toString())).isEqualTo(parsed);
    }
}
