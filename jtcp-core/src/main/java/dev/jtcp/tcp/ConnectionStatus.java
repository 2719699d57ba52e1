package dev.jtcp.tcp;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;

/**
 * The STATUS call's answer (RFC 9293 §3.10.6): state, the TCB's main variables, and counters. A
 * snapshot; it does not change with the connection.
 *
 * @param state             the RFC 9293 state
 * @param key               the connection's addresses and ports
 * @param iss               ISS, our initial send sequence number
 * @param irs               IRS, the peer's initial sequence number (0 before it is known)
 * @param sndUna            SND.UNA, the oldest unacknowledged sequence number
 * @param sndNxt            SND.NXT, the next sequence number to send
 * @param sndWnd            SND.WND, the window the peer offers, in bytes
 * @param rcvNxt            RCV.NXT, the next sequence number expected
 * @param rcvWnd            RCV.WND, the window we offer, in bytes
 * @param sndWndScale       the shift applied to the peer's advertised windows (RFC 7323)
 * @param rcvWndScale       the shift the peer applies to ours
 * @param effectiveSendMss  Eff.snd.MSS (MUST-16), payload bytes per full segment
 * @param peerMss           the MSS the peer announced (the configured default if it sent none)
 * @param timestamps        the timestamps option (RFC 7323) was negotiated
 * @param sackPermitted     SACK (RFC 2018) was negotiated
 * @param srttNs            smoothed RTT, -1 before the first sample
 * @param rttvarNs          RTTVAR, the RTT variation (RFC 6298)
 * @param rtoNs             the current retransmission timeout
 * @param cwnd              the congestion window in bytes
 * @param ssthresh          the slow-start threshold in bytes
 * @param readable          bytes the application can read now
 * @param unsent            bytes written but not yet sent
 * @param unacknowledged    sequence space sent but not yet acknowledged
 * @param urgentPending     bytes up to the peer's urgent pointer not yet read (MUST-33), 0 if none
 * @param segmentsSent      segments sent, retransmissions included
 * @param segmentsReceived  segments received for this connection
 * @param bytesSent         payload bytes sent, retransmissions included
 * @param bytesReceived     payload bytes accepted in order (how far RCV.NXT moved)
 * @param retransmissions   segments sent again
 * @param dupAcksReceived   duplicate ACKs received
 * @param windowScaling     window scaling was negotiated (RFC 7323), whatever the shifts
 * @param ecn               ECN (RFC 3168) was negotiated in the handshake
 * @param ceReceived        segments received with the Congestion Experienced mark
 * @param ecnReductions     window reductions in answer to the peer's ECN-Echo
 * @param congestionControl the congestion controller in use ("reno", "cubic", "bbr"; "" before the handshake)
 * @param timeouts          retransmission timeouts (RTO expiries, not probe timeouts)
 * @param spuriousRetransmissions retransmissions shown unnecessary: D-SACKed, or undone by timestamps
 * @param lossRecovery      the loss-recovery room in use ("rack" or "dupack")
 * @param inRecovery        loss recovery is under way (fast recovery, or after an RTO until SND.UNA passes the
 *                          recovery point)
 * @param advertisedMss     the MSS we offered (Linux's {@code tcpi_advmss})
 * @param receiveMss        the largest payload received, up to our MSS: the peer's full-sized segment (Linux's
 *                          {@code tcpi_rcv_mss})
 * @param lastTextNs        when in-order text last arrived or, before any, the connection was established
 *                          (Linux's {@code lrcvtime}); {@link Long#MIN_VALUE} before both
 * @param sackedSegments    segments in flight the peer has SACKed (Linux's {@code tcpi_sacked}); 0 without RACK
 * @param lostSegments      segments in flight loss recovery has marked lost and not since SACKed (Linux's
 *                          {@code tcpi_lost}); 0 without RACK
 * @param retransmittedOut  segments resent and neither acknowledged nor deemed lost again (Linux's
 *                          {@code tcpi_retrans}); 0 without RACK
 * @param reordering        the degree of reordering seen, segments, from the duplicate-ACK threshold up (Linux's
 *                          {@code tcpi_reordering})
 * @param reorderingSeen    times reordering was seen (Linux's {@code tcpi_reord_seen}); 0 without RACK
 * @param caState           the sender's congestion-avoidance state in Linux's numbering ({@code tcpi_ca_state}):
 *                          0 Open, 1 Disorder (duplicate ACKs or SACKs, no recovery yet), 2 CWR (reducing for an
 *                          ECN-Echo), 3 Recovery, 4 Loss (after a retransmission timeout)
 * @param busyNs            Linux's send chronographs ({@code tcpi_busy_time}) up to {@code chronoAtNs}: time with data
 *                          queued, ns
 * @param rwndLimitedNs     of which the peer's window held the send loop back ({@code tcpi_rwnd_limited}), ns
 * @param sndbufLimitedNs   of which a write found the send buffer full ({@code tcpi_sndbuf_limited}), ns
 * @param chronoType        the chronograph running at {@code chronoAtNs}: 0 none, 1 busy, 2 window-limited, 3
 *                          send-buffer-limited ({@link #busyNs(long)} and the others count on from there)
 * @param chronoAtNs        when the connection last saw the time
 */
