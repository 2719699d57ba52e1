package dev.jtcp.tcp;

/**
 * A congestion controller (RFC 5681, MUST-19): the seam where the algorithms plug in. {@link
 * LossRecovery} detects losses and runs fast retransmit and fast recovery; {@link Sender} asks for
 * {@link #cwnd()} before each segment; the connection reports ACKs, timeouts and ECN-Echo. The
 * controller owns {@code cwnd} and {@code ssthresh} and decides how each event moves them. Reno's
 * arithmetic with NewReno's partial ACKs is {@link NewReno}; CUBIC (RFC 9438, with HyStart++, RFC
 * 9406) and BBR land beside it as further implementations, chosen per connection by {@link
 * #forConnection}.
 *
 * <p>All sizes in bytes, times in nanoseconds. Not thread-safe; one instance per connection,
 * created when the handshake has fixed the MSS.
 */
interface CongestionControl {
    /**
     * The controller for a new connection, with {@code initialWindow} bytes of initial window (RFC
     * 5681 §3.1, RFC 6928). Today every connection runs {@link NewReno}; the choice of algorithm
     * (a {@link TcpConfig} setting, or a per-connection option like Linux's TCP_CONGESTION) is made
     * here.
     */
    static CongestionControl forConnection(TcpConfig cfg, int initialWindow) {
        return forConnection(cfg, initialWindow, 0);
    }

    /**
     * As {@link #forConnection(TcpConfig, int)}, with {@code seed} for a controller's random choices
     * (BBR's ProbeBW cycle start); the connection's ISS serves, keeping runs repeatable.
     */
    static CongestionControl forConnection(TcpConfig cfg, int initialWindow, long seed) {
        if (cfg.congestionControl() == TcpConfig.CongestionAlgorithm.CUBIC
                && (cfg.hyStartDetect() != 0 || cfg.tsoMinSegs() > 0)) {
            // With Linux's TSO packets, slow start grows cwnd by all that an ACK acknowledges; RFC 9406's
            // limit of 8 segments per ACK without pacing would cut the growth from the ACK of a whole TSO packet.
            return new Cubic(initialWindow, cfg.tsoMinSegs() > 0, true, cfg.hyStartDetect());
        }
        return forConnection(cfg.congestionControl(), initialWindow, seed, cfg.bbrLossTolerant());
    }

    /** The controller {@code algorithm} for a new connection with {@code initialWindow} bytes of initial window. */
    static CongestionControl forConnection(TcpConfig.CongestionAlgorithm algorithm, int initialWindow) {
        return forConnection(algorithm, initialWindow, 0);
    }

    /** The controller {@code algorithm}, its random choices seeded with {@code seed}. */
    static CongestionControl forConnection(TcpConfig.CongestionAlgorithm algorithm, int initialWindow, long seed) {
        return forConnection(algorithm, initialWindow, seed, TcpConfig.defaults().bbrLossTolerant());
    }

    /**
     * The controller {@code algorithm}, seeded with {@code seed}; BBR loss-tolerant or with the
     * draft's loss bounds ({@link TcpConfig#bbrLossTolerant()}).
     */
    static CongestionControl forConnection(TcpConfig.CongestionAlgorithm algorithm, int initialWindow, long seed,
            boolean bbrLossTolerant) {
        return switch (algorithm) {
            case RENO -> new NewReno(initialWindow);
            case CUBIC -> new Cubic(initialWindow, false, true);
            case BBR -> new Bbr(initialWindow, seed, bbrLossTolerant);
        };
    }

    /** The algorithm this controller runs. */
    TcpConfig.CongestionAlgorithm algorithm();

    int cwnd();

    int ssthresh();

    /**
     * An ACK delivered new data ({@code s.deliveredBytes} > 0, cumulatively or by SACK) outside
     * recovery, or any ACK for a controller that {@link #modelsThePath()}: slow start and congestion
     * avoidance grow the window here (CUBIC's is a function of the time since the last reduction;
     * BBR updates its model from the rate sample).
     */
    void onAck(AckSample s);

    /**
     * Loss detected by ACKs (RACK, or the duplicate-ACK threshold with SACK) starts recovery: set
     * ssthresh for the reduction (RFC 5681 §3.2 step 2, RFC 9438 §4.6). The window itself then
     * comes down through Proportional Rate Reduction ({@link #setCwnd}), not at once.
     */
    void onCongestionEvent(long nowNs, int flightSize, int smss);

    /** PRR sets the window during recovery (cwnd = pipe + sndcnt, RFC 6937; Linux does the same). */
    void setCwnd(int bytes);

    /**
     * The window is what the algorithm says at every moment, recovery or not (BBR): loss recovery
     * then leaves cwnd alone and only chooses what to send. False for the loss-based controllers.
     */
    default boolean modelsThePath() {
        return false;
    }

    /**
     * The pacing rate in bytes per second, or 0 to send as the window allows (no pacing). A
     * paced sender spaces segments by their length divided by this rate.
     */
    default long pacingRateBytesPerSec() {
        return 0;
    }

    /** The most a paced sender may send back to back, bytes (BBR.send_quantum; two segments by default). */
    default int sendQuantum(int smss) {
        return 2 * smss;
    }

    /** Fast retransmit after the duplicate-ACK threshold (RFC 5681 §3.2 steps 2 and 3). */
    void onFastRetransmit(int flightSize, int smss, int dupAcks);

    /** A further duplicate ACK during fast recovery: inflate by one segment (§3.2 step 4). */
    void onDupAckInRecovery(int smss);

    /** A partial ACK during NewReno recovery (RFC 6582 §3.2 step 5): deflate by the amount acknowledged. */
    void onPartialAck(int bytesAcked, int smss);

    /** Recovery ended with a full ACK (RFC 6582 §3.2 step 4 / RFC 5681 §3.2 step 6). */
    void onRecoveryEnd(int flightSize, int smss);

    /** The retransmission timer expired (RFC 5681 §3.1 equation 4, loss window = 1 segment). */
    void onRetransmitTimeout(int flightSize, int smss);

    /**
     * The peer echoed a Congestion Experienced mark (ECE, RFC 3168 §6.1.2): reduce the window as
     * for a loss, at most once per window of data (the connection sees to that).
     */
    void onEcnEcho(int flightSize, int smss);

    /**
     * A reduction turned out spurious (RFC 3522 detection, RFC 4015 / RFC 5682 response; RFC 9438
     * §4.9): go back to the window held before it ({@code cwnd} and {@code ssthresh} as they were).
     */
    void undo(int cwnd, int ssthresh);

    /** Restart after an idle period longer than the RTO (RFC 5681 §4.1). */
    void onIdleRestart(int smss, int initialWindow);
}
