package dev.jtcp.tcp;

/**
 * CUBIC (RFC 9438), the window arithmetic: after a congestion event the window is a cubic function
 * of the time since, flat around the window where the loss happened (W_max) and steep away from it,
 * so it regains a large window in seconds where Reno would take minutes, while never growing more
 * slowly than Reno would (the Reno-friendly estimate W_est). Slow start runs with HyStart++ (RFC
 * 9406).
 *
 * <p>Read RFC 9438 §4 beside it: {@link #onAck} is §4.2 to §4.5 (epoch, W_cubic(t + RTT) as the
 * target, the Reno-friendly region), {@link #onCongestionEvent} §4.6 and §4.7 (β = 0.7 and fast
 * convergence), {@link #onRetransmitTimeout} §4.8, {@link #undo} §4.9. The window is kept in bytes
 * as a real number, so growth of a fraction of a segment per ACK is not lost; the formulas work in
 * segments of the current SMSS.
 *
 * <p>Not thread-safe; one per connection.
 */
final class Cubic implements CongestionControl {
    /** RFC 9438 §5: C. */
    static final double C = 0.4;
    /** RFC 9438 §4.6: β_cubic, the multiplicative decrease factor. */
    static final double BETA = 0.7;
    /** RFC 9438 §4.3: α_cubic while W_est is below cwnd_prior. */
    static final double ALPHA_AIMD = 3 * (1 - BETA) / (1 + BETA);

    private final SlowStartExit hystart;
    private final boolean fastConvergence;
    /** cwnd, bytes (real: fractional growth accumulates). */
    private double cwnd;
    /** ssthresh, bytes; {@link Integer#MAX_VALUE} until the first congestion event. */
    private int ssthresh = Integer.MAX_VALUE;
    /** W_max: the window before the last reduction, segments (fast convergence may lower it). */
    private double wMax;
    /** cwnd_prior: cwnd when ssthresh was last set, segments (the switch to α = 1). */
    private double cwndPrior;
    /** K: seconds from the epoch's start until W_cubic reaches its origin. */
    private double k;
    /** The window the cubic curve is centred on for this epoch, segments (W_max, or cwnd if above it). */
    private double origin;
    /** epoch_start, ns; -1 when congestion avoidance has not yet begun an epoch. */
    private long epochStartNs = -1;
    /** W_est: the window Reno would have, segments. */
    private double wEst;
    /** State saved at the last congestion event, for {@link #undo}. */
    private double savedCwnd;
    private int savedSsthresh;
    private double savedWMax;
    private double savedCwndPrior;

    Cubic(int initialWindow, boolean paced, boolean fastConvergence) {
        this(initialWindow, paced, fastConvergence, 0);
    }

    /**
     * @param hyStartDetect 0: HyStart++ (RFC 9406); else Linux's classic {@link HyStart} with these
     *                      detection bits ({@link TcpConfig#hyStartDetect()})
     */
    Cubic(int initialWindow, boolean paced, boolean fastConvergence, int hyStartDetect) {
        this.cwnd = initialWindow;
        this.hystart = hyStartDetect == 0 ? new HyStartPlusPlus(paced) : new HyStart(hyStartDetect);
        this.fastConvergence = fastConvergence;
    }

    @Override
    public TcpConfig.CongestionAlgorithm algorithm() {
        return TcpConfig.CongestionAlgorithm.CUBIC;
    }

    @Override
    public int cwnd() {
        return (int) Math.min(cwnd, Integer.MAX_VALUE / 2);
    }

    @Override
    public int ssthresh() {
        return ssthresh;
    }

    @Override
    public void onAck(AckSample s) {
        if (!s.cwndLimited) {
            // The flight did not use the window (Linux's tcp_is_cwnd_limited): it does not grow, but
            // HyStart++ still watches the round's RTTs (Linux's hystart_update runs on every ACK).
            if (cwnd < ssthresh) {
                hystart.onAck(s.nowNs, s.ack, s.sndNxt, s.deliveredBytes, s.rttNs, cwnd(), s.smss);
                if (hystart.shouldEnterCongestionAvoidance()) {
                    ssthresh = (int) cwnd;
                }
            }
            return;
        }
        onAck(s.nowNs, s.ack, s.sndNxt, s.deliveredBytes, s.rttNs, s.srttNs, s.smss);
    }

    @Override
    public void onCongestionEvent(long nowNs, int flightSize, int smss) {
        onCongestionEvent(smss);
    }

    @Override
    public void setCwnd(int bytes) {
        cwnd = Math.max(bytes, 1);
    }

    /** Fast retransmit without SACK (RFC 5681 §3.2 with CUBIC's β): ssthresh, then inflation by the duplicates. */
    @Override
    public void onFastRetransmit(int flightSize, int smss, int dupAcks) {
        onCongestionEvent(smss);
        cwnd = ssthresh + (double) dupAcks * smss;
    }

    @Override
    public void onDupAckInRecovery(int smss) {
        cwnd += smss;
    }

    /** RFC 6582 §3.2 step 5 with CUBIC's window: deflate by what was acknowledged, add back one segment. */
    @Override
    public void onPartialAck(int bytesAcked, int smss) {
        cwnd = Math.max(cwnd - bytesAcked, 0);
        if (bytesAcked >= smss) {
            cwnd += smss;
        }
        cwnd = Math.max(cwnd, smss);
    }

