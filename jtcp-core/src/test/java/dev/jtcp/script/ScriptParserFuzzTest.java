package dev.jtcp.script;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the script lexer and parser (and the shell commands a script runs)
 * with Jazzer, the pattern of {@code WireFuzzTest}: a normal test run replays the seed corpus in
 * {@code src/test/resources/dev/jtcp/script/ScriptParserFuzzTestInputs}; CI fuzzes briefly, and
 * {@code fuzz/campaign --minutes 10 ScriptParserFuzzTest} fuzzes for longer (docs/fuzzing.md).
 * Bad input must become a {@link
 * ScriptSyntaxException} (or, for what is well-formed but unsupported, a {@link
 * ScriptUnsupportedException}); any other exception is a finding.
 */
class ScriptParserFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parser(byte[] data) {
        parseAnything(new String(data, StandardCharsets.UTF_8));
    }

    /** Parses text as a script and each of its commands as shell; only the script exceptions may escape. */
    static void parseAnything(String text) {
        try {
            Parser.directives(text);
            Script s = Parser.parse("fuzz", text, Map.of("X", "1"), Set.of("X"));
            for (Script.Event e : s.events()) {
                if (e.action() instanceof Script.Command c) {
                    Shell.parse(c.text(), e.line());
                }
            }
            ScriptRunner.span(s);
        } catch (ScriptSyntaxException | ScriptUnsupportedException expected) {
            // Rejected with a line number: what bad input should become.
        }
    }
}
