package dev.jtcp.tcp;

import dev.jtcp.wire.TcpSegment;

/**
 * Loss detection and recovery, the room where RFC 5681 §3.2 (fast retransmit and fast recovery),
 * RFC 6582 (NewReno), RFC 6675 (SACK-based recovery), RFC 3042 (Limited Transmit) and RFC 3522 /
 * RFC 4015 (Eifel) live, and where RACK-TLP (RFC 8985) and Proportional Rate Reduction (RFC 6937)
 * will join them. The connection reports the events of its ACK processing and timeouts; the
 * recovery decides what is lost, when recovery starts and ends, what the {@link CongestionControl}
 * hears about it, and, while it drives, what is sent next. Today's implementation is {@link
 * DupAckRecovery}.
 *
 * <p>Every method runs on the connection's thread, inside the event that caused it. Sequence
 * numbers are in the connection's {@link Tcb}; an implementation sends through {@link Sender}.
 */
interface LossRecovery {
    /** The send sequence starts at ISS (RFC 6582 §3.2 step 1: "recover" = ISS). */
    void start();

    /**
     * An acceptable ACK carried SACK blocks (RFC 2018 §3; RFC 6675 §4 "update the scoreboard"); runs
     * before the ACK's cumulative part is processed.
     */
    void onSackBlocks(TcpSegment ack);

    /**
     * SND.UNA advanced to SEG.ACK (already stored in the TCB): {@code acked} bytes of sequence space
     * were newly acknowledged, {@code dataAcked} of them data. {@code synAcked}: this ACK covers our
     * SYN, so it says nothing about the congestion window.
     */
    void onNewAck(long nowNs, TcpSegment ack, int acked, int dataAcked, boolean synAcked);

    /** SEG.ACK = SND.UNA: maybe a duplicate ACK (RFC 5681 §2 decides), maybe the start of recovery. */
    void onPossibleDuplicateAck(long nowNs, TcpSegment ack);

    /** The retransmission timer expired (not a probe): recovery ends and prior SACK information is void. */
    void onRetransmitTimeout(long nowNs);

    /**
     * The path MTU fell below the segments in flight (RFC 1191, RFC 8201; Linux's {@code
     * tcp_simple_retransmit}): every segment in flight longer than {@code newMss} is deemed lost and
     * resent at the new size as the window allows, at once, without waiting for the RTO. Not
     * congestion: the window keeps its number of segments (Linux counts it in packets), so in bytes
     * it shrinks with the segment size from {@code oldMss}; ssthresh is left alone and nothing is undone.
     */
    void onPathMtuLowered(long nowNs, int oldMss, int newMss);

    /**
     * {@link #onPathMtuLowered}'s window: as many segments of {@code newMss} as it held of {@code
     * oldMss} (at least one), unless the controller models the path itself.
     */
    static void keepSegmentCount(Tcb t, int oldMss, int newMss) {
        if (t.cc == null || t.cc.modelsThePath() || oldMss <= newMss || newMss <= 0) {
            return;
        }
        t.cc.setCwnd((int) Math.max(newMss, (long) t.cc.cwnd() * newMss / oldMss));
    }

    /** Whether fast recovery (RFC 6582, RFC 6675) is in progress. */
    boolean isInRecovery();

    /** Whether recovery chooses what is sent next ({@link #sendNext}) instead of the normal send loop. */
    boolean drivesOutput();

    /** Sends what recovery allows now (RFC 6675 §5 step (C): NextSeg while cwnd − pipe ≥ SMSS); whether any left. */
    boolean sendNext(long nowNs);

    /** Bytes the normal send loop may send beyond cwnd (RFC 3042 Limited Transmit); ≥ 0. */
    int limitedTransmitBytes();

    /**
     * Data is in flight and the retransmission timer is not running, or must restart: arm it (RFC
     * 6298 §5.1, §5.3), as an RTO or, when the recovery probes tails, a probe timeout first.
     */
    void armRetransmitTimer(long nowNs);

    /** Duplicate ACKs received so far (STATUS). */
    int duplicateAcks();

    /**
     * Bytes in the network for the congestion window's purposes: SND.NXT − SND.UNA by default; the
     * RFC 6675 pipe (less SACKed and lost data) where the recovery keeps a per-segment record.
     */
    int inFlight();

    /** New data just left while the retransmission timer was running (RFC 8985 §7.2 restarts the PTO). */
    default void onNewDataSent(long nowNs) {
    }

    /**
     * The retransmission timer expired: if it stood for something of the recovery's own (a probe
     * timeout, RACK's reordering timer), handle it and return true; false for a real RTO.
     */
    boolean onTimer(long nowNs);

    /**
     * Whether {@link #onRetransmitTimeout} leaves SND.NXT where it is and retransmits what it deems
     * lost itself (RACK keeps the SACK scoreboard across a timeout); false: go back to SND.UNA.
     */
    default boolean keepsSndNxtOnTimeout() {
        return false;
    }

    /**
     * The normal send loop stopped with {@code unsent} bytes it could have sent (0 when the peer's
     * window held them back): if the application (or the receiver) is the bottleneck, rate samples
     * taken until what is in flight is delivered are marked app-limited.
     */
    default void checkAppLimited(int unsent) {
    }

    /** Retransmission timeouts so far (STATUS). */
    default long timeouts() {
        return 0;
    }

    /** Segments in flight the peer has SACKed (STATUS, Linux's sacked_out). */
    default int sackedSegments() {
        return 0;
    }

    /** Segments in flight marked lost and not SACKed since (STATUS, Linux's lost_out). */
    default int lostSegments() {
        return 0;
    }

    /** Retransmissions found spurious so far, by D-SACK or timestamps (STATUS). */
    default long spuriousRetransmissions() {
        return 0;
    }

    /** Segments retransmitted and neither acknowledged nor deemed lost again (STATUS, Linux's retrans_out). */
    default int retransmittedOutSegments() {
        return 0;
    }

    /** The degree of reordering seen, segments (STATUS, Linux's tp->reordering, {@link Reordering}). */
    int reordering();

    /** Times reordering was seen (STATUS, Linux's reord_seen). */
    default long reorderingSeen() {
        return 0;
    }

    /**
     * Where the sender stands, in Linux's congestion-avoidance states (STATUS, {@code tcpi_ca_state}):
     * {@link #CA_OPEN}, {@link #CA_DISORDER} (duplicate ACKs or SACKs seen, nothing deemed lost yet),
     * {@link #CA_RECOVERY} or {@link #CA_LOSS} (after a retransmission timeout). The connection
     * reports {@link #CA_CWR} itself (an ECN-Echo's reduction).
     */
    int caState();

    /** Linux's TCP_CA_Open: no loss or reordering pending. */
    int CA_OPEN = 0;
    /** Linux's TCP_CA_Disorder: duplicate ACKs or SACKs seen, no recovery yet. */
    int CA_DISORDER = 1;
    /** Linux's TCP_CA_CWR: the window is being reduced for an ECN-Echo. */
    int CA_CWR = 2;
    /** Linux's TCP_CA_Recovery: fast recovery. */
    int CA_RECOVERY = 3;
    /** Linux's TCP_CA_Loss: recovery after a retransmission timeout. */
    int CA_LOSS = 4;
}