    /** Recovery ends at ssthresh (Linux's tcp_end_cwnd_reduction), and a new epoch begins with the next ACK. */
    @Override
    public void onRecoveryEnd(int flightSize, int smss) {
        cwnd = Math.min(Math.max(cwnd, ssthresh), ssthresh);
        epochStartNs = -1;
    }

    @Override
    public void onRetransmitTimeout(int flightSize, int smss) {
        onRetransmitTimeout(smss, false);
    }

    /** RFC 3168 §6.1.2 with CUBIC's β (RFC 9438 §4.6 counts an ECN-Echo as a congestion event). */
    @Override
    public void onEcnEcho(int flightSize, int smss) {
        onCongestionEvent(smss);
        reduceToSsthresh();
    }

    @Override
    public void undo(int cwnd, int ssthresh) {
        undo();
        this.cwnd = Math.max(this.cwnd, cwnd);
        this.ssthresh = ssthresh;
    }

    @Override
    public void onIdleRestart(int smss, int initialWindow) {
        onIdleRestart(initialWindow);
    }

    boolean inSlowStart() {
        return cwnd < ssthresh;
    }

    double wMaxSegments() {
        return wMax;
    }

    double kSeconds() {
        return k;
    }

    /**
     * New data acknowledged outside recovery.
     *
     * @param ack    the acknowledgment number (HyStart++ counts rounds by it)
     * @param sndNxt SND.NXT
     * @param acked  bytes newly acknowledged
     * @param rttNs  an RTT sample from this ACK, or -1
     * @param srttNs the smoothed RTT (RFC 9438 §4.2's RTT in W_cubic(t + RTT)), or -1 before any
     */
    void onAck(long nowNs, int ack, int sndNxt, int acked, long rttNs, long srttNs, int smss) {
        if (cwnd < ssthresh) {
            cwnd += hystart.onAck(nowNs, ack, sndNxt, acked, rttNs, cwnd(), smss);
            if (hystart.shouldEnterCongestionAvoidance()) {
                // RFC 9406 §4.2: CSS ran its rounds; congestion avoidance from here.
                ssthresh = (int) cwnd;
            }
            return;
        }
        double seg = smss;
        double cwndSeg = cwnd / seg;
        if (epochStartNs < 0) {
            epochStartNs = nowNs;
            if (cwndSeg < wMax) {
                k = Math.cbrt((wMax - cwndSeg) / C);
                origin = wMax;
            } else {
                k = 0;
                origin = cwndSeg;
            }
            wEst = cwndSeg;
        }
        double t = (nowNs - epochStartNs) / 1e9;
        double rtt = srttNs > 0 ? srttNs / 1e9 : 0;
        double ackedSeg = acked / seg;
        // §4.3: the Reno-friendly estimate, with α = 1 once it has passed the window of the last loss.
        double alpha = wEst >= cwndPrior ? 1.0 : ALPHA_AIMD;
        wEst += alpha * ackedSeg / cwndSeg;
        double wCubicNow = origin + C * Math.pow(t - k, 3);
        if (wCubicNow < wEst) {
            // §4.3: the Reno-friendly region.
            cwnd = Math.max(cwnd, wEst * seg);
            return;
        }
        // §4.4, §4.5: the concave and convex regions, towards W_cubic one RTT ahead.
        double target = origin + C * Math.pow(t + rtt - k, 3);
        target = Math.clamp(target, cwndSeg, 1.5 * cwndSeg);
        cwnd += (target - cwndSeg) / cwndSeg * ackedSeg * seg;
    }

    /**
     * A congestion event (loss detected by ACKs, or an ECN-Echo): §4.6 and §4.7. Sets ssthresh and
     * the cubic's origin; the window itself comes down through recovery (PRR), or at once with
     * {@link #reduceToSsthresh} when nothing is retransmitted (ECN).
     */
    void onCongestionEvent(int smss) {
        savedCwnd = cwnd;
        savedSsthresh = ssthresh;
        savedWMax = wMax;
        savedCwndPrior = cwndPrior;
        double cwndSeg = cwnd / smss;
        // §4.7 fast convergence: a window that did not reach the previous W_max releases bandwidth.
        wMax = fastConvergence && cwndSeg < wMax ? cwndSeg * (1 + BETA) / 2 : cwndSeg;
        cwndPrior = cwndSeg;
        ssthresh = (int) Math.max(cwnd * BETA, 2.0 * smss);
        epochStartNs = -1;
        hystart.reset();
    }

    /** The window falls to ssthresh (the end of recovery, or an ECN-Echo's reduction). */
    void reduceToSsthresh() {
        cwnd = Math.min(cwnd, ssthresh);
    }

    /** Sets the window during recovery, as PRR computes it (cwnd = pipe + sndcnt, as Linux does). */
    void setWindowInRecovery(int bytes) {
        cwnd = bytes;
    }

    /** §4.8: a retransmission timeout is a congestion event with a loss window of one segment. */
    void onRetransmitTimeout(int smss, boolean alreadyReduced) {
        if (!alreadyReduced) {
            onCongestionEvent(smss);
        }
        cwnd = smss;
        epochStartNs = -1;
    }

    /** §4.9: the congestion event was spurious; restore what it changed. */
    void undo() {
        cwnd = Math.max(cwnd, savedCwnd);
        ssthresh = savedSsthresh;
        wMax = savedWMax;
        cwndPrior = savedCwndPrior;
        epochStartNs = -1;
    }

    /** RFC 5681 §4.1 after an idle period: restart from the initial window, and a new epoch. */
    void onIdleRestart(int initialWindow) {
        cwnd = Math.min(cwnd, initialWindow);
        epochStartNs = -1;
    }
}
