package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.scenario.Scenario;
import dev.jtcp.scenario.Scenarios;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir
    Path directory;

    private record Run(int exitCode, String out, String err) {}

    private static Run jtcp(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void demoWithoutArgumentsDrawsHandshakeDataAndCloseWithExplanations() {
        Run r = jtcp("demo", "--color", "never");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("CLOSED", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
                "CLOSE-WAIT", "LAST-ACK", "FIN-WAIT-2", "TIME-WAIT", "SYN seq=0", "SYN,ACK seq=0 ack=1",
                "ACK seq=1 ack=1", "2MSL").contains("(ISN").doesNotContain("\u001b[");
    }

    @Test
    void everyScenarioDraws() {
        for (Scenario s : Scenarios.all()) {
            Run r = jtcp("demo", s.name(), "--no-explain", "--color", "never");
            assertThat(r.exitCode()).as(s.name() + ": " + r.err()).isZero();
            assertThat(r.out()).as(s.name()).contains("jtcp demo " + s.name()).contains("|");
        }
    }

    @Test
    void listDescribesEachScenarioInOneLine() {
        Run r = jtcp("demo", "--list");
        assertThat(r.out().lines()).hasSize(Scenarios.all().size());
        assertThat(r.out()).contains("syn-flood", "rst-attack", "old-duplicate-syn");
    }

    @Test
    void colourOnRequestAndAbsoluteNumbers() {
        Run r = jtcp("demo", "handshake", "--color", "always", "--no-relative");
        assertThat(r.out()).contains("\u001b[").doesNotContain("SYN seq=0 ");
    }

    @Test
    void writesSvgHtmlAndCapture() throws Exception {
        Path svg = directory.resolve("d.svg");
        Path html = directory.resolve("d.html");
        Path pcap = directory.resolve("d.pcapng");
        Run r = jtcp("demo", "close", "--svg", svg.toString(), "--html", html.toString(), "--pcap", pcap.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(Files.readString(svg)).startsWith("<?xml").contains("<svg");
        assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>");
        try (CaptureReader reader = CaptureReader.open(pcap)) {
            assertThat(reader.readAll()).hasSize(7);
        }
        assertThat(r.out()).contains("wrote " + pcap + " (7 packets)");
    }

    @Test
    void jsonPrintsOneObjectPerEvent() {
        Run r = jtcp("demo", "handshake", "--json");
        assertThat(r.out().lines()).isNotEmpty().allMatch(l -> l.startsWith("{\"t\":") && l.endsWith("}"));
        assertThat(r.out()).contains("\"type\":\"segment\"", "\"flags\":[\"SYN\"]", "\"type\":\"state\"");
    }

    @Test
    void lossAndRttAndMssChangeTheRun() {
        Run r = jtcp("demo", "basic", "--loss", "30%", "--seed", "3", "--rtt", "50", "--mss", "100", "--no-explain",
                "--color", "never");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("len=");
    }

    @Test
    void readmeLossExampleLosesASegmentAndRecovers() throws Exception {
        String line = Files.readAllLines(Path.of("..", "README.md")).stream()
                .filter(l -> l.startsWith("./jtcp demo basic --loss")).findFirst().orElseThrow();
        String command = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
        String[] args = command.strip().substring("./jtcp ".length()).split(" +");
        Run json = jtcp(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--json"))
                .toArray(String[]::new));
        assertThat(json.out()).as(command).contains("\"dir\":\"lost\"");
        Run drawn = jtcp(java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--color", "never")).toArray(String[]::new));
        assertThat(drawn.out()).contains("X lost", "[retransmission]", "TIME-WAIT");
    }

    @Test
    void closeExplainsTheAckOfEachFinAsSuch() {
        Run r = jtcp("demo", "close", "--color", "never", "--width", "200");
        assertThat(r.out()).contains("Server acknowledges the FIN", "Client acknowledges the FIN")
                .doesNotContain("window update");
    }

    @Test
    void basicExplainsTheAckOfTheRequestAsAcknowledgingData() {
        Run r = jtcp("demo", "basic", "--color", "never", "--width", "200");
        assertThat(r.out()).contains("Server acknowledges 23 bytes of data").doesNotContain("window update");
    }

    @Test
    void badArgumentsAreReportedNotThrown() {
        assertThat(jtcp("demo", "no-such-thing").exitCode()).isEqualTo(2);
        assertThat(jtcp("demo", "--mss", "5").err()).contains("MSS");
        assertThat(jtcp("demo", "--loss", "2").exitCode()).isEqualTo(2);
    }
}
