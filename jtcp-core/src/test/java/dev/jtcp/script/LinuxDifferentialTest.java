package dev.jtcp.script;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The differential mode in CI: the scripts listed in {@code conformance/differential.txt} run against
 * the Linux kernel (a private network namespace, a TUN device, real time) and must pass there too,
 * or fail only as their {@code linux-differs} directive says. Needs root, ip, ss, sysctl, python3:
 * without them the tests are skipped, except on CI ({@code CI=true}), where they fail.
 */
class LinuxDifferentialTest {
    private static final Path LIST = Path.of("..", "conformance", "differential.txt");

    @TestFactory
    Stream<DynamicTest> subsetAgainstLinux() throws IOException {
        String why = LinuxTarget.unavailableReason();
        if (why != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(why + " (required because CI=true)");
            }
            Assumptions.abort(why);
        }
        // Real time through a helper process, on a CI machine whose two cores also run the JVM's
        // compiler and collector: 50 ms rather than packetdrill's 4 ms of tolerance. These scripts
        // check what is sent far more than when; the timing distinctions they make are 100 ms or more.
        ScriptRunner runner = new ScriptRunner(ScriptRunner.Options.defaults()
                .withStack(ScriptRunner.Stack.LINUX).withTolerance(50_000, 12.5));
        List<String> names = Files.readAllLines(LIST, StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        return names.stream().map(n -> DynamicTest.dynamicTest(n, () -> {
            ScriptResult r = runner.run(ConformanceScriptsTest.SCRIPTS.resolve(n));
            if (!passed(r)) {
                // The kernel runs in real time beside the whole build: one late packet (a timer that
                // fired late, a descheduled reader) is not a difference in behaviour. A script gets
                // a second run; a real difference fails both.
                System.err.println("against Linux, retrying once: " + ScriptReport.line(r));
                r = runner.run(ConformanceScriptsTest.SCRIPTS.resolve(n));
            }
            if (!passed(r)) {
                fail("against Linux: " + ScriptReport.line(r));
            }
        }));
    }

    private static boolean passed(ScriptResult r) {
        return r.outcome() == ScriptResult.Outcome.PASSED || r.outcome() == ScriptResult.Outcome.XFAILED;
    }
}
