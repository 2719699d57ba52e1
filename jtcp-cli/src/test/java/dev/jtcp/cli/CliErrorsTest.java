package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input and failed files end in one line on standard error and exit 2 (usage) or 1 (I/O),
 * never a stack trace, and for the TUN commands before any device exists. Each TUN command here
 * names a network namespace that does not exist, so that a check that came too late would fail
 * with a different message rather than create an interface on this machine.
 */
class CliErrorsTest {
    private static final String NO_NS = "jtcp-test-no-such-namespace";

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
        /** One line of error (plus picocli's "Run ... --help" hint for usage errors), no trace. */
        Run assertOneLineError(int expectedExit, String... contains) {
            assertThat(exitCode).as(err).isEqualTo(expectedExit);
            assertThat(err).startsWith("jtcp: ").contains(contains)
                    .doesNotContain("\tat ", "Exception", "For input string");
            assertThat(err.lines().filter(l -> !l.startsWith("Run 'jtcp")).count()).as(err).isEqualTo(1);
            return this;
        }
    }

    private static Run jtcp(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void anArgumentStartingWithAtIsAnArgumentNotAFileToExpand() {
        // Found by CommandLineFuzzTest: picocli read "@." as an argument file, a directory, and threw
        // InitializationException out of execute (a stack trace, exit 1). jtcp has no @-files.
        jtcp("@.").assertOneLineError(2, "@.");
        Run trace = jtcp("trace", "@" + dir);
        assertThat(trace.exitCode()).isEqualTo(2);
        assertThat(trace.err()).isEqualTo("jtcp trace: no such file: @" + dir + System.lineSeparator());
    }

    @Test
    void aBadImpairmentIsAUsageErrorFoundBeforeTheTun() {
        jtcp("serve", "echo", "--netns", NO_NS, "--impair", "loss=abc")
                .assertOneLineError(2, "--impair loss=abc", "loss");
        jtcp("connect", "--netns", NO_NS, "--impair", "delay=fast", "198.18.0.1", "7")
                .assertOneLineError(2, "--impair delay=fast");
    }

    @Test
    void anUnknownCongestionControlIsAUsageErrorNamingTheChoices() {
        jtcp("serve", "echo", "--netns", NO_NS, "--cc", "vegas")
                .assertOneLineError(2, "unknown congestion control 'vegas' (reno, cubic or bbr)");
        jtcp("bench", "loss", "--cc", "vegas").assertOneLineError(2, "reno, cubic or bbr");
        jtcp("bench", "tun-loss", "--cc", "cubic,vegas").assertOneLineError(2, "--cc vegas", "reno, cubic or bbr");
    }

    @Test
    void aPortOutOfRangeIsAUsageError() {
        jtcp("connect", "--netns", NO_NS, "198.18.0.1", "70000").assertOneLineError(2, "'70000' is not a port");
        jtcp("connect", "--netns", NO_NS, "--local-port", "-1", "198.18.0.1", "7")
                .assertOneLineError(2, "'-1' is not a port");
        jtcp("serve", "echo", "--netns", NO_NS, "--port", "0").assertOneLineError(2, "'0' is not a port");
        jtcp("get", "--netns", NO_NS, "http://198.18.0.1:99999/").assertOneLineError(2, "port 99999");
    }

    @Test
    void badAddressesMtuAndUrlsAreUsageErrors() {
        jtcp("serve", "echo", "--netns", NO_NS, "--addr", "198.18.0.300/24").assertOneLineError(2, "--addr 198.18.0.300/24");
        jtcp("serve", "echo", "--netns", NO_NS, "--kernel-addr", "fd00::1").assertOneLineError(2, "--kernel-addr fd00::1");
        jtcp("serve", "echo", "--netns", NO_NS, "--mtu", "100").assertOneLineError(2, "--mtu 100");
        jtcp("get", "--netns", NO_NS, "ftp://198.18.0.1/x").assertOneLineError(2, "only http://");
        jtcp("serve", "echo", "--netns", NO_NS, "--pcap", dir.resolve("missing/x.pcap").toString())
                .assertOneLineError(2, "does not exist");
    }

    @Test
    void loopsOutOfRangeOrWithOneQueueDecoratorsAreUsageErrors() {
        jtcp("serve", "echo", "--netns", NO_NS, "--loops", "0").assertOneLineError(2, "--loops 0");
        jtcp("serve", "echo", "--netns", NO_NS, "--loops", "2", "--impair", "loss=1%")
                .assertOneLineError(2, "--loops 2");
        jtcp("forward", "--netns", NO_NS, "--loops", "2").assertOneLineError(2, "runs on one loop");
    }

    @Test
    void writingIntoAMissingDirectorySaysWhy() {
        Path missing = dir.resolve("missing");
        jtcp("get", "--netns", NO_NS, "-o", missing.resolve("f").toString(), "http://198.18.0.1/x")
                .assertOneLineError(2, "-o " + missing.resolve("f"), "directory " + missing + " does not exist");
        jtcp("get", "--netns", NO_NS, "-T", missing.resolve("up").toString(), "http://198.18.0.1/x")
                .assertOneLineError(2, "no such file");
        // Refused before anything is drawn: nothing on stdout.
        Run demo = jtcp("demo", "handshake", "--svg", missing.resolve("d.svg").toString())
                .assertOneLineError(2, "--svg " + missing.resolve("d.svg") + ": directory " + missing + " does not exist");
        assertThat(demo.out()).isEmpty();
        jtcp("demo", "handshake", "--html", missing.resolve("d.html").toString())
                .assertOneLineError(2, "--html " + missing.resolve("d.html"), "does not exist");
        jtcp("demo", "handshake", "--pcap", missing.resolve("d.pcap").toString())
                .assertOneLineError(2, "--pcap " + missing.resolve("d.pcap"), "does not exist");
    }

    @Test
    void durationsTakeUnitsAsWellAsIso() throws Exception {
        jtcp("serve", "echo", "--netns", NO_NS, "--msl", "abc")
                .assertOneLineError(2, "'abc' is not a duration: use e.g. 500ms, 60s, 2min or PT60S");
        jtcp("connect", "--netns", NO_NS, "--timeout", "10", "198.18.0.1", "7").assertOneLineError(2, "'10' is not a duration");
        // Accepted forms get past the parser to the namespace, which does not exist: exit 1, not 2.
        for (String msl : new String[] {"60s", "500ms", "2min", "PT60S", "1m30s"}) {
            Run r = jtcp("serve", "echo", "--netns", NO_NS, "--msl", msl);
            assertThat(r.exitCode()).as(msl + ": " + r.err()).isNotEqualTo(2);
        }
    }

    @Test
    void statsTakeAnOptionalPositiveInterval() {
        jtcp("serve", "echo", "--netns", NO_NS, "--stats", "0s").assertOneLineError(2, "--stats", "more than 0");
        jtcp("serve", "echo", "--netns", NO_NS, "--stats", "abc").assertOneLineError(2, "'abc' is not a duration");
        // Accepted forms get past the parser to the namespace, which does not exist: exit 1, not 2.
        for (String[] args : new String[][] {
                {"serve", "echo", "--netns", NO_NS, "--stats"},
                {"serve", "echo", "--netns", NO_NS, "--stats", "2s"},
                {"get", "--netns", NO_NS, "--stats", "1s", "http://198.18.0.1/x"},
                {"connect", "--netns", NO_NS, "198.18.0.1", "7", "--stats"}}) {
            Run r = jtcp(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(1);
        }
    }

    @Test
    void probabilitiesSayWhatIsAccepted() {
        jtcp("demo", "--loss", "abc").assertOneLineError(2, "'abc' is not a probability: use e.g. 0.05 or 5%");
        jtcp("demo", "--loss", "150%").assertOneLineError(2, "'150%' is not a probability");
        assertThat(jtcp("demo", "handshake", "--loss", "5%", "--no-explain", "--color", "never").exitCode()).isZero();
    }

    @Test
    void anUnknownOptionIsAUsageErrorWithAHint() {
        Run r = jtcp("serve", "echo", "--prot", "7");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("jtcp: Unknown option").contains("'--prot'").contains("Run 'jtcp serve --help'")
                .doesNotContain("\tat ");
    }

    @Test
    void anExistingFileInTheWayIsReportedWithItsReason() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        jtcp("demo", "handshake", "--html", file.resolve("page.html").toString())
                .assertOneLineError(2, file.resolve("page.html").toString(), file + " is not a directory");
    }
}
