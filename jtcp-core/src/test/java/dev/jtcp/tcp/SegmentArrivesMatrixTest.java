package dev.jtcp.tcp;

import static dev.jtcp.testutil.ScriptedPeer.seg;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every cell of RFC 9293 §3.10.7 SEGMENT ARRIVES: each state of the diagram, each kind of arriving
 * segment, and sequence numbers left of, at the edges of, inside and right of the receive window.
 * The expected answer comes from {@link #oracle}, a transcription of the RFC's rules (with RFC 5961
 * and RFC 1337 where RFC 9293 adopts them) written independently of the engine; the cell names read
 * like "ESTABLISHED + RST at RCV.NXT+1 → ACK, stays ESTABLISHED".
 */
class SegmentArrivesMatrixTest {
    private static final long MS = 1_000_000L;
    private static final int DATA = 10;

    /** The engine's sequence numbers after {@link #establish}: ISS 299 / IRS 99. */
    private static final int ISS = 299;
    private static final int IRS = 99;

    enum Kind {
        NONE(0), SYN(TcpFlags.SYN), SYN_ACK(TcpFlags.SYN | TcpFlags.ACK), ACK(TcpFlags.ACK), FIN(TcpFlags.FIN),
        FIN_ACK(TcpFlags.FIN | TcpFlags.ACK), RST(TcpFlags.RST), RST_ACK(TcpFlags.RST | TcpFlags.ACK),
        DATA_ACK(TcpFlags.ACK | TcpFlags.PSH);

        final int flags;

        Kind(int flags) {
            this.flags = flags;
        }

        boolean has(int f) {
            return (flags & f) != 0;
        }

        int payload() {
            return this == DATA_ACK ? DATA : 0;
        }

        int seqLength() {
            return payload() + (has(TcpFlags.SYN) ? 1 : 0) + (has(TcpFlags.FIN) ? 1 : 0);
        }
    }

    /** Where SEG.SEQ lies relative to the receive window [RCV.NXT, RCV.NXT + RCV.WND). */
    enum Position {
        FAR_LEFT, LEFT_EDGE_MINUS_1, AT_RCV_NXT, RCV_NXT_PLUS_1, INSIDE, RIGHT_EDGE, RIGHT_OF_WINDOW;

        int seq(int rcvNxt, int wnd) {
            return switch (this) {
                case FAR_LEFT -> rcvNxt - 1000;
                case LEFT_EDGE_MINUS_1 -> rcvNxt - 1;
                case AT_RCV_NXT -> rcvNxt;
                case RCV_NXT_PLUS_1 -> rcvNxt + 1;
                case INSIDE -> rcvNxt + wnd / 2;
                case RIGHT_EDGE -> rcvNxt + wnd - 1;
                case RIGHT_OF_WINDOW -> rcvNxt + wnd + 1000;
            };
        }
    }

    enum Response { NOTHING, ACK, RST, SYN_ACK }

    /** The expected reply and the state afterwards ("LISTEN" for a passive child that was dropped). */
    record Outcome(Response response, TcpState state) {}

    /** Connection states a segment can meet, built with a scripted peer. */
    enum Setup { CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING,
        LAST_ACK, TIME_WAIT }

    /** The stage for one cell. */
    static final class Stage {
        final ScriptedPeer peer = new ScriptedPeer(TcpConfig.defaults(), ISS);
        TcpConnection conn;
        TcpListener listener;
        int rcvNxt;
        int rcvWnd;
        int sndUna;

