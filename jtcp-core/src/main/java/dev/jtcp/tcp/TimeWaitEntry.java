package dev.jtcp.tcp;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;

/**
 * A connection in TIME-WAIT, reduced to what that state needs (RFC 9293 §3.6.1, §3.10.7.4): the
 * 4-tuple, SND.NXT and RCV.NXT to acknowledge a retransmitted FIN, and TS.Recent for PAWS and for
 * deciding whether a new SYN may reopen the connection (RFC 6191). The full {@link TcpConnection}
 * and its buffers are released, so a busy server's thousands of TIME-WAIT connections cost a few
 * dozen bytes each.
 *
 * <p>The host owns entries, keeps them in expiry order and calls {@link #onSegment} for segments
 * that match. Not thread-safe.
 */
public final class TimeWaitEntry {
    /** What the host should do after {@link #onSegment}. */
    public enum Verdict {
        /** Nothing more (answered with an ACK or ignored). */
        HANDLED,
        /** The 2×MSL timer restarts (a retransmitted FIN was re-acknowledged). */
        RESTART_TIMER,
        /** A new SYN may reopen the 4-tuple (MAY-2): remove this entry and give the SYN to the listener. */
        REOPEN
    }

    private final ConnectionKey key;
    private final int sndNxt;
    private final int rcvNxt;
    private final boolean tsOk;
    private int tsRecent;
    private final int tsOffset;
    private final int windowField;
    private long expiryNs;
    /** When the last rate-limited ACK left, in milliseconds (wrapping); meaningful once {@link #oowAckSent}. */
    private int lastOowAckMs;
    /** Whether a rate-limited ACK left at all (the two fit in the record's padding). */
    private boolean oowAckSent;
    /**
     * The application's connection object while it still reads from it, so it learns of CLOSED; null
     * once the application gave it up ({@link TcpConnection#closeFully}), so the record stays small.
     */
    private TcpConnection owner;

    private TimeWaitEntry(ConnectionKey key, int sndNxt, int rcvNxt, boolean tsOk, int tsRecent, int tsOffset,
                          int windowField, long expiryNs, TcpConnection owner) {
        this.key = key;
        this.sndNxt = sndNxt;
        this.rcvNxt = rcvNxt;
        this.tsOk = tsOk;
        this.tsRecent = tsRecent;
        this.tsOffset = tsOffset;
        this.windowField = windowField;
        this.expiryNs = expiryNs;
        this.owner = owner;
    }

    /** The record for a connection that just entered TIME-WAIT; it expires 2×MSL from now (MUST-13). */
    public static TimeWaitEntry of(TcpConnection c, long nowNs, long timeWaitNs) {
        Tcb t = c.tcb();
        TimeWaitEntry e = new TimeWaitEntry(c.key(), t.sndMax, t.rcvNxt, t.tsOk, t.tsRecent, t.tsOffset,
                c.advertisedWindowField(), nowNs + timeWaitNs, c.isOrphaned() ? null : c);
        if (e.owner != null) {
            c.timeWaitEntry = e;
        }
        return e;
    }

    /** Whether the record still holds the application's whole connection (it has not closed it fully). */
    public boolean keepsConnection() {
        return owner != null;
    }

    /** The application closed the connection fully while in TIME-WAIT: keep only the compact record. */
    void releaseOwner() {
        owner = null;
    }

    public ConnectionKey key() {
        return key;
    }

    public long expiryNs() {
        return expiryNs;
    }

    /** The smallest ISN a reopened connection may use: beyond every sequence number of this one (MAY-2 (1)). */
    public int isnFloor() {
        return sndNxt + (1 << 17);
    }

    /** 2×MSL passed: the connection is CLOSED. */
    public void onExpired() {
        if (owner != null) {
            owner.onTimeWaitEnded();
        }
    }

