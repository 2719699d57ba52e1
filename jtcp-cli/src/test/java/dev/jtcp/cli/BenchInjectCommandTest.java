package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * Blind injection at full rate (1,000 forged RSTs, SYNs and data segments per virtual millisecond,
 * about one per genuine segment) into a download on the simulated network: the download finishes
 * intact and no forgery gets in, within RFC 5961's bound.
 */
class BenchInjectCommandTest {
    @Test
    void aDownloadUnderBlindRstSynAndDataInjectionFinishesIntact() throws Exception {
        BenchInjectCommand.Result r = BenchInjectCommand.run(30_000_000L, 1000, 3);
        assertThat(r.intact()).isTrue();
        assertThat(r.reset()).isFalse();
        assertThat(java.util.Arrays.stream(r.sent()).min().orElse(0)).as("forgeries of each kind").isGreaterThan(4_000);
        assertThat(r.accepted()[0]).as("RSTs accepted").isZero();
        assertThat(r.accepted()[1]).as("SYNs accepted").isZero();
        assertThat(r.accepted()[2]).as("data accepted, bound %.4f", r.bound()[2]).isZero();
    }

    @Test
    void printsTheFiguresPerKind() {
        StringWriter out = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).execute("bench", "inject", "--mb", "5", "--rate", "200");
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("RST ", "SYN ", "data ", "RFC 5961 bound", "download intact (SHA-256 ");
    }
}
