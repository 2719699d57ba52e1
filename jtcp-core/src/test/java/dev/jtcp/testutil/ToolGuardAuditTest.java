package dev.jtcp.testutil;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * A fresh machine without ping or curl must skip, not fail, the tests that use them: every test
 * that runs a program declares it, and with nothing on the PATH every declared guard skips with its
 * install hint (and fails under {@code CI=true}). Also keeps the README's and CI's package lists
 * complete. {@code jtcp-cli} runs the same audit over its own tests.
 */
public class ToolGuardAuditTest {
    static final Path SOURCES = Path.of("src", "test", "java");

    @Test
    void everyTestThatRunsAProgramDeclaresIt() {
        assertThat(ToolGuardAudit.undeclared(SOURCES)).isEmpty();
    }

    @Test
    void withAnEmptyPathEveryGuardSkipsWithItsInstallHint() {
        assertEveryGuardSkipsWithoutItsTools(SOURCES);
    }

    /** Shared with jtcp-cli's audit. */
    public static void assertEveryGuardSkipsWithoutItsTools(Path sources) {
        Map<String, Set<String>> guarded = ToolGuardAudit.guarded(sources);
        assertThat(guarded).isNotEmpty();
        guarded.forEach((className, tools) -> {
            String message = ExternalTools.missing("", tools.toArray(String[]::new)).orElseThrow();
            assertThat(message).as(className).contains(" not installed; apt-get install ");
            for (String tool : tools) {
                assertThat(message).as(className).contains(tool).contains(ExternalTools.PACKAGES.get(tool));
            }
            String[] needed = tools.toArray(String[]::new);
            ConditionEvaluationResult skipped = NeedsTools.Guard.verdict(needed, "", false);
            assertThat(skipped.isDisabled()).as(className).isTrue();
            assertThat(skipped.getReason()).as(className).contains(message);
            assertThatThrownBy(() -> NeedsTools.Guard.verdict(needed, "", true)).as(className)
                    .isInstanceOf(AssertionError.class).hasMessageContaining("required because CI=true");
            assertThatThrownBy(() -> ExternalTools.skipOrFail(message, false)).as(className)
                    .isInstanceOf(TestAbortedException.class).hasMessage(message);
        });
    }

    @Test
    void theAuditSeesProgramsRunAsArgumentsAndInShellCommands() {
        assertThat(ToolGuardAudit.toolsRun("ns.exec(\"ping\", \"-c\", \"1\")")).containsExactly("ping");
        assertThat(ToolGuardAudit.toolsRun("ns.exec(\"sh\", \"-c\", \"nc -N 198.18.0.2 7 < \" + in)")).containsExactly("nc");
        assertThat(ToolGuardAudit.toolsRun("\"head -c \" + n + \" /dev/zero | nc -N \" + host")).containsExactly("nc");
        assertThat(ToolGuardAudit.toolsRun("assertThat(echoed).isEqualTo(\"ping\"); wrap(\"ping\".getBytes())")).isEmpty();
    }

    @Test
    void aToolOnTheGivenPathIsFound(@TempDir Path bin) throws Exception {
        Path ping = bin.resolve("ping");
        Files.writeString(ping, "#!/bin/sh\n");
        Files.setPosixFilePermissions(ping, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThat(ExternalTools.missing(bin.toString(), "ping")).isEmpty();
        assertThat(ExternalTools.missing(bin.toString(), "ping", "tcpdump", "ss", "ip"))
                .contains("tcpdump, ss, ip not installed; apt-get install tcpdump iproute2");
    }

    @Test
    void theReadmeAndCiInstallEveryPackage() throws Exception {
        String ci = Files.readString(Path.of("..", ".ci", "run"), StandardCharsets.UTF_8);
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String installLine = readme.lines().filter(l -> l.contains("apt-get install")).findFirst().orElseThrow();
        ExternalTools.PACKAGES.forEach((tool, pkg) -> {
            assertThat(ci).as("%s in .ci/run", tool).containsPattern("[ :]" + pkg + "\\b");
            assertThat(installLine).as("%s in the README", pkg).contains(" " + pkg);
        });
    }
}
