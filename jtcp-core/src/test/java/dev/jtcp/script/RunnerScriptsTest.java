package dev.jtcp.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the scripts that test the runner itself ({@code conformance/runner}): settings files,
 * socket-state checks, iovecs, {@code --mss}, profiles, and the mistakes that must fail or skip.
 * A script says what it must end as with {@code // runner-expect: failed|skipped: message part};
 * without one it must pass.
 */
class RunnerScriptsTest {
    static final Path SCRIPTS = Path.of("..", "conformance", "runner");
    private static final Pattern EXPECT = Pattern.compile("(?m)^// runner-expect: (\\w+): (.+)$");

    @TestFactory
    Stream<DynamicTest> runnerScripts() {
        ScriptRunner runner = new ScriptRunner(ScriptRunner.Options.defaults().withStrictPackets(true)
                .withTolerance(1000, 0));
        return ScriptRunner.expand(List.of(SCRIPTS)).stream().map(p -> DynamicTest.dynamicTest(
                SCRIPTS.relativize(p).toString(), p.toUri(), () -> check(p, runner.run(p))));
    }

    private static void check(Path p, ScriptResult r) throws IOException {
        Matcher m = EXPECT.matcher(Files.readString(p));
        if (!m.find()) {
            assertThat(r.outcome()).as(ScriptReport.line(r)).isEqualTo(ScriptResult.Outcome.PASSED);
            return;
        }
        assertThat(r.outcome()).as(ScriptReport.line(r))
                .isEqualTo(ScriptResult.Outcome.valueOf(m.group(1).toUpperCase(java.util.Locale.ROOT)));
        assertThat(r.message()).contains(m.group(2).strip());
    }
}
