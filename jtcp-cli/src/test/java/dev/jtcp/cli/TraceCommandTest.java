package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceCommandTest {
    @TempDir
    Path directory;

    private record Run(int exitCode, String out, String err) {}

    private static Run jtcp(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path capture(String scenario) {
        Path file = directory.resolve(scenario + ".pcapng");
        assertThat(jtcp("demo", scenario, "--pcap", file.toString(), "--no-explain").exitCode()).isZero();
        return file;
    }

    @Test
    void reportsEachConnectionOfACaptureJtcpWrote() {
        Run r = jtcp("trace", capture("half-close").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("#1  client 198.18.0.1:", "opened: three-way handshake",
                "closed: four-way: client closed first", "CLOSE-WAIT → LAST-ACK → CLOSED",
                "FIN-WAIT-2 → TIME-WAIT (then CLOSED after 2MSL)", "anomalies: none",
                "1 connection; nothing skipped");
    }

    @Test
    void drawsOneConnectionAndWritesItsPages() throws Exception {
        Path svg = directory.resolve("c.svg");
        Path html = directory.resolve("c.html");
        Run r = jtcp("trace", capture("half-open").toString(), "--conn", "2", "--svg", svg.toString(), "--html",
                html.toString(), "--color", "never");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("#2 ", "SYN seq=0", "SYN-RECEIVED", "|");
        assertThat(Files.readString(svg)).contains("<svg");
        assertThat(Files.readString(html)).contains("Connection #2");
    }

    @Test
    void badInputIsReportedNotThrown() throws Exception {
        Path junk = Files.write(directory.resolve("junk.pcap"), "this is not a capture".getBytes());
        Run r = jtcp("trace", junk.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("0 packets", "not a pcap or pcapng file");

        assertThat(jtcp("trace", directory.resolve("missing.pcap").toString()).exitCode()).isEqualTo(1);
        assertThat(jtcp("trace", capture("handshake").toString(), "--conn", "9").err()).contains("no connection 9");
    }

    @Test
    void statsGiveTheSpeed() {
        assertThat(jtcp("trace", capture("basic").toString(), "--stats").out()).contains("million packets a second");
    }
}
