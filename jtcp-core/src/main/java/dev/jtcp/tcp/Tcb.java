package dev.jtcp.tcp;

import dev.jtcp.event.TcpState;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpSegment;

/**
 * The transmission control block: the variables of RFC 9293 §3.3.1, the options negotiated in the
 * handshake (§3.7.1 MSS, RFC 7323 window scale and timestamps, RFC 2018 SACK, RFC 3168 ECN) and
 * the buffers, in one plain object. The connection's parts ({@link Sender}, {@link LossRecovery},
 * {@link TailLossProbe}, {@link SynOptions}) share it; none of them holds the connection.
 *
 * <p>Fields are package-private and read and written directly: this is the engine's state, not an
 * API. Sequence numbers are modulo 2^32 ({@link SeqNum}); "≤" below means {@link SeqNum#le}.
 *
 * <p>Not thread-safe: driven by the one thread that runs its host.
 */
final class Tcb {
    /** RFC 7323 §5.5: TS.Recent is invalid after 24 days idle. */
    private static final long TS_RECENT_MAX_IDLE_NS = 24L * 24 * 3600 * 1_000_000_000L;

    /** The connection's state; written only by {@code TcpConnection.setState}, read by every part. */
    TcpState state = TcpState.CLOSED;

    // ---- send sequence variables (RFC 9293 §3.3.1) ----
    /** ISS: our initial sequence number; fixed once chosen (§3.4.1). */
    int iss;
    /** SND.UNA: oldest unacknowledged sequence number; ISS ≤ SND.UNA ≤ SND.NXT, only moves right. */
    int sndUna;
    /** SND.NXT: next sequence number to send; SND.UNA ≤ SND.NXT ≤ SND.MAX (pulled back to SND.UNA by a timeout). */
    int sndNxt;
    /** SND.MAX: the highest sequence number sent so far plus one; never moves left. */
    int sndMax;
    /** SND.WND: the peer's offered window, scaled, in bytes; ≥ 0. */
    int sndWnd;
    /** SND.WL1: SEG.SEQ of the segment that last updated SND.WND. */
    int sndWl1;
    /** SND.WL2: SEG.ACK of the segment that last updated SND.WND. */
    int sndWl2;
    /** MAX.SND.WND: the largest window the peer has offered (RFC 5961 §5.2; sender SWS avoidance); ≥ SND.WND. */
    int maxSndWnd;
    /** SND.UP: sequence number after the last urgent byte; meaningful only while {@link #sndUrgent}. */
    int sndUp;
    /** Urgent data is pending before {@link #sndUp} (RFC 9293 §3.8.5, MUST-30). */
    boolean sndUrgent;
    /** Sequence number after the last byte the application wrote: ISS + 1 + bytes written; the FIN, if any, is here. */
    int sndBufEnd;
    /** The application has called CLOSE: a FIN follows the data, at {@link #finSeq}. */
    boolean finQueued;
    /** The FIN's sequence number (= {@link #sndBufEnd} at CLOSE); meaningful only while {@link #finQueued}. */
    int finSeq;

    // ---- receive sequence variables (RFC 9293 §3.3.1) ----
    /** IRS: the peer's initial sequence number; fixed once its SYN arrived. */
    int irs;
    /** RCV.NXT: next sequence number expected; only moves right. */
    int rcvNxt;
    /** RCV.NXT + RCV.WND as last advertised: the right edge never moves left (SHLD-14). */
    int rcvAdvertisedEdge;
    /** RCV.UP: sequence number after the peer's last urgent byte; meaningful only while {@link #rcvUrgent}. */
    int rcvUp;
    /** The peer's urgent data lies beyond what the application has read (MUST-31). */
    boolean rcvUrgent;
    /** Sequence number of the first byte not yet read by the application; ≤ RCV.NXT. */
    int rcvReadSeq;
    /** A duplicate segment arrived: the next ACK reports [{@link #dsackStart}, {@link #dsackEnd}) first (RFC 2883). */
    boolean dsackPending;
    /** The duplicate range to report; meaningful only while {@link #dsackPending}. */
    int dsackStart;
    int dsackEnd;
    /** The peer's FIN has been received and processed; RCV.NXT counts it. */
    boolean finReceived;
    /** An out-of-order FIN waits at {@link #pendingFinSeq} for the data before it. */
    boolean finPending;
    /** Sequence number of the waiting FIN; meaningful only while {@link #finPending}. */
    int pendingFinSeq;

