package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalLadderTest {
    @Test
    void cutKeepsWhatFitsAndMarksTheRest() {
        assertThat(TerminalLadder.cut("mss 1460, sackOK", 20)).isEqualTo("mss 1460, sackOK");
        assertThat(TerminalLadder.cut("mss 1460, sackOK", 10)).isEqualTo("mss 146...").hasSize(10);
        assertThat(TerminalLadder.cut("mss 1460", 2)).isEqualTo("..");
    }
}
