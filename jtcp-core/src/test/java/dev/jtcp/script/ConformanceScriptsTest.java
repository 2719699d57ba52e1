package dev.jtcp.script;

import static org.assertj.core.api.Assertions.fail;

import dev.jtcp.testutil.RequirementListener;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every script of our own suite ({@code conformance/scripts}) against jtcp in-process, one
 * dynamic test each, and reports the requirement IDs a passing script declares ({@code //
 * requirement: MUST-10}) as evidence for the conformance matrix. The suite runs strictly: virtual
 * time is exact, so the tolerance is 1 ms with no percentage, and a packet no line expects fails.
 */
class ConformanceScriptsTest {
    static final Path SCRIPTS = Path.of("..", "conformance", "scripts");

    /** How our suite runs: strict packets, 1 ms tolerance. */
    static ScriptRunner.Options suiteOptions() {
        return ScriptRunner.Options.defaults().withStrictPackets(true).withTolerance(1000, 0);
    }

    @TestFactory
    Stream<DynamicTest> ourScripts() {
        ScriptRunner runner = new ScriptRunner(suiteOptions());
        List<Path> scripts = ScriptRunner.expand(List.of(SCRIPTS));
        return scripts.stream().map(p -> {
            String name = SCRIPTS.relativize(p).toString();
            return DynamicTest.dynamicTest(name, p.toUri(), () -> check(name, runner.run(p)));
        });
    }

    static void check(String name, ScriptResult r) {
        for (String req : r.requirements()) {
            if (r.outcome() == ScriptResult.Outcome.PASSED || r.outcome().isFailure()) {
                RequirementListener.record(req, "script " + name, r.outcome() == ScriptResult.Outcome.PASSED);
            }
        }
        switch (r.outcome()) {
            case PASSED -> {
            }
            case SKIPPED -> Assumptions.abort("skipped: " + r.message());
            case XFAILED -> Assumptions.abort("expected failure: " + r.message());
            default -> fail(ScriptReport.line(r));
        }
    }
}