    /**
     * A segment for this 4-tuple arrived in TIME-WAIT.
     *
     * <ul>
     *   <li>RST: ignored (RFC 1337, "TIME-WAIT assassination").
     *   <li>SYN: reopens if a listener can take it and it is newer than anything of this connection
     *       (RFC 6191 with timestamps, SEG.SEQ > RCV.NXT without; MAY-2, SHLD-4); otherwise answered
     *       with an ACK (RFC 5961 §4).
     *   <li>A retransmitted FIN (with ACK) is acknowledged and the 2×MSL timer restarts (§3.10.7.4).
     *   <li>Anything else unacceptable, a FIN without ACK among them, is answered with an ACK (first
     *       check) and leaves the timer alone (as Linux); an acceptable segment is ignored.
     * </ul>
     *
     * <p>Every ACK but the FIN's re-ACK is rate-limited per record ({@link #oowAckAllowed}).
     *
     * @param listening whether a listener would take a SYN for this 4-tuple's local address and port
     */
    public Verdict onSegment(long nowNs, TcpSegment seg, TcpContext ctx, TcpSegment reply, boolean listening) {
        if (seg.isRst()) {
            return Verdict.HANDLED;
        }
        if (seg.isSyn() && !seg.isAck()) {
            // MAY-2 reopens through a passive OPEN; with none, TIME-WAIT must not end early (§3.6.1).
            if (listening && ctx.config().timeWaitReuse() && isNewIncarnation(seg)) {
                return Verdict.REOPEN;
            }
            if (oowAckAllowed(nowNs, ctx)) {
                ack(nowNs, ctx, reply, "challenge ACK (SYN in TIME-WAIT)");
            }
            return Verdict.HANDLED;
        }
        if (tsOk && seg.options.hasTimestamps && SeqNum.lt(seg.options.tsVal, tsRecent)) {
            if (oowAckAllowed(nowNs, ctx)) {
                ack(nowNs, ctx, reply, "PAWS");
            }
            return Verdict.HANDLED;
        }
        if (seg.isFin() && seg.isAck()) {
            if (tsOk && seg.options.hasTimestamps) {
                tsRecent = seg.options.tsVal;
            }
            ack(nowNs, ctx, reply, "re-ACK of retransmitted FIN");
            expiryNs = nowNs + ctx.config().timeWaitNs();
            return Verdict.RESTART_TIMER;
        }
        // §3.10.7.4: an unacceptable segment is answered with an ACK (first check), whatever its
        // flags; an acceptable one without the ACK bit is then dropped (fifth check: "if the ACK bit
        // is off drop the segment and return"). A FIN without ACK is one of the former: it lies
        // below RCV.NXT, so it draws an ACK, but it is no retransmission of the FIN we acknowledged
        // (that one carried ACK) and never restarts the 2×MSL timer. Linux does the same.
        boolean acceptable = seg.seqLength() == 0 && seg.seq == rcvNxt;
        if (!acceptable && oowAckAllowed(nowNs, ctx)) {
            ack(nowNs, ctx, reply, null);
        }
        return Verdict.HANDLED;
    }

    /**
     * At most one ACK for an invalid segment (a SYN that may not reopen, PAWS, anything else
     * unacceptable) per {@link TcpConfig#invalidRateLimitNs()}, as Linux's {@code
     * tcp_timewait_check_oow_rate_limit}: a flood of forged segments into a TIME-WAIT 4-tuple draws
     * two ACKs a second, not one each. The re-ACK of a retransmitted FIN is not limited.
     */
    private boolean oowAckAllowed(long nowNs, TcpContext ctx) {
        long limitMs = ctx.config().invalidRateLimitNs() / 1_000_000;
        int nowMs = (int) (nowNs / 1_000_000);
        if (limitMs > 0 && oowAckSent && nowMs - lastOowAckMs < limitMs) {
            return false;
        }
        oowAckSent = true;
        lastOowAckMs = nowMs;
        return true;
    }

    private boolean isNewIncarnation(TcpSegment syn) {
        if (tsOk && syn.options.hasTimestamps) {
            return SeqNum.gt(syn.options.tsVal, tsRecent);
        }
        return SeqNum.gt(syn.seq, rcvNxt);
    }

    private void ack(long nowNs, TcpContext ctx, TcpSegment reply, String note) {
        reply.clear();
        reply.srcPort = key.localPort();
        reply.dstPort = key.remotePort();
        reply.seq = sndNxt;
        reply.ack = rcvNxt;
        reply.flags = TcpFlags.ACK;
        reply.window = windowField;
        if (tsOk) {
            int hz = ctx.config().timestampHz();
            reply.options.timestamps((int) (nowNs / (1_000_000_000L / hz)) + tsOffset, tsRecent);
        }
        ctx.transmit(nowNs, key.localAddress(), key.remoteAddress(), reply, note);
    }
}