        Stage(Setup setup) {
            switch (setup) {
                case CLOSED -> {
                    rcvNxt = 5000;
                    rcvWnd = 65535;
                }
                case LISTEN -> {
                    listener = peer.host.listen(0, ScriptedPeer.LOCAL_PORT, 8);
                    rcvNxt = 5000;
                    rcvWnd = 65535;
                }
                case SYN_SENT -> {
                    conn = peer.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, ScriptedPeer.LOCAL_PORT);
                    rcvNxt = 5000;
                    rcvWnd = 65535;
                    sndUna = ISS;
                }
                case SYN_RECEIVED -> {
                    listener = peer.host.listen(0, ScriptedPeer.LOCAL_PORT, 8);
                    peer.inject(seg(TcpFlags.SYN).seq(IRS));
                    conn = peer.host.connections().getFirst();
                }
                default -> {
                    establish();
                    switch (setup) {
                        case FIN_WAIT_1 -> conn.close(peer.now());
                        case FIN_WAIT_2 -> {
                            conn.close(peer.now());
                            peer.inject(seg(TcpFlags.ACK).seq(IRS + 1).ack(ISS + 2));
                        }
                        case CLOSE_WAIT -> peer.inject(seg(TcpFlags.FIN | TcpFlags.ACK).seq(IRS + 1).ack(ISS + 1));
                        case LAST_ACK -> {
                            peer.inject(seg(TcpFlags.FIN | TcpFlags.ACK).seq(IRS + 1).ack(ISS + 1));
                            conn.close(peer.now());
                        }
                        case CLOSING -> {
                            conn.close(peer.now());
                            peer.inject(seg(TcpFlags.FIN | TcpFlags.ACK).seq(IRS + 1).ack(ISS + 1));
                        }
                        case TIME_WAIT -> {
                            conn.close(peer.now());
                            peer.inject(seg(TcpFlags.FIN | TcpFlags.ACK).seq(IRS + 1).ack(ISS + 2));
                        }
                        default -> {
                        }
                    }
                    assertThat(conn.state().name()).isEqualTo(setup.name());
                }
            }
            if (conn != null && setup != Setup.SYN_SENT) {
                ConnectionStatus st = conn.status();
                rcvNxt = st.rcvNxt();
                rcvWnd = st.rcvWnd();
                sndUna = st.sndUna();
            }
            peer.advance(100 * MS);
            peer.clearSent();
        }

