package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.ToolGuardAudit;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** jtcp-core's tool audit over this module's tests (see dev.jtcp.testutil.ToolGuardAuditTest). */
class ToolGuardAuditTest {
    private static final Path SOURCES = Path.of("src", "test", "java");

    @Test
    void everyTestThatRunsAProgramDeclaresIt() {
        assertThat(ToolGuardAudit.undeclared(SOURCES)).isEmpty();
    }

    @Test
    void withAnEmptyPathEveryGuardSkipsWithItsInstallHint() {
        dev.jtcp.testutil.ToolGuardAuditTest.assertEveryGuardSkipsWithoutItsTools(SOURCES);
    }
}
