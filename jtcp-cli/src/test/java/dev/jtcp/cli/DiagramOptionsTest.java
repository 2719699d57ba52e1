package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where the terminal diagram's width comes from. */
class DiagramOptionsTest {
    @Test
    void widthOptionWinsOverEnvironmentAndTerminal() {
        assertThat(DiagramOptions.columns(80, "132", () -> 150)).isEqualTo(80);
    }

    @Test
    void columnsVariableWinsOverTheTerminal() {
        assertThat(DiagramOptions.columns(0, "132", () -> 150)).isEqualTo(132);
    }

    @Test
    void terminalWidthIsUsedWhenColumnsIsUnsetOrNotANumber() {
        assertThat(DiagramOptions.columns(0, null, () -> 150)).isEqualTo(150);
        assertThat(DiagramOptions.columns(0, "wide", () -> 173)).isEqualTo(173);
    }

    @Test
    void unknownWidthIsAHundredAndNarrowOnesSixty() {
        assertThat(DiagramOptions.columns(0, null, () -> 0)).isEqualTo(100);
        assertThat(DiagramOptions.columns(0, null, () -> 40)).isEqualTo(60);
        assertThat(DiagramOptions.columns(30, null, () -> 0)).isEqualTo(60);
    }

    @Test
    void notATerminalMeansUnknown() {
        // Tests run with standard output redirected, so there is no terminal to ask.
        assertThat(DiagramOptions.terminalColumns()).isZero();
    }

    @Test
    void demoFitsTheWidthItIsGiven() {
        java.io.StringWriter out = new java.io.StringWriter();
        int code = Main.commandLine().setOut(new java.io.PrintWriter(out)).execute("demo", "handshake", "--color",
                "never", "--no-explain", "--width", "72");
        assertThat(code).isZero();
        assertThat(out.toString().lines().mapToInt(String::length).max().orElseThrow()).isLessThanOrEqualTo(72);
        assertThat(out.toString()).contains("SYN,ACK seq=0 ack=1").contains("<mss 1460");
    }
}
