package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code jtcp bench soak} in its short form: it runs, passes and says what it checked. */
class BenchSoakCommandTest {
    @Test
    void aShortSoakPassesAndSummarises() {
        StringWriter out = new StringWriter();
        picocli.CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        int code = cl.execute("bench", "soak", "--lifecycles", "1000", "--concurrency", "100");
        String text = out.toString();
        assertThat(code).as(text).isZero();
        assertThat(text).contains("1,000 completed of 1,000 started").contains("0 violations")
                .contains("tables at the end   empty").contains("heap after GC").contains("soak passed");
    }

    @Test
    void aBadSpecIsAUsageError() {
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("bench", "soak", "--impair", "loss=lots")).isEqualTo(ExitCodes.USAGE);
    }
}
