package dev.jtcp.scenario;

import static dev.jtcp.scenario.OpenScenarios.PORT;
import static dev.jtcp.scenario.OpenScenarios.REQUEST;
import static dev.jtcp.scenario.Stage.LEFT;
import static dev.jtcp.scenario.Stage.MS;
import static dev.jtcp.scenario.Stage.PATIENCE_NS;
import static dev.jtcp.scenario.Stage.RIGHT;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.trace.Narrator;
import dev.jtcp.wire.TcpFlags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenarios about closing: the four-way close, both sides closing at once, the FIN that carries the
 * ACK, a half-close, and a lost final ACK (why TIME-WAIT lasts 2MSL).
 *
 * <p>Thread-safe: stateless.
 */
final class CloseScenarios {
    private CloseScenarios() {}

    static List<Scenario> all() {
        return List.of(
                new ScriptedScenario("close", "the four-way close: FIN, ACK, FIN, ACK, then TIME-WAIT",
                        CloseScenarios::close),
                new ScriptedScenario("simultaneous-close", "both ends close at once: FINs cross, both pass"
                        + " through CLOSING to TIME-WAIT", CloseScenarios::simultaneousClose),
                new ScriptedScenario("fin-ack-combined", "the server's FIN carries the ACK of the client's FIN:"
                        + " FIN-WAIT-1 goes straight to TIME-WAIT", CloseScenarios::finAckCombined),
                new ScriptedScenario("half-close", "the client closes its side; the server, in CLOSE-WAIT,"
                        + " keeps sending", CloseScenarios::halfClose),
                new ScriptedScenario("lost-final-ack", "the last ACK is lost; the server repeats its FIN and"
                        + " TIME-WAIT answers it (and without TIME-WAIT, a RST does)", CloseScenarios::lostFinalAck));
    }

    static ScenarioRun close(ScenarioOptions o) {
        Stage st = new Stage(o, "client", "server", Stage.defaults());
        Stage.Pair p = st.open(PORT, 0);
        st.close(p.client());
        st.awaitEndOfStream(p.server());
        st.close(p.server());
        st.settle(PATIENCE_NS);
        String intro = "TCP is full duplex, and each direction is closed on its own: the client's FIN says it will"
                + " send nothing more, and the server acknowledges it at once. The server may go on sending; here"
                + " its application closes straight away, so its FIN follows its ACK. The client acknowledges"
                + " that FIN and waits in TIME-WAIT for 2MSL (two minutes with jtcp's 60 s MSL) before the"
                + " connection is forgotten.";
        return new ScenarioRun("close", "The four-way close",
                List.of(st.part("Four-way close", intro, OpenScenarios.facts(p.client(), p.server()),
                        new Narrator(), b -> {}, null)));
    }

    static ScenarioRun simultaneousClose(ScenarioOptions o) {
        Stage st = new Stage(o, "A", "B", Stage.defaults());
        Stage.Pair p = st.open(PORT, 0);
        st.close(p.client());
        st.close(p.server());
        st.settle(PATIENCE_NS);
        String intro = "A and B call close() at the same moment, so their FINs cross in the network. Each"
                + " receives the other's FIN while its own is still unacknowledged: each moves to CLOSING and"
                + " acknowledges. When the ACKs arrive, both are in TIME-WAIT, and both wait 2MSL"
                + " (RFC 9293 §3.6, Figure 13).";
        return new ScenarioRun("simultaneous-close", "Simultaneous close",
                List.of(st.part("Simultaneous close", intro, OpenScenarios.facts(p.client(), p.server()),
                        new Narrator(), b -> {}, null)));
    }

    static ScenarioRun finAckCombined(ScenarioOptions o) {
        Stage st = new Stage(o, "client", "server", Stage.defaults());
        Stage.Pair p = st.open(PORT, 0);
        st.path().drop(1, (ip, tcp) -> ip.src().equals(RIGHT) && tcp.flags() == TcpFlags.ACK
                && tcp.payloadLength() == 0, "lost in the network");
        st.close(p.client());
        st.awaitEndOfStream(p.server());
        st.close(p.server());
        st.settle(PATIENCE_NS);
        String intro = "When the server receives the client's FIN it owes an ACK, and if its own application"
                + " closes before that ACK leaves, one segment can carry both: FIN,ACK. Many stacks get there by"
                + " delaying the ACK of a FIN a little; jtcp acknowledges a FIN at once, so here the network"
                + " loses that lone ACK and the server's FIN, sent when its application closes, carries the"
                + " acknowledgment instead. The client, still in FIN-WAIT-1, receives a FIN that also"
                + " acknowledges its own FIN, and goes straight to TIME-WAIT, skipping FIN-WAIT-2 (RFC 9293"
                + " §3.10.7.4). Three segments close the connection.";
        return new ScenarioRun("fin-ack-combined", "FIN and ACK combined: FIN-WAIT-1 to TIME-WAIT",
                List.of(st.part("FIN,ACK in one segment", intro, OpenScenarios.facts(p.client(), p.server()),
                        new Narrator(), b -> {}, null)));
    }

