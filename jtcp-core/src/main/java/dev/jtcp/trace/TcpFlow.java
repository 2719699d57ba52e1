package dev.jtcp.trace;

import dev.jtcp.event.TcpState;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One TCP connection seen in a capture: counters per direction, and a model of each endpoint's
 * state driven by the segments it sends and receives (RFC 9293 §3.3.2, §3.10.7), on the assumption
 * that what the capture saw was delivered. The capture point sits somewhere on the path, so times are
 * those of the capture, and a state change is placed at the segment that must have caused it.
 *
 * <p>Side "a" is the endpoint that sent the first SYN (or, mid-stream, the first packet). Each {@link
 * Side} holds what that endpoint sent and what state it must be in.
 *
 * <p>Not thread-safe.
 */
final class TcpFlow {
    /** A later segment that fills a gap this soon after the gap was seen counts as reordered, not resent. */
    private static final long REORDER_WINDOW_NS = 3_000_000L;

    /**
     * A state change the model inferred, for drawing; {@code bySending} when the endpoint changed state
     * in sending the segment (SYN-SENT, FIN-WAIT-1), rather than on receiving one.
     */
    record Transition(long timeNs, boolean ofA, TcpState from, TcpState to, String cause, boolean bySending) {}

    /** A segment on its way to a side, as the model needs it. */
    private record Pending(boolean fromA, long timeNs, int seq, int ack, int flags, int end, boolean newFin,
                           int senderNext) {
        boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    /** One endpoint: what it sent, and the state it must be in. */
    static final class Side {
        final String name;
        TcpState state;
        boolean assumed;
        final List<TcpState> states = new ArrayList<>();
        boolean sentAny;
        boolean synSent;
        boolean bareSynSent;
        int synSeq;
        boolean synAckSent;
        boolean nextValid;
        int next;
        /** The payload this side sent, each byte counted once. */
        final SeqCoverage payload = new SeqCoverage();
        boolean finSent;
        int finSeq;
        long finNs;
        boolean finAcksPeerFin;
        boolean ackedPeerFin;
        boolean ackedPeerFinAlone;
        boolean ackValid;
        int lastAck;
        int lastWindow;
        boolean hole;
        int holeStart;
        int holeEnd;
        long holeNs;
        boolean rstAccepted;
        long rstNs;
        long synRetransmits;
        long finRetransmits;
        long dataRetransmits;
        long outOfOrder;
        long zeroWindows;
        long dupAcks;
        long rsts;
        long unmatchedRsts;
        long synsOnOpen;
        long unseen;
        /** SYN- or FIN-bearing segments from the peer whose arrival this side has not yet shown. */
        final java.util.ArrayDeque<Pending> inbox = new java.util.ArrayDeque<>();

        Side(String name) {
            this.name = name;
        }
    }

    final int id;
    final String aEndpoint;
    final String bEndpoint;
    final Side a;
    final Side b;
    final long firstNs;
    long lastNs;
    long packets;
    private final int firstFlags;
    private int aSynsSent;
    private boolean awaitingThirdAck;
    private boolean thirdAck;
    private boolean thirdAckData;
    /** Set when this flow reuses a 4-tuple whose previous connection closed recently. */
    String reuseNote;
    /** Transitions inferred since the caller last drained them. */
    final List<Transition> fresh = new ArrayList<>();

    TcpFlow(int id, String aEndpoint, String bEndpoint, long firstNs, int firstFlags) {
        this.id = id;
        this.aEndpoint = aEndpoint;
        this.bEndpoint = bEndpoint;
        this.firstNs = firstNs;
        this.firstFlags = firstFlags;
        boolean opens = (firstFlags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN;
        this.a = new Side(opens ? "client" : "A");
        this.b = new Side(opens ? "server" : "B");
        if ((firstFlags & TcpFlags.SYN) == 0) {
            assume(a, TcpState.ESTABLISHED);
            assume(b, TcpState.ESTABLISHED);
        }
    }

    private static void assume(Side s, TcpState state) {
        s.state = state;
        s.assumed = true;
        s.states.add(state);
    }

    /** Whether the connection is over: both FINs acknowledged, or a RST accepted. */
    boolean isFinished() {
        return a.rstAccepted || b.rstAccepted || (a.finSent && b.finSent && a.ackedPeerFin && b.ackedPeerFin);
    }

    /** When it finished, for TIME-WAIT reuse: the later FIN or the RST. */
    long finishedNs() {
        if (a.rstAccepted || b.rstAccepted) {
            return Math.max(a.rstNs, b.rstNs);
        }
        return Math.max(a.finNs, b.finNs);
    }

    boolean closedByFins() {
        return !a.rstAccepted && !b.rstAccepted && a.finSent && b.finSent;
    }

    int synSeqOf(boolean fromA) {
        return (fromA ? a : b).synSeq;
    }

    boolean synSentBy(boolean fromA) {
        return (fromA ? a : b).synSent;
    }

    /**
     * One segment of this connection, sent by a if {@code fromA}. Returns a note for the drawing
     * ("retransmission", "out of order") or null.
     */
    String onSegment(boolean fromA, long nowNs, int seq, int ack, int flags, int window, int payloadLength) {
        Side s = fromA ? a : b;
        Side r = fromA ? b : a;
        packets++;
        lastNs = nowNs;
        boolean syn = (flags & TcpFlags.SYN) != 0;
        boolean fin = (flags & TcpFlags.FIN) != 0;
        boolean rst = (flags & TcpFlags.RST) != 0;
        boolean hasAck = (flags & TcpFlags.ACK) != 0;
        int end = seq + payloadLength + (syn ? 1 : 0) + (fin ? 1 : 0);
        int dataEnd = seq + (syn ? 1 : 0) + payloadLength;
        String note = null;
        boolean newFin = fin && !s.finSent;
        int nextBefore = s.next;
        boolean nextWasValid = s.nextValid;

        if (syn) {
            boolean onOpen = false;
            if (s.synSent && seq == s.synSeq) {
                s.synRetransmits++;
                note = "retransmission";
            } else if (s.synSent && !hasAck && r.state != null && r.state.isSynchronized()) {
                // A restarted peer's new SYN: keep the old ISN, so that once the old connection is
                // reset, the SYN's next retransmission opens a new connection.
                s.synsOnOpen++;
                onOpen = true;
            }
            if (fromA && !hasAck) {
                aSynsSent++;
            }
            s.synSent = true;
            if (!onOpen) {
                s.synSeq = seq;
            }
            if (hasAck) {
                s.synAckSent = true;
            } else {
                s.bareSynSent = true;
            }
        }
        s.payload.add(seq + (syn ? 1 : 0), payloadLength);
        if (!s.nextValid) {
            s.nextValid = true;
            s.next = end;
        } else if (payloadLength > 0) {
            int dataStart = seq + (syn ? 1 : 0);
            if (SeqNum.le(dataEnd, s.next)) {
                if (s.hole && SeqNum.ge(dataStart, s.holeStart) && SeqNum.le(dataEnd, s.holeEnd)) {
                    if (nowNs - s.holeNs <= REORDER_WINDOW_NS) {
                        s.outOfOrder++;
                        note = "out of order";
                    } else {
                        s.dataRetransmits++;
                        note = "retransmission";
                    }
                    fillHole(s, dataStart, dataEnd);
                } else if (!(payloadLength == 1 && dataEnd == s.next && !fin)) {
                    s.dataRetransmits++;
                    note = "retransmission";
                }
            } else {
                if (SeqNum.gt(dataStart, s.next)) {
                    s.hole = true;
                    s.holeStart = s.next;
                    s.holeEnd = dataStart;
                    s.holeNs = nowNs;
                } else {
                    if (SeqNum.lt(dataStart, s.next)) {
                        s.dataRetransmits++;
                        note = "retransmission";
                    }
                }
            }
        } else if (fin && s.finSent && seq == s.finSeq) {
            s.finRetransmits++;
            note = "retransmission";
        }
        if (SeqNum.gt(end, s.next)) {
            s.next = end;
        }
        if (rst) {
            s.rsts++;
        }
        if (window == 0 && !rst) {
            s.zeroWindows++;
        }
        if (hasAck && !rst) {
            if (r.nextValid && SeqNum.gt(ack, r.next)) {
                // The peer sent more than the capture saw.
                r.unseen++;
                r.next = ack;
            }
            if (payloadLength == 0 && !syn && !fin && s.ackValid && ack == s.lastAck && window == s.lastWindow
                    && r.nextValid && SeqNum.gt(r.next, ack)) {
                s.dupAcks++;
            }
            if (r.finSent && SeqNum.gt(ack, r.finSeq)) {
                if (!s.ackedPeerFin && !fin && !s.finSent) {
                    s.ackedPeerFinAlone = true;
                }
                s.ackedPeerFin = true;
            }
            s.ackValid = true;
            s.lastAck = ack;
            s.lastWindow = window;
        }
        if (fin && !s.finSent) {
            s.finSent = true;
            s.finSeq = seq + payloadLength;
            s.finNs = nowNs;
            s.finAcksPeerFin = hasAck && r.finSent && SeqNum.gt(ack, r.finSeq);
        }
        s.sentAny = true;
        if (hasAck) {
            deliverAcked(s, ack, syn);
        }
        if (fromA && awaitingThirdAck && hasAck && !syn && b.synSent && ack == b.synSeq + 1) {
            awaitingThirdAck = false;
            thirdAck = true;
            thirdAckData = payloadLength > 0;
        }
        sent(s, nowNs, syn, hasAck, fin, rst, fromA);
        if (syn || fin) {
            r.inbox.add(new Pending(fromA, nowNs, seq, ack, flags, end, newFin, nextWasValid ? nextBefore : seq));
        } else {
            deliverAll(r);
            // Plain data and ACKs change the receiver's state only in these cases; skip the rest cheaply.
            if (rst || r.state == TcpState.SYN_RECEIVED || (hasAck && r.finSent)) {
                received(r, new Pending(fromA, nowNs, seq, ack, flags, end, false, nextWasValid ? nextBefore : seq));
            }
        }
        return note;
    }

    /**
     * {@code s} sent a segment acknowledging up to {@code ack}: the SYNs and FINs it covers had
     * arrived, in order. A segment that itself carries a SYN proves only that a bare SYN arrived (a
     * SYN,ACK's sequence number repeats its SYN's, so its acknowledgment cannot tell them apart).
     */
    private void deliverAcked(Side s, int ack, boolean carriesSyn) {
        while (!s.inbox.isEmpty()) {
            Pending p = s.inbox.peek();
            if (!SeqNum.le(p.end(), ack) || (carriesSyn && (!p.has(TcpFlags.SYN) || p.has(TcpFlags.ACK)))) {
                return;
            }
            received(s, s.inbox.poll());
        }
    }

    /** Everything still on its way to {@code r} has arrived (segments of one direction arrive in order). */
    private void deliverAll(Side r) {
        while (!r.inbox.isEmpty()) {
            received(r, r.inbox.poll());
        }
    }

    /** The capture is over: whatever is still on its way is taken as delivered, oldest first. */
    void flush() {
        while (!a.inbox.isEmpty() || !b.inbox.isEmpty()) {
            Side next = b.inbox.isEmpty() || (!a.inbox.isEmpty() && a.inbox.peek().timeNs() <= b.inbox.peek().timeNs())
                    ? a : b;
            received(next, next.inbox.poll());
        }
    }

    private static void fillHole(Side s, int start, int end) {
        if (start == s.holeStart) {
            s.holeStart = end;
        } else if (end == s.holeEnd) {
            s.holeEnd = start;
        }
        if (SeqNum.ge(s.holeStart, s.holeEnd)) {
            s.hole = false;
        }
    }

    /** The sender's side of the model. */
    private void sent(Side s, long nowNs, boolean syn, boolean hasAck, boolean fin, boolean rst, boolean fromA) {
        if (rst) {
            if (s.state == null) {
                s.state = TcpState.CLOSED;
                s.states.add(TcpState.CLOSED);
            } else if (s.state != TcpState.CLOSED && s.state != TcpState.LISTEN) {
                send(s, fromA, nowNs, TcpState.CLOSED, "sent RST");
            }
            return;
        }
        if (syn && !hasAck && (s.state == null || s.state == TcpState.CLOSED)) {
            if (s.state == null) {
                s.state = TcpState.CLOSED;
                s.states.add(TcpState.CLOSED);
            }
            send(s, fromA, nowNs, TcpState.SYN_SENT, "sent SYN");
        } else if (syn && hasAck) {
            if (s.state == null || s.state == TcpState.CLOSED) {
                s.state = TcpState.LISTEN;
                s.states.add(TcpState.LISTEN);
            }
            if (s.state == TcpState.LISTEN) {
                send(s, fromA, nowNs, TcpState.SYN_RECEIVED, "rcv SYN, sent SYN,ACK");
            } else if (s.state == TcpState.SYN_SENT) {
                send(s, fromA, nowNs, TcpState.SYN_RECEIVED, "rcv SYN (simultaneous open)");
            }
        }
        if (fin && s.state != null) {
            switch (s.state) {
                case ESTABLISHED, SYN_RECEIVED -> send(s, fromA, nowNs, TcpState.FIN_WAIT_1, "sent FIN");
                case CLOSE_WAIT -> send(s, fromA, nowNs, TcpState.LAST_ACK, "sent FIN");
                default -> {
                }
            }
        }
    }

    /** The receiver's side of the model: {@code p} arrived at {@code r}. */
    private void received(Side r, Pending p) {
        Side s = p.fromA() ? a : b;
        boolean ofA = !p.fromA();
        long nowNs = p.timeNs();
        int seq = p.seq();
        int ack = p.ack();
        boolean syn = p.has(TcpFlags.SYN);
        boolean hasAck = p.has(TcpFlags.ACK);
        boolean newFin = p.newFin();
        if (p.has(TcpFlags.RST)) {
            boolean accepted = r.state == TcpState.SYN_SENT ? hasAck && ack == r.synSeq + 1
                    : r.state != null && r.state != TcpState.LISTEN && r.state != TcpState.CLOSED
                            && (seq == p.senderNext() || (r.ackValid && seq == r.lastAck));
            if (accepted) {
                s.rstAccepted = true;
                s.rstNs = nowNs;
                move(r, ofA, nowNs, TcpState.CLOSED, r.state == TcpState.SYN_SENT ? "rcv RST,ACK (refused)" : "rcv RST");
            } else if (r.state != null && r.state != TcpState.CLOSED) {
                s.unmatchedRsts++;
            }
            return;
        }
        if (r.state == null) {
            return;
        }
        if (syn && hasAck && ack == r.synSeq + 1
                && (r.state == TcpState.SYN_SENT || r.state == TcpState.SYN_RECEIVED)) {
            move(r, ofA, nowNs, TcpState.ESTABLISHED, "rcv SYN,ACK");
            if (ofA) {
                awaitingThirdAck = true;
            }
        } else if (!syn && hasAck && r.state == TcpState.SYN_RECEIVED && r.synSent && SeqNum.gt(ack, r.synSeq)) {
            move(r, ofA, nowNs, TcpState.ESTABLISHED, "rcv ACK of SYN");
        }
        boolean acksOurFin = hasAck && r.finSent && SeqNum.gt(ack, r.finSeq);
        if (acksOurFin) {
            switch (r.state) {
                case FIN_WAIT_1 -> {
                    if (!newFin) {
                        move(r, ofA, nowNs, TcpState.FIN_WAIT_2, "rcv ACK of FIN");
                    }
                }
                case CLOSING -> move(r, ofA, nowNs, TcpState.TIME_WAIT, "rcv ACK of FIN");
                case LAST_ACK -> move(r, ofA, nowNs, TcpState.CLOSED, "rcv ACK of FIN");
                default -> {
                }
            }
        }
        if (newFin) {
            switch (r.state) {
                case ESTABLISHED, SYN_RECEIVED -> move(r, ofA, nowNs, TcpState.CLOSE_WAIT, "rcv FIN");
                case FIN_WAIT_1 -> move(r, ofA, nowNs, acksOurFin ? TcpState.TIME_WAIT : TcpState.CLOSING,
                        acksOurFin ? "rcv FIN,ACK" : "rcv FIN");
                case FIN_WAIT_2 -> move(r, ofA, nowNs, TcpState.TIME_WAIT, "rcv FIN");
                default -> {
                }
            }
        }
    }

    private void move(Side side, boolean ofA, long nowNs, TcpState to, String cause) {
        change(side, ofA, nowNs, to, cause, false);
    }

    private void send(Side side, boolean ofA, long nowNs, TcpState to, String cause) {
        change(side, ofA, nowNs, to, cause, true);
    }

    private void change(Side side, boolean ofA, long nowNs, TcpState to, String cause, boolean bySending) {
        TcpState from = side.state;
        if (from == to) {
            return;
        }
        side.state = to;
        side.states.add(to);
        fresh.add(new Transition(nowNs, ofA, from, to, cause, bySending));
    }

    /** The finished report. */
    ConnectionReport report() {
        return new ConnectionReport(id, aEndpoint, bEndpoint, a.name, b.name, firstNs, lastNs, packets,
                a.payload.bytes(), b.payload.bytes(), opening(), closing(), a.states, b.states, anomalies());
    }

    private String opening() {
        boolean firstIsSyn = (firstFlags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN;
        if ((firstFlags & (TcpFlags.SYN | TcpFlags.ACK)) == (TcpFlags.SYN | TcpFlags.ACK)) {
            return "handshake partly captured (the capture began after the SYN)";
        }
        if (!firstIsSyn) {
            return "mid-stream: the capture began after the handshake";
        }
        if (b.bareSynSent) {
            return "simultaneous open: both sides sent a SYN";
        }
        if (b.synAckSent) {
            if (thirdAck) {
                return "three-way handshake" + (thirdAckData ? "; the third segment carried data" : "");
            }
            return "handshake incomplete: no ACK of the SYN,ACK was seen";
        }
        if (b.rstAccepted && !b.synAckSent) {
            return "refused: " + b.name + " answered the SYN with RST";
        }
        if (!b.sentAny) {
            return "unanswered SYN" + (aSynsSent > 1 ? " (sent " + aSynsSent + " times)" : "");
        }
        return "SYN answered unexpectedly";
    }

    private String closing() {
        Side reset = b.rstAccepted && (!a.rstAccepted || b.rstNs <= a.rstNs) ? b : a.rstAccepted ? a : null;
        if (reset != null) {
            boolean refused = reset == b && !b.synAckSent && a.synSent && (a.states.contains(TcpState.SYN_SENT))
                    && !a.states.contains(TcpState.ESTABLISHED);
            if (refused) {
                return "never opened: refused with RST by " + b.name;
            }
            return "reset by " + reset.name + (a.finSent || b.finSent ? ", after a FIN" : "");
        }
        if (a.finSent && b.finSent) {
            Side first = a.finNs <= b.finNs ? a : b;
            Side second = first == a ? b : a;
            String how;
            if (!second.finAcksPeerFin) {
                how = "simultaneous: the FINs crossed; both sides passed through CLOSING";
            } else if (second.ackedPeerFinAlone) {
                how = "four-way: " + first.name + " closed first (FIN, ACK, FIN, ACK)";
            } else {
                how = "three-way: " + second.name + "'s FIN carried the ACK of " + first.name
                        + "'s FIN (FIN and ACK combined)";
            }
            boolean finalAck = first.ackedPeerFin && second.ackedPeerFin;
            return how + (finalAck ? "" : "; the last ACK was not captured");
        }
        if (a.finSent || b.finSent) {
            Side closer = a.finSent ? a : b;
            Side other = closer == a ? b : a;
            return "half-closed: " + closer.name + " sent FIN; " + other.name + " had not closed when the capture"
                    + " ended";
        }
        return "still open: no FIN or RST";
    }

    private Map<String, Long> anomalies() {
        Map<String, Long> m = new LinkedHashMap<>();
        if (reuseNote != null) {
            m.put(reuseNote, 1L);
        }
        if (a.synSent && !a.synAckSent && !b.sentAny) {
            m.put("unanswered SYN", (long) aSynsSent);
        }
        for (Side s : List.of(a, b)) {
            put(m, (s.synAckSent ? "SYN,ACK" : "SYN") + " retransmitted by " + s.name, s.synRetransmits);
            put(m, "FIN retransmitted by " + s.name, s.finRetransmits);
            put(m, "data retransmitted by " + s.name, s.dataRetransmits);
            put(m, "out-of-order segments from " + s.name, s.outOfOrder);
            put(m, "zero window advertised by " + s.name, s.zeroWindows);
            put(m, "duplicate ACKs from " + s.name, s.dupAcks);
            put(m, "RST from " + s.name, s.rsts);
            put(m, "RST from " + s.name + " matching no sequence number (blind or stale)", s.unmatchedRsts);
            put(m, "SYN from " + s.name + " on an open connection (peer restarted?)", s.synsOnOpen);
            put(m, "segments from " + s.name + " acknowledged but never captured", s.unseen);
            if (s.hole) {
                m.put("data from " + s.name + " never seen (lost before the capture point?)", 1L);
            }
        }
        return m;
    }

    private static void put(Map<String, Long> m, String key, long count) {
        if (count > 0) {
            m.put(key, count);
        }
    }
}
