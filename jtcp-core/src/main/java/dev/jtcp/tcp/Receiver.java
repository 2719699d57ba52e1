package dev.jtcp.tcp;

import static dev.jtcp.event.TcpState.ESTABLISHED;
import static dev.jtcp.event.TcpState.FIN_WAIT_1;
import static dev.jtcp.event.TcpState.FIN_WAIT_2;

import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * The receiving half of SEGMENT ARRIVES, step by step as {@link TcpConnection} calls them in RFC
 * 9293 §3.10.7.4's order: the acceptability test and trimming to the window (first check), the
 * urgent pointer (sixth, §3.8.5 and RFC 6093), storing the text in the receive ring (seventh), the
 * ECN marks of arriving segments (RFC 3168 §6.1.3), and reading by the application (RECEIVE,
 * §3.10.3). What these steps change in the connection's state (FIN, resets, notifications) stays
 * with the connection.
 *
 * <p>Not thread-safe: driven by the one thread that runs its host.
 */
final class Receiver {
    /** The ECN codepoint Congestion Experienced (RFC 3168 §5). */
    private static final int ECN_CE = 0b11;

    private final Tcb tcb;
    private final Sender sender;
    /** Bytes of in-order text received (RCV.NXT moved by them). */
    long bytesReceived;
    /** RFC 3168 §6.1.3: segments that arrived with a Congestion Experienced mark. */
    long ceReceived;
    /** Receive-buffer autotuning, created with the first text while the buffer may grow; else null. */
    private ReceiveAutotuner autotuner;

    Receiver(Tcb tcb, Sender sender) {
        this.tcb = tcb;
        this.sender = sender;
    }

    /**
     * The peer's SYN (§3.10.7.2, §3.10.7.3): RCV.NXT = SEG.SEQ + 1, IRS = SEG.SEQ, and the window it
     * offered (unscaled, RFC 7323 §2.2), with its timestamp as TS.Recent.
     */
    void onSyn(long nowNs, TcpSegment syn) {
        Tcb t = tcb;
        t.irs = syn.seq;
        t.rcvNxt = syn.seq + 1;
        t.rcvReadSeq = t.rcvNxt;
        t.sndWl1 = syn.seq;
        t.sndWnd = syn.window;
        t.maxSndWnd = t.sndWnd;
        if (syn.options.hasTimestamps) {
            t.updateTsRecent(nowNs, syn.options.tsVal);
        }
    }

    /**
     * RFC 2883 §4: a segment whose data arrived before is reported in the first SACK block of the
     * next ACK, so the sender learns its retransmission was not needed (Linux's tcp_dsack=1): data
     * below RCV.NXT (§4.1.1), and data above it already held out of order (§4.2; the block holding it
     * follows, as the most recently changed run, when the segment is stored).
     */
    void noteDuplicate(TcpSegment seg) {
        Tcb t = tcb;
        if (!t.sackOk || seg.payloadLength == 0 || seg.isRst()) {
            return;
        }
        int end = seg.seq + seg.payloadLength;
        if (SeqNum.lt(seg.seq, t.rcvNxt)) {
            t.dsackPending = true;
            t.dsackStart = seg.seq;
            t.dsackEnd = SeqNum.min(end, t.rcvNxt);
            return;
        }
        if (!t.rcvBuf.hasOutOfOrder()) {
            return;
        }
        long held = t.rcvBuf.heldOutOfOrder(seg.seq, end);
        if (held != -1) {
            t.dsackPending = true;
            t.dsackStart = (int) (held >>> 32);
            t.dsackEnd = (int) held;
        }
    }

    /** The four cases of §3.10.7.4's acceptability table. */
    boolean acceptable(int seq, int len, int wnd) {
        int rcvNxt = tcb.rcvNxt;
        if (len == 0) {
            return wnd == 0 ? seq == rcvNxt : SeqNum.inWindow(seq, rcvNxt, wnd);
        }
        if (wnd == 0) {
            return false;
        }
        return SeqNum.inWindow(seq, rcvNxt, wnd) || SeqNum.inWindow(seq + len - 1, rcvNxt, wnd);
    }

    /** Cuts the parts of an acceptable segment before RCV.NXT and beyond the window (§3.10.7.4). */
    void trim(TcpSegment seg) {
        Tcb t = tcb;
        int before = SeqNum.diff(t.rcvNxt, seg.seq);
        if (before > 0) {
            if (seg.isSyn()) {
                seg.flags &= ~TcpFlags.SYN;
                seg.seq += 1;
                before--;
            }
            int cut = Math.min(before, seg.payloadLength);
            seg.payloadOffset += cut;
            if (seg.payloadBuffer != null && seg.payloadOffset >= seg.payloadBuffer.capacity()) {
                seg.payloadOffset -= seg.payloadBuffer.capacity();
            }
            seg.payloadLength -= cut;
            seg.seq += cut;
            if (seg.urgentPointer < cut) {
                // The pointer lies in data already received: RCV.UP = max(RCV.UP, SEG.UP) cannot move
                // (§3.10.7.4 sixth step), so there is nothing urgent to process (Linux likewise).
                seg.flags &= ~TcpFlags.URG;
                seg.urgentPointer = 0;
            } else {
                seg.urgentPointer -= cut;
            }
        }
        int room = Math.min(t.receiveWindow(), t.rcvBuf.window()) - SeqNum.diff(seg.seq, t.rcvNxt);
        if (seg.payloadLength > Math.max(room, 0)) {
            seg.payloadLength = Math.max(room, 0);
            seg.flags &= ~TcpFlags.FIN;
        }
    }