    static ScenarioRun halfClose(ScenarioOptions o) {
        Stage st = new Stage(o, "client", "server", Stage.defaults());
        Stage.Pair p = st.open(PORT, 0);
        TcpConnection s = p.server();
        if (s != null) {
            s.noDelay(true);
        }
        st.write(p.client(), REQUEST);
        st.close(p.client());
        st.awaitEndOfStream(s);
        List<String> chunks = List.of("first part of the reply\n", "second part\n", "last part\n");
        for (String chunk : chunks) {
            st.write(s, chunk);
            st.runFor(5 * MS);
        }
        st.runUntil(() -> s == null || !s.hasUnackedData(), PATIENCE_NS);
        st.close(s);
        int received = st.awaitEndOfStream(p.client());
        st.settle(PATIENCE_NS);
        String intro = "The client sends its request and closes its sending side (like shutdown(SHUT_WR), or"
                + " nc -N): its FIN means \"no more from me\", not \"goodbye\". The server, in CLOSE-WAIT,"
                + " still sends its reply in three pieces; the client, in FIN-WAIT-2, receives and acknowledges"
                + " them. Only when the server's application closes does its FIN end the other direction.";
        List<String> facts = new ArrayList<>(OpenScenarios.facts(p.client(), s));
        facts.add("client received after its own FIN: " + received + " bytes");
        return new ScenarioRun("half-close", "Half-close: the CLOSE-WAIT side keeps sending",
                List.of(st.part("Half-close", intro, facts, new Narrator(), b -> {}, null)));
    }

    static ScenarioRun lostFinalAck(ScenarioOptions o) {
        ScenarioRun.Part with = lostFinalAckPart(o, Stage.defaults(), "With TIME-WAIT",
                "The client's last ACK is lost. The server, in LAST-ACK, cannot tell a lost ACK from a slow"
                        + " one, so when its retransmission timer expires it sends its FIN again. The client is"
                        + " still in TIME-WAIT, still knows the connection, and acknowledges the FIN again; its"
                        + " 2MSL wait starts over. The server closes cleanly. This is the first reason TIME-WAIT"
                        + " exists; the second is that 2MSL lets any segment of this connection still in the"
                        + " network die out before the same port pair is used again (RFC 9293 §3.6.1).");
        TcpConfig noTimeWait = Stage.defaults().toBuilder().msl(Duration.ZERO).build();
        ScenarioRun.Part without = lostFinalAckPart(o, noTimeWait, "Without TIME-WAIT (MSL set to 0)",
                "The same exchange with the client's MSL set to zero, so TIME-WAIT ends as soon as it begins."
                        + " When the server's repeated FIN arrives, the client no longer has the connection and"
                        + " answers with a RST (RFC 9293 §3.10.7.1): the server's connection ends in a reset"
                        + " instead of a clean close, and had the client already reused the port pair for a new"
                        + " connection, the old FIN would have landed in that one.");
        return new ScenarioRun("lost-final-ack", "Lost final ACK: why TIME-WAIT lasts 2MSL", List.of(with, without));
    }

    private static ScenarioRun.Part lostFinalAckPart(ScenarioOptions o, TcpConfig clientConfig, String heading,
                                                     String intro) {
        Stage st = new Stage(o, "client", clientConfig, "server", Stage.defaults());
        Stage.Pair p = st.open(PORT, 0);
        st.close(p.client());
        st.awaitEndOfStream(p.server());
        st.path().drop(1, (ip, tcp) -> ip.src().equals(LEFT) && tcp.flags() == TcpFlags.ACK
                && tcp.payloadLength() == 0, "lost in the network");
        st.close(p.server());
        st.settle(PATIENCE_NS);
        Narrator n = new Narrator().rule(ctx -> {
            if (ctx.event() instanceof TraceEvent.SegmentEvent s && s.direction() == TraceEvent.Direction.SENT
                    && s.header().has(TcpFlags.RST) && "no such connection".equals(s.note())) {
                return s.host() + " has already forgotten the connection, so the repeated FIN gets a RST.";
            }
            return null;
        });
        List<String> facts = OpenScenarios.facts(p.client(), p.server());
        return st.part(heading, intro, facts, n, b -> {}, null);
    }
}