public record ConnectionStatus(
        TcpState state,
        ConnectionKey key,
        int iss,
        int irs,
        int sndUna,
        int sndNxt,
        int sndWnd,
        int rcvNxt,
        int rcvWnd,
        int sndWndScale,
        int rcvWndScale,
        int effectiveSendMss,
        int peerMss,
        boolean timestamps,
        boolean sackPermitted,
        long srttNs,
        long rttvarNs,
        long rtoNs,
        int cwnd,
        int ssthresh,
        int readable,
        int unsent,
        int unacknowledged,
        int urgentPending,
        long segmentsSent,
        long segmentsReceived,
        long bytesSent,
        long bytesReceived,
        long retransmissions,
        int dupAcksReceived,
        boolean windowScaling,
        boolean ecn,
        long ceReceived,
        long ecnReductions,
        String congestionControl,
        long timeouts,
        long spuriousRetransmissions,
        String lossRecovery,
        boolean inRecovery,
        int advertisedMss,
        int receiveMss,
        long lastTextNs,
        int sackedSegments,
        int lostSegments,
        int retransmittedOut,
        int reordering,
        long reorderingSeen,
        int caState,
        long busyNs,
        long rwndLimitedNs,
        long sndbufLimitedNs,
        int chronoType,
        long chronoAtNs) {

    /** {@code tcpi_busy_time} at {@code nowNs}, ns. */
    public long busyNs(long nowNs) {
        return busyNs + (chronoType != 0 ? Math.max(0, nowNs - chronoAtNs) : 0);
    }

    /** {@code tcpi_rwnd_limited} at {@code nowNs}, ns. */
    public long rwndLimitedNs(long nowNs) {
        return rwndLimitedNs + (chronoType == 2 ? Math.max(0, nowNs - chronoAtNs) : 0);
    }

    /** {@code tcpi_sndbuf_limited} at {@code nowNs}, ns. */
    public long sndbufLimitedNs(long nowNs) {
        return sndbufLimitedNs + (chronoType == 3 ? Math.max(0, nowNs - chronoAtNs) : 0);
    }

    /**
     * The record's usual form, but with the sequence numbers (iss, irs, sndUna, sndNxt, rcvNxt)
     * unsigned, as on the wire: {@code iss=3000000000}, not {@code iss=-1294967296}.
     */
    @Override
    public String toString() {
        return "ConnectionStatus[state=" + state + ", key=" + key
                + ", iss=" + Integer.toUnsignedString(iss) + ", irs=" + Integer.toUnsignedString(irs)
                + ", sndUna=" + Integer.toUnsignedString(sndUna) + ", sndNxt=" + Integer.toUnsignedString(sndNxt)
                + ", sndWnd=" + Integer.toUnsignedString(sndWnd) + ", rcvNxt=" + Integer.toUnsignedString(rcvNxt)
                + ", rcvWnd=" + Integer.toUnsignedString(rcvWnd) + ", sndWndScale=" + sndWndScale
                + ", rcvWndScale=" + rcvWndScale + ", effectiveSendMss=" + effectiveSendMss + ", peerMss=" + peerMss
                + ", timestamps=" + timestamps + ", sackPermitted=" + sackPermitted + ", srttNs=" + srttNs
                + ", rttvarNs=" + rttvarNs + ", rtoNs=" + rtoNs + ", cwnd=" + cwnd + ", ssthresh=" + ssthresh
                + ", readable=" + readable + ", unsent=" + unsent + ", unacknowledged=" + unacknowledged
                + ", urgentPending=" + urgentPending + ", segmentsSent=" + segmentsSent
                + ", segmentsReceived=" + segmentsReceived + ", bytesSent=" + bytesSent
                + ", bytesReceived=" + bytesReceived + ", retransmissions=" + retransmissions
                + ", dupAcksReceived=" + dupAcksReceived + ", windowScaling=" + windowScaling + ", ecn=" + ecn
                + ", ceReceived=" + ceReceived + ", ecnReductions=" + ecnReductions
                + ", congestionControl=" + congestionControl + ", timeouts=" + timeouts
                + ", spuriousRetransmissions=" + spuriousRetransmissions + ", lossRecovery=" + lossRecovery
                + ", inRecovery=" + inRecovery + ", advertisedMss=" + advertisedMss + ", receiveMss=" + receiveMss
                + ", lastTextNs=" + (lastTextNs == Long.MIN_VALUE ? "none" : String.valueOf(lastTextNs))
                + ", sackedSegments=" + sackedSegments + ", lostSegments=" + lostSegments
                + ", retransmittedOut=" + retransmittedOut + ", reordering=" + reordering
                + ", reorderingSeen=" + reorderingSeen + ", caState=" + caState
                + ", busyNs=" + busyNs + ", rwndLimitedNs=" + rwndLimitedNs + ", sndbufLimitedNs=" + sndbufLimitedNs
                + ", chronoType=" + chronoType + ", chronoAtNs=" + chronoAtNs + "]";
    }
}