    // ---- options negotiated in the handshake ----
    /** The MSS we advertised (MUST-67: from MMS_R, capped by TCP_MAXSEG). */
    int localMss;
    /** The peer's MSS option, or the default when absent (MUST-15); ≥ 64. */
    int peerMss;
    /** Eff.snd.MSS: payload of a full segment after the options every segment carries (MUST-16); ≥ 1. */
    int effMss;
    /** Snd.Wind.Shift: the peer's window field is shifted left by this (RFC 7323 §2.3); 0 without scaling. */
    int sndWndScale;
    /** Rcv.Wind.Shift: our window field is shifted right by this (RFC 7323 §2.3); 0 without scaling. */
    int rcvWndScale;
    /** The shift we offered on our SYN, or -1 when we offered no window scaling. */
    int offeredRcvWndScale = -1;
    /** Window scaling in use: both SYNs carried the option (RFC 7323 §2.2). */
    boolean wsOk;
    /** Timestamps in use: both SYNs carried the option (RFC 7323 §3.2); every segment then carries one. */
    boolean tsOk;
    /** SACK in use: both SYNs carried SACK-permitted (RFC 2018 §2). */
    boolean sackOk;
    /** TS.Recent: the TSval to echo (RFC 7323 §4.3); meaningful only while {@link #tsOk}. */
    int tsRecent;
    /** When {@link #tsRecent} was last updated, for its 24-day validity (RFC 7323 §5.5). */
    long tsRecentNs;
    /** Last.ACK.sent: the ACK field of our last segment (RFC 7323 §4.3). */
    int lastAckSent;
    /** Offset of our TSval clock, per address pair (RFC 7323 §5.4, see {@link TcpContext#timestampOffset}). */
    int tsOffset;
    /** Nanoseconds per tick of the TSval clock (RFC 7323 §5.4: 1 ms to 1 s). */
    final int tsTickNs;
    /** Our SYN asked for ECN (RFC 3168 §6.1.1: ECE and CWR set). */
    boolean ecnRequested;
    /** ECN is in use: both ends agreed in the handshake (RFC 3168 §6.1.1). */
    boolean ecnOk;

    /**
     * RFC 7413 §4.1.1: the Fast Open option our SYN or SYN,ACK carries: null for none, empty for a
     * cookie request (client), else the cookie (client: the cached one; server: the one offered).
     */
    byte[] fastOpenCookie;
    /** {@link #fastOpenCookie} goes in the experimental form (kind 254, magic 0xF989). */
    boolean fastOpenExperimental;
    /** Data rode on the SYN and the peer took it (Linux's TCPI_OPT_SYN_DATA). */
    boolean synData;
    /** Bytes of the send buffer our first SYN carries (RFC 7413 §4.2.1); 0 after the SYN,ACK. */
    int synDataLength;
    /**
     * A passive connection a valid Fast Open SYN created: it is acceptable, readable and may send
     * in SYN-RECEIVED, before the handshake completes (RFC 7413 §4.2.2).
     */
    boolean fastOpenChild;
    /** RFC 3168 §6.1.3: a CE mark arrived; every ACK carries ECE until the peer's CWR. */
    boolean ecnEcho;
    /** The congestion controller (RFC 5681, MUST-19), chosen when the handshake fixes the MSS; null before. */
    CongestionControl cc;
    /** How much of cwnd the flight used ({@link TcpConfig#cwndValidation()}). */
    final CwndUse cwndUse = new CwndUse();

    // ---- retransmission bookkeeping (RFC 9293 §3.8.1, §3.8.3) ----
    /** Consecutive retransmission timeouts of the current oldest segment; 0 after any new ACK. */
    int retransmits;
    /** When the oldest unacknowledged segment was first sent: R2 and the user timeout count from here. */
    long streakStartNs;
    /** When our SYN or SYN,ACK was first sent, for the handshake's RTT sample; -1 when unknown (SYN cookie). */
    long synSentNs = -1;
    /** When an acceptable ACK last arrived: a peer that answers is alive (MUST-37, SHLD-17). */
    long lastAckReceivedNs;

    // ---- buffers (§3.3.1 "pointers to the user's send and receive buffers") ----
    /** Bytes written and not yet acknowledged: [SND.UNA or ISS+1, {@link #sndBufEnd}). */
    final SendBuffer sendBuf;
    /** Bytes received and not yet read, out-of-order data in place: from {@link #rcvReadSeq}. */
    final ReceiveBuffer rcvBuf;

    Tcb(TcpConfig cfg) {
        this.sendBuf = new SendBuffer(cfg.sendBufferBytes(), cfg.sendBufferMaxBytes());
        this.rcvBuf = new ReceiveBuffer(cfg.receiveBufferBytes(), cfg.receiveBufferCeilingBytes());
        this.tsTickNs = (int) (1_000_000_000L / cfg.timestampHz());
    }

    /** SND.MAX − SND.UNA: the sequence space sent and not yet acknowledged (RFC 5681 FlightSize). */
    int flightSize() {
        return SeqNum.diff(sndMax, sndUna);
    }

    /** RCV.WND: what the peer may send beyond RCV.NXT, as last advertised; ≥ 0. */
    int receiveWindow() {
        return Math.max(0, SeqNum.diff(rcvAdvertisedEdge, rcvNxt));
    }

    /** Our FIN has been acknowledged. */
    boolean finAcked() {
        return finQueued && SeqNum.gt(sndUna, finSeq);
    }

    /** SEG.WND in bytes: shifted by Snd.Wind.Shift except on a SYN (RFC 7323 §2.2). */
    int scaledWindow(TcpSegment seg) {
        return seg.isSyn() ? seg.window : seg.window << sndWndScale;
    }

    // ---- timestamps (RFC 7323) ----

    /** Our TSval clock now. */
    int tsNow(long nowNs) {
        return (int) (nowNs / tsTickNs) + tsOffset;
    }

    long tsTicksToNs(int ticks) {
        return (long) ticks * tsTickNs;
    }

    void updateTsRecent(long nowNs, int tsVal) {
        tsRecent = tsVal;
        tsRecentNs = nowNs;
    }

    /** RFC 7323 §5.5: TS.Recent is void after 24 days without an update. */
    boolean tsRecentValid(long nowNs) {
        return nowNs - tsRecentNs < TS_RECENT_MAX_IDLE_NS;
    }
}