        private void establish() {
            listener = peer.host.listen(0, ScriptedPeer.LOCAL_PORT, 8);
            peer.inject(seg(TcpFlags.SYN).seq(IRS));
            peer.inject(seg(TcpFlags.ACK).seq(IRS + 1).ack(ISS + 1));
            conn = listener.accept();
        }
    }

    @TestFactory
    @Requirement({"MUST-12", "MUST-66"})
    Stream<DynamicTest> everyStateEveryKindEveryPosition() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Setup setup : Setup.values()) {
            for (Kind kind : Kind.values()) {
                for (Position pos : Position.values()) {
                    if ((setup == Setup.SYN_SENT || setup == Setup.LISTEN || setup == Setup.CLOSED)
                            && pos != Position.AT_RCV_NXT) {
                        continue; // no receive window yet: one cell per kind
                    }
                    tests.add(cell(setup, kind, pos));
                }
            }
        }
        return tests.stream();
    }

    private DynamicTest cell(Setup setup, Kind kind, Position pos) {
        Stage probe = new Stage(setup);
        int seq = pos.seq(probe.rcvNxt, probe.rcvWnd);
        Outcome expected = oracle(setup, kind, pos, seq, probe.rcvNxt, probe.rcvWnd);
        String name = setup + " + " + kind + " at " + pos + " → " + expected.response() + ", "
                + (expected.state() == null ? "no connection" : expected.state());
        return DynamicTest.dynamicTest(name, () -> {
            Stage s = new Stage(setup);
            int ack = switch (setup) {
                case SYN_SENT, SYN_RECEIVED -> ISS + 1;
                default -> s.sndUna;
            };
            ScriptedPeer.Seg segment = seg(kind.flags).seq(seq).ack(kind.has(TcpFlags.ACK) ? ack : 0);
            if (kind.payload() > 0) {
                segment.data(kind.payload());
            }
            s.peer.inject(segment);
            s.peer.advance(60 * MS);
            List<ScriptedPeer.Sent> sent = s.peer.pending();
            Response actual = sent.isEmpty() ? Response.NOTHING : classify(sent.getFirst());
            assertThat(actual).as("reply; sent %s", sent).isEqualTo(expected.response());
            assertThat(stateAfter(s, setup)).as("state after").isEqualTo(expected.state());
        });
    }

    private static Response classify(ScriptedPeer.Sent s) {
        if (s.is(TcpFlags.RST) || s.is(TcpFlags.RST | TcpFlags.ACK)) {
            return Response.RST;
        }
        if (s.is(TcpFlags.SYN | TcpFlags.ACK)) {
            return Response.SYN_ACK;
        }
        return Response.ACK;
    }

    /** The engine's state for the 4-tuple: the connection, a TIME-WAIT record, or a listener's child. */
    private static TcpState stateAfter(Stage s, Setup setup) {
        if (setup == Setup.CLOSED) {
            return null;
        }
        if (setup == Setup.LISTEN) {
            return s.peer.host.connectionCount() > 0 ? s.peer.host.connections().getFirst().state() : TcpState.LISTEN;
        }
        if (setup == Setup.TIME_WAIT) {
            if (s.peer.host.connectionCount() > 0) {
                return s.peer.host.connections().getFirst().state();
            }
            return s.peer.host.timeWaitCount() > 0 ? TcpState.TIME_WAIT : TcpState.CLOSED;
        }
        if (s.conn.state() == TcpState.LISTEN || (setup == Setup.SYN_RECEIVED && s.peer.host.connectionCount() == 0)) {
            return TcpState.LISTEN;
        }
        return s.conn.state();
    }

    /** RFC 9293 §3.10.7.4's acceptability table. */
    private static boolean acceptable(int seq, int len, int rcvNxt, int wnd) {
        if (len == 0) {
            return wnd == 0 ? seq == rcvNxt : SeqNum.inWindow(seq, rcvNxt, wnd);
        }
        return wnd > 0 && (SeqNum.inWindow(seq, rcvNxt, wnd) || SeqNum.inWindow(seq + len - 1, rcvNxt, wnd));
    }

    /** The RFC's answer, transcribed state by state. */
    static Outcome oracle(Setup setup, Kind k, Position pos, int seq, int rcvNxt, int wnd) {
        switch (setup) {
            case CLOSED -> {
                // §3.10.7.1: anything but a RST draws a RST (RST,ACK when the segment had no ACK).
                return new Outcome(k.has(TcpFlags.RST) ? Response.NOTHING : Response.RST, null);
            }
            case LISTEN -> {
                // §3.10.7.2: RST ignored; any ACK → RST; SYN → SYN,ACK and SYN-RECEIVED; else drop.
                if (k.has(TcpFlags.RST)) {
                    return new Outcome(Response.NOTHING, TcpState.LISTEN);
                }
                if (k.has(TcpFlags.ACK)) {
                    return new Outcome(Response.RST, TcpState.LISTEN);
                }
                if (k.has(TcpFlags.SYN)) {
                    return new Outcome(Response.SYN_ACK, TcpState.SYN_RECEIVED);
                }
                return new Outcome(Response.NOTHING, TcpState.LISTEN);
            }
            case SYN_SENT -> {
                // §3.10.7.3 with an acceptable ACK (it acknowledges our SYN).
                if (k.has(TcpFlags.RST)) {
                    return k.has(TcpFlags.ACK) ? new Outcome(Response.NOTHING, TcpState.CLOSED)
                            : new Outcome(Response.NOTHING, TcpState.SYN_SENT);
                }
                if (k.has(TcpFlags.SYN)) {
                    return k.has(TcpFlags.ACK) ? new Outcome(Response.ACK, TcpState.ESTABLISHED)
                            : new Outcome(Response.SYN_ACK, TcpState.SYN_RECEIVED);
                }
                return new Outcome(Response.NOTHING, TcpState.SYN_SENT);
            }
            case TIME_WAIT -> {
                // RFC 1337: RST ignored. A SYN newer than the old connection may reopen it (MAY-2);
                // an older one draws an ACK (RFC 5961 §4). A retransmitted FIN is re-acknowledged.
                if (k.has(TcpFlags.RST)) {
                    return new Outcome(Response.NOTHING, TcpState.TIME_WAIT);
                }
                if (k == Kind.SYN) {
                    return SeqNum.gt(seq, rcvNxt) ? new Outcome(Response.SYN_ACK, TcpState.SYN_RECEIVED)
                            : new Outcome(Response.ACK, TcpState.TIME_WAIT);
                }
                if (k.has(TcpFlags.FIN)) {
                    return new Outcome(Response.ACK, TcpState.TIME_WAIT);
                }
                boolean ok = k.seqLength() == 0 && seq == rcvNxt;
                return new Outcome(ok ? Response.NOTHING : Response.ACK, TcpState.TIME_WAIT);
            }
            default -> {
                return synchronizedOracle(setup, k, seq, rcvNxt, wnd);
            }
        }
    }

    private static Outcome synchronizedOracle(Setup setup, Kind k, int seq, int rcvNxt, int wnd) {
        TcpState s = TcpState.valueOf(setup.name());
        boolean passiveSynRcvd = s == TcpState.SYN_RECEIVED;
        // Deviation (as Linux): a retransmitted SYN in SYN-RECEIVED is answered with the SYN,ACK; a
        // SYN,ACK at IRS there is the simultaneous-open case whose SYN is old and is dropped.
        if (passiveSynRcvd && k == Kind.SYN && seq == IRS) {
            return new Outcome(Response.SYN_ACK, s);
        }
        if (passiveSynRcvd && k == Kind.SYN_ACK && seq == IRS) {
            return new Outcome(Response.NOTHING, TcpState.ESTABLISHED);
        }
        // First: sequence number.
        if (!acceptable(seq, k.seqLength(), rcvNxt, wnd)) {
            return new Outcome(k.has(TcpFlags.RST) ? Response.NOTHING : Response.ACK, s);
        }
        // Second: RST (RFC 5961 §3.2).
        if (k.has(TcpFlags.RST)) {
            if (seq != rcvNxt) {
                return new Outcome(Response.ACK, s);
            }
            return new Outcome(Response.NOTHING, passiveSynRcvd ? TcpState.LISTEN : TcpState.CLOSED);
        }
        // Fourth: SYN (RFC 5961 §4; SYN-RECEIVED from LISTEN returns to LISTEN).
        if (k.has(TcpFlags.SYN)) {
            return passiveSynRcvd ? new Outcome(Response.NOTHING, TcpState.LISTEN) : new Outcome(Response.ACK, s);
        }
        // Fifth: no ACK → drop.
        if (!k.has(TcpFlags.ACK)) {
            return new Outcome(Response.NOTHING, s);
        }
        if (passiveSynRcvd) {
            s = TcpState.ESTABLISHED;
        }
        // Seventh: text (trimmed to the window: bytes before RCV.NXT are old, the rest new).
        Response r = Response.NOTHING;
        boolean receiving = s == TcpState.ESTABLISHED || s == TcpState.FIN_WAIT_1 || s == TcpState.FIN_WAIT_2;
        int newBytes = 0;
        if (k.payload() > 0) {
            int end = seq + k.payload();
            newBytes = SeqNum.gt(end, rcvNxt) ? Math.min(SeqNum.diff(end, SeqNum.max(seq, rcvNxt)), wnd) : 0;
            if (receiving && newBytes > 0) {
                r = Response.ACK; // in order: delayed but within 40 ms; out of order: at once
            }
        }
        // Eighth: FIN, if it is next in sequence after the text.
        if (k.has(TcpFlags.FIN)) {
            int finSeq = seq + k.payload();
            if (finSeq == rcvNxt) {
                r = Response.ACK;
                s = switch (s) {
                    case ESTABLISHED -> TcpState.CLOSE_WAIT;
                    case FIN_WAIT_1 -> TcpState.CLOSING;
                    case FIN_WAIT_2 -> TcpState.TIME_WAIT;
                    default -> s;
                };
            } else if (SeqNum.gt(finSeq, rcvNxt)) {
                r = Response.ACK; // out-of-order FIN: held, and acknowledged as a gap
            }
        }
        return new Outcome(r, s);
    }
}
