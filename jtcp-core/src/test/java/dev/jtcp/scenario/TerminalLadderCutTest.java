package dev.jtcp.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.trace.Ladder;
import dev.jtcp.trace.TerminalLadder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The terminal ladder fits the width it is given and never drops an arrow's options unmarked. */
class TerminalLadderCutTest {
    private static Ladder handshake() {
        return Scenarios.find("handshake").orElseThrow().run(ScenarioOptions.defaults()).parts().getFirst().ladder();
    }

    private static String render(int width) {
        return TerminalLadder.render(handshake(), new TerminalLadder.Options(false, width, false));
    }

    @Test
    void synAckOptionsAppearAtTheDefaultWidth() {
        Ladder ladder = handshake();
        Ladder.Arrow synAck = ladder.arrows().stream().filter(a -> a.kind() == Ladder.Kind.SYN_ACK).findFirst()
                .orElseThrow();
        assertThat(synAck.options()).isNotEmpty();
        String text = render(100);
        List<String> lines = Arrays.asList(text.split("\n"));
        int row = indexOf(lines, "SYN,ACK seq=0 ack=1");
        // Either on the arrow or on the row under it, whole.
        assertThat(lines.get(row) + "\n" + lines.get(row + 1)).contains("<" + synAck.options() + ">");
    }

    @Test
    void narrowDiagramsMarkWhatTheyCut() {
        String text = render(60);
        assertThat(text.lines().mapToInt(String::length).max().orElseThrow()).isLessThanOrEqualTo(60);
        for (Ladder.Arrow a : handshake().arrows()) {
            String flags = a.label().substring(0, a.label().indexOf(' '));
            assertThat(text).as("the %s's options", flags).containsAnyOf("<" + a.options() + ">", "...");
        }
        assertThat(text).contains("...").doesNotContain("~\n");
    }

    private static int indexOf(List<String> lines, String s) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(s)) {
                return i;
            }
        }
        throw new AssertionError("no line with " + s);
    }
}
