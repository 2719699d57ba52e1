package dev.jtcp.scenario;

import static dev.jtcp.scenario.OpenScenarios.PORT;
import static dev.jtcp.scenario.Stage.LEFT;
import static dev.jtcp.scenario.Stage.PATIENCE_NS;

import dev.jtcp.event.TraceEvent.Direction;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.trace.Narrator;
import dev.jtcp.wire.TcpFlags;
import java.util.List;

/**
 * Congestion signals without loss: Explicit Congestion Notification (RFC 3168).
 *
 * <p>Thread-safe: stateless.
 */
final class CongestionScenarios {
    /** Data segments the client sends: its initial window of four, then two more. */
    static final int SEGMENTS = 10;
    static final int INITIAL_WINDOW = 4;

    private CongestionScenarios() {}

    static List<Scenario> all() {
        return List.of(new ScriptedScenario("ecn", "a router marks a segment Congestion Experienced instead of"
                + " dropping it; the receiver echoes ECE, the sender slows down and answers CWR", CongestionScenarios::ecn));
    }

    static ScenarioRun ecn(ScenarioOptions o) {
        TcpConfig client = Stage.builder().ecn(TcpConfig.EcnMode.ON).initialWindowSegments(INITIAL_WINDOW).build();
        Stage st = new Stage(o, "client", client, "server", Stage.defaults());
        Stage.Pair p = st.open(PORT, 0);
        int mss = p.client().status().effectiveSendMss();
        int second = p.client().status().iss() + 1 + mss;
        st.path().markCe(1, (ip, tcp) -> ip.src().equals(LEFT) && tcp.seq() == second && tcp.payloadLength() > 0,
                "a congested router marks this segment CE (congestion experienced) instead of dropping it");
        st.write(p.client(), "x".repeat(SEGMENTS * mss));
        st.read(p.server(), SEGMENTS * mss);
        st.close(p.client());
        st.awaitEndOfStream(p.server());
        st.close(p.server());
        st.settle(PATIENCE_NS);
        String intro = "The client asks for Explicit Congestion Notification in its SYN (flags ECE and CWR) and"
                + " the server agrees in its SYN,ACK (ECE). From then on the client's data packets say"
                + " \"ECN-capable\" in their IP header. A router whose queue is filling marks one of them"
                + " Congestion Experienced instead of dropping it. The server cannot slow the client down itself,"
                + " so it sets ECE on its ACKs until the client confirms with CWR. The client halves its"
                + " congestion window, as it would after a loss, but nothing was lost and nothing is resent"
                + " (RFC 3168).";
        Narrator n = new Narrator().rule(ctx -> {
            var seg = ctx.segment();
            if (seg == null || seg.direction() != Direction.SENT) {
                return null;
            }
            if (seg.header().has(TcpFlags.SYN) && seg.header().has(TcpFlags.ECE)) {
                return seg.header().has(TcpFlags.ACK)
                        ? "The server agrees to ECN: ECE alone on its SYN,ACK."
                        : "The client asks for ECN: ECE and CWR on its SYN.";
            }
            if (seg.host().equals("server") && seg.header().has(TcpFlags.ECE)) {
                return "The server echoes the congestion: ECE on this ACK, and on every ACK until it sees CWR.";
            }
            if (seg.host().equals("client") && seg.header().has(TcpFlags.CWR)) {
                return "The client has halved its congestion window; CWR on its next new segment tells the"
                        + " server to stop echoing.";
            }
            return null;
        });
        var c = p.client().status();
        List<String> facts = List.of("ECN in use: " + c.ecn(), "client window reductions for ECE: " + c.ecnReductions()
                + ", retransmissions: " + c.retransmissions(), "server segments received with CE: "
                + p.server().status().ceReceived());
        return new ScenarioRun("ecn", "Explicit Congestion Notification",
                List.of(st.part("ECN: congestion without loss", intro, facts, n, b -> {}, null)));
    }
}