    /**
     * RFC 3168 §6.1.3, the receiver: a CWR ends the echo, and a Congestion Experienced mark starts
     * it (again, if the CWR segment is itself marked). The first mark is acknowledged at once, so
     * the sender learns of it within one RTT.
     */
    void noteEcnMarks(TcpSegment seg) {
        if (seg.has(TcpFlags.CWR)) {
            tcb.ecnEcho = false;
        }
        if ((seg.tos & Sender.ECN_MASK) == ECN_CE) {
            ceReceived++;
            if (!tcb.ecnEcho) {
                tcb.ecnEcho = true;
                sender.ackNow = true;
            }
        }
    }

    /**
     * Sixth check: URG (RFC 9293 §3.8.5, RFC 6093: the pointer is the seq after the last urgent
     * byte). Returns whether urgent data is now pending beyond what was read (MUST-31: tell the
     * application).
     */
    boolean onUrgentPointer(TcpSegment seg) {
        Tcb t = tcb;
        if (t.state != ESTABLISHED && t.state != FIN_WAIT_1 && t.state != FIN_WAIT_2) {
            return false;
        }
        int up = seg.seq + seg.urgentPointer;
        if (!t.rcvUrgent || SeqNum.gt(up, t.rcvUp)) {
            t.rcvUp = up;
            t.rcvUrgent = SeqNum.gt(t.rcvUp, t.rcvReadSeq);
            return t.rcvUrgent;
        }
        return false;
    }

    /**
     * Seventh step: copies the text into the receive ring at its place (out-of-order data waits
     * there for the hole before it), moves RCV.NXT over what is now in order, and lets the ACK
     * policy know (§3.8.6.3). Returns whether RCV.NXT moved.
     */
    boolean storeText(long nowNs, TcpSegment seg) {
        Tcb t = tcb;
        int len = seg.payloadLength;
        boolean inOrder = seg.seq == t.rcvNxt;
        boolean hadHoles = t.rcvBuf.hasOutOfOrder();
        int before = t.rcvNxt;
        t.rcvNxt = t.rcvBuf.store(t.rcvNxt, seg.seq, seg, 0, len);
        bytesReceived += SeqNum.diff(t.rcvNxt, before);
        if (autotuner == null && t.rcvBuf.capacity() < t.rcvBuf.maxCapacity()) {
            autotuner = new ReceiveAutotuner(t, nowNs);
        }
        if (autotuner != null) {
            autotuner.onText(nowNs, seg);
        }
        // §3.8.6.3: out-of-order data and hole fills are acknowledged at once, the rest maybe delayed.
        sender.onTextReceived(nowNs, len, !inOrder || hadHoles);
        return t.rcvNxt != before;
    }

    /**
     * RFC 7413 §4.2.2: a Fast Open SYN's data, taken at once (RCV.NXT moves past it, so the SYN,ACK
     * acknowledges it). Called after {@link #onSyn}; the SYN's payload is copied into the buffer.
     */
    void storeSynData(TcpSegment syn) {
        Tcb t = tcb;
        int before = t.rcvNxt;
        t.rcvNxt = t.rcvBuf.store(t.rcvNxt, t.rcvNxt, syn, 0, syn.payloadLength);
        bytesReceived += SeqNum.diff(t.rcvNxt, before);
        t.synData = t.rcvNxt != before;
    }

    /** RECEIVE (§3.10.3): in-order bytes into {@code dst}; the urgent mark ends once read past (MUST-31). */
    int read(long nowNs, ByteBuffer dst) {
        Tcb t = tcb;
        int n = t.rcvBuf.read(dst, Integer.MAX_VALUE);
        if (n > 0) {
            t.rcvReadSeq += n;
            if (t.rcvUrgent && SeqNum.ge(t.rcvReadSeq, t.rcvUp)) {
                t.rcvUrgent = false;
            }
            if (autotuner != null && autotuner.active()) {
                autotuner.onRead(nowNs);
            }
        }
        return n;
    }

    /** The autotuner's receiver RTT estimate in ns, 0 without one (for tests and STATUS). */
    long receiverRttNs() {
        return autotuner == null ? 0 : autotuner.rttNs();
    }
}
