package dev.jtcp.testutil;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.testutil.ExternalTools.MissingToolException;
import dev.jtcp.testutil.ExternalTools.Result;
import dev.jtcp.testutil.ExternalTools.ToolFailedException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Uses only programs every Linux machine has: sh, true, false, sleep. */
class ExternalToolsTest {
    @Test
    void capturesStandardOutputAndErrorSeparately() throws Exception {
        Result result = ExternalTools.run("sh", "-c", "echo out; echo err >&2").requireSuccess();

        assertThat(result.stdoutLines()).containsExactly("out");
        assertThat(result.stderr()).isEqualTo("err\n");
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void reportsAMissingToolAsMissing() {
        assertThat(ExternalTools.isInstalled("jtcp-no-such-tool")).isFalse();
        assertThatThrownBy(() -> ExternalTools.run("jtcp-no-such-tool", "--version"))
                .isInstanceOf(MissingToolException.class)
                .hasMessageContaining("jtcp-no-such-tool");
    }

    @Test
    void reportsANonZeroExitAsFailed() throws Exception {
        Result result = ExternalTools.run("sh", "-c", "echo broken >&2; exit 3");

        assertThat(result.succeeded()).isFalse();
        assertThat(result.exitCode()).isEqualTo(3);
        assertThatThrownBy(result::requireSuccess)
                .isInstanceOf(ToolFailedException.class)
                .hasMessageContaining("exited with 3")
                .hasMessageContaining("broken");
    }

    @Test
    void killsAToolThatOverrunsItsTimeLimit() throws Exception {
        Result result = ExternalTools.run(Duration.ofMillis(200), List.of("sleep", "30"));

        assertThat(result.timedOut()).isTrue();
        assertThatThrownBy(result::requireSuccess).hasMessageContaining("timed out");
    }

    @Test
    void findsToolsByPathOrOnThePath() {
        assertThat(ExternalTools.find("sh")).isPresent();
        assertThat(ExternalTools.find("/bin/sh")).isPresent();
        assertThat(ExternalTools.find("/nonexistent/sh")).isEmpty();
    }
}
