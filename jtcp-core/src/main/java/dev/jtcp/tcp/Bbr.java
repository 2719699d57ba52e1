package dev.jtcp.tcp;

import java.util.SplittableRandom;

/**
 * BBR version 3 (draft-ietf-ccwg-bbr): a model-based controller. Instead of reading loss as the
 * signal to slow down, it measures the path — the bottleneck bandwidth ({@code max_bw}, a windowed
 * maximum of the delivery rate samples) and the round-trip propagation delay ({@code min_rtt}, a
 * windowed minimum of the RTT samples) — and sends at about their product, paced at the measured
 * rate. Loss and ECN only bound the model from above ({@code inflight_hi}) and, for a while, from
 * below ({@code bw_lo}, {@code inflight_lo}), so random loss on a long path costs it little where a
 * loss-based controller halves its window for every lost segment.
 *
 * <p>Read draft-ietf-ccwg-bbr §4 beside it: the state machine (§4.3: Startup, Drain, ProbeBW with
 * its phases DOWN, CRUISE, REFILL and UP, ProbeRTT), the model (§4.5: max_bw over the last two
 * ProbeBW cycles, min_rtt over 10 s, the short-term lower bounds, inflight_hi, extra_acked), and
 * the control parameters (§4.6: pacing rate, send quantum, cwnd). {@link #onAck} runs
 * BBRUpdateModelAndState and BBRUpdateControlParameters in the draft's order.
 *
 * <p>Two responses to loss ({@link TcpConfig#bbrLossTolerant()}). Loss-tolerant, the default, as
 * Linux's mainline {@code bbr} (BBRv1, what {@code net.ipv4.tcp_congestion_control=bbr} runs on a
 * stock kernel): loss never lowers the model — no bw_lo, inflight_lo or inflight_hi from loss, no
 * Startup exit on loss, no round of packet conservation when a loss episode begins (the lost bytes
 * come off cwnd on the ACK that reveals them, and the next ACKs grow it back toward the target) —
 * and ProbeBW probes every {@link #TOLERANT_PROBE_ROUNDS} rounds, as BBRv1 cycles its gains, since
 * no loss signal corrects a low estimate. Random loss of a few percent then costs only the
 * retransmissions. The draft's response (BBRv3): a round with loss outside a probe cuts the
 * short-term bounds by {@link #BETA}, loss above {@link #LOSS_THRESH} of a round's flight caps
 * inflight_hi and ends Startup, recovery conserves packets for a round. It reads random loss of
 * 1% or more as congestion (at 3% its goodput falls to a quarter of the tolerant mode's in {@code
 * BbrTest}) but loses far less at a shallow-buffered bottleneck shared with other flows.
 *
 * <p>Deviations, each said where it happens: RS.tx_in_flight and RS.lost (per segment in the draft)
 * are estimated per loss round from what the {@link AckSample} carries; there is no bw_hi (BBRv3
 * dropped it: max_bw is the upper bound); ProbeRTT does not mark the connection app-limited (the
 * controller cannot reach {@link DeliveryRate}; the max filter ignores its low samples anyway); ECN
 * is counted as loss for the lower bounds (the draft's L4S-style ECN response is not implemented).
 *
 * <p>What it needs from the engine: {@link #onAck} on every ACK, in recovery or not, with the
 * {@link AckSample} complete (delivered and lost bytes, the RTT sample, in flight, inRecovery,
 * totalDelivered and the rate sample: rateDelivered, rateIntervalNs, ratePriorDelivered — also when
 * the sample itself was discarded — and rateAppLimited); {@link #onCongestionEvent} when recovery
 * begins and {@link #onRecoveryEnd} (or an ACK with inRecovery false) when it ends; a sender that
 * paces at {@link #pacingRateBytesPerSec()} with bursts of {@link #sendQuantum()} ({@link Pacer}).
 * Without rate samples every ACK would end a round and Startup would never end.
 *
 * <p>Random choices (the ProbeBW wait, the rounds before a Reno-coexistence probe) come from a
 * seeded generator, so a run is repeatable. All sizes in bytes, rates in bytes per second, times
 * in ns. Not thread-safe; one per connection.
 */
final class Bbr implements CongestionControl {
    /** §4.3.1: the Startup pacing gain, 4 ln 2 ≈ 2.77, doubles the sending rate each round. */
    static final double STARTUP_PACING_GAIN = 2.77;
    /** §4.3.1: the Startup cwnd gain. */
    static final double STARTUP_CWND_GAIN = 2.0;
    /** §4.3.2: the Drain pacing gain, below 1 / STARTUP_CWND_GAIN to empty the queue within a round. */
    static final double DRAIN_PACING_GAIN = 0.35;
    /** §4.3.3: the ProbeBW cwnd gain (UP uses 2.25). */
    static final double PROBE_BW_CWND_GAIN = 2.0;
    static final double PROBE_UP_CWND_GAIN = 2.25;
    static final double PROBE_DOWN_PACING_GAIN = 0.9;
    static final double PROBE_UP_PACING_GAIN = 1.25;
    /** §4.3.4: ProbeRTT holds inflight at half the BDP. */
    static final double PROBE_RTT_CWND_GAIN = 0.5;
    /** §4.3.1.1: Startup ends when max_bw has not grown by 25% in 3 rounds. */
    static final double FULL_BW_GROWTH = 1.25;
    static final int FULL_BW_ROUNDS = 3;
    /** §4.3.1.2: Startup ends on this many loss events in a round with too much loss. */
    static final int STARTUP_FULL_LOSS_COUNT = 6;
    /** §4.5.10: BBRLossThresh, the highest tolerated loss rate per round. */
    static final double LOSS_THRESH = 0.02;
    /** §4.5.10: BBRBeta, the multiplicative cut of the bounds on loss. */
    static final double BETA = 0.7;
    /** §4.5.10: BBRHeadroom, the share of inflight_hi left free for other flows in CRUISE. */
    static final double HEADROOM = 0.15;
    /** §4.6.2: BBRPacingMarginPercent. */
    static final double PACING_MARGIN = 0.01;
    /** §4.3.4: ProbeRTT runs if min_rtt was not refreshed for this long. */
    static final long PROBE_RTT_INTERVAL_NS = 5_000_000_000L;
    /** §4.3.4: and lasts this long (at least a round). */
    static final long PROBE_RTT_DURATION_NS = 200_000_000L;
    /** §4.5.6: min_rtt's window. */
    static final long MIN_RTT_FILTER_NS = 10_000_000_000L;
    /** §4.5.5: extra_acked's window, rounds. */
    static final int EXTRA_ACKED_FILTER_ROUNDS = 10;
    /** §4.6.2: the pacing rate before any RTT sample assumes this RTT. */
    static final long DEFAULT_RTT_NS = 1_000_000L;
    /** §4.6.3: the send quantum is 1 ms of data at the pacing rate, capped at 64 KB. */
    static final long SEND_QUANTUM_NS = 1_000_000L;
    static final int MAX_SEND_QUANTUM = 64 * 1024;
    /** §4.3.3.5: a ProbeBW cycle waits 2 s plus up to 1 s before probing. */
    static final long PROBE_WAIT_BASE_NS = 2_000_000_000L;
    static final long PROBE_WAIT_RAND_NS = 1_000_000_000L;
    /** §4.3.3.6: the Reno-coexistence probe comes after at most this many rounds. */
    static final int MAX_RENO_ROUNDS = 63;
    /**
     * Loss-tolerant mode: a probe after this many rounds of DOWN and CRUISE, as Linux's mainline bbr
     * cycles its gains (1.25, 0.75, then six rounds at 1). Without loss bounds nothing else corrects
     * an estimate that came out low (a Startup ended by the peer's receive window or a busy CPU), so
     * it probes as often as BBRv1 does.
     */
    static final int TOLERANT_PROBE_ROUNDS = 6;

    /** The states of §4.3, ProbeBW split into its phases. */
    enum Mode {
        STARTUP, DRAIN, PROBE_BW_DOWN, PROBE_BW_CRUISE, PROBE_BW_REFILL, PROBE_BW_UP, PROBE_RTT;

        boolean isProbeBw() {
            return this == PROBE_BW_DOWN || this == PROBE_BW_CRUISE || this == PROBE_BW_REFILL || this == PROBE_BW_UP;
        }
    }

    /** §4.3.3: where the ACKs stand relative to a bandwidth probe. */
    private enum AckPhase { INIT, PROBE_STARTING, PROBE_FEEDBACK, PROBE_STOPPING, REFILLING }

    private final SplittableRandom random;
    private final int initialWindow;
    /**
     * Loss does not lower the model ({@link TcpConfig#bbrLossTolerant()}): no bw_lo, inflight_lo or
     * inflight_hi from loss, no Startup exit on loss; only recovery's packet conservation.
     */
    private final boolean lossTolerant;

    /** The current state. */
    private Mode mode = Mode.STARTUP;
    private double pacingGain = STARTUP_PACING_GAIN;
    private double cwndGain = STARTUP_CWND_GAIN;
    /** C.cwnd, bytes; never below {@link #minPipeCwnd} once the model runs. */
    private int cwnd;
    /** C.pacing_rate, bytes per second. */
    private double pacingRate;
    /** BBR.send_quantum, bytes. */
    private int sendQuantum;
    /** Eff.snd.MSS as the last ACK gave it. */
    private int smss = 1460;
    /** The latest ACK's time, ns (for events that carry no time). */
    private long nowNs;
    /** C.delivered after the latest ACK. */
    private long delivered;
    /** C.inflight after the latest ACK. */
    private int inFlight;

    // Round counting (§4.5.1).
    /** C.delivered when the current round began: the round ends when a segment sent after it is delivered. */
    private long nextRoundDelivered;
    /** Rounds counted since the connection began. */
    private long roundCount;
    /** This ACK ended a round. */
    private boolean roundStart;

    // The bandwidth model (§4.5.2 to §4.5.4).
    /** The max filter over ProbeBW cycles: the best sample of the previous and of the current cycle. */
    private final double[] maxBwSlots = new double[2];
    /** BBR.cycle_count: ProbeBW cycles begun (the max filter's clock). */
    private long cycleCount;
    /** BBR.max_bw: the windowed maximum delivery rate, bytes per second. */
    private double maxBw;
    /** BBR.bw_lo: the short-term lower bound, or infinity. */
    private double bwLo = Double.POSITIVE_INFINITY;
    /** BBR.bw: the bandwidth the control parameters use, min(max_bw, bw_lo). */
    private double bw;

    // The RTT model (§4.5.6, §4.3.4).
    /** BBR.min_rtt, ns; {@link Long#MAX_VALUE} until the first sample. */
    private long minRttNs = Long.MAX_VALUE;
    private long minRttStampNs;
    private long probeRttMinDelayNs = Long.MAX_VALUE;
    private long probeRttMinStampNs;
    private boolean probeRttExpired;
    /** When ProbeRTT may end, ns; 0 while inflight has not yet fallen to the ProbeRTT cwnd. */
    private long probeRttDoneStampNs;
    private boolean probeRttRoundDone;
    /** The connection restarted from idle and has not yet delivered data. */
    private boolean idleRestart;

    // Startup exit (§4.3.1).
    private double fullBw;
    private int fullBwCount;
    private boolean fullBwNow;
    /** BBR.full_bw_reached: Startup has filled the pipe (once true, stays true). */
    private boolean fullBwReached;

    // ProbeBW (§4.3.3).
    private AckPhase ackPhase = AckPhase.INIT;
    /** When the current phase began, ns. */
    private long cycleStampNs;
    /** BBR.bw_probe_wait: how long DOWN/CRUISE last before REFILL, ns. */
    private long bwProbeWaitNs;
    /** BBR.rounds_since_bw_probe. */
    private long roundsSinceBwProbe;
    /** BBR.bw_probe_samples: a probe is running whose loss may still cut inflight_hi. */
    private boolean bwProbeSamples;
    private int bwProbeUpRounds;
    private long bwProbeUpAcks;
    private long probeUpCnt = Long.MAX_VALUE;

    // Loss and the bounds (§4.5.10).
    /** BBR.inflight_hi, bytes, or {@link Long#MAX_VALUE}. */
    private long inflightHi = Long.MAX_VALUE;
    /** BBR.inflight_lo, bytes, or {@link Long#MAX_VALUE}. */
    private long inflightLo = Long.MAX_VALUE;
    /** BBR.bw_latest: the best rate of the latest loss round. */
    private double bwLatest;
    /** BBR.inflight_latest: the most data delivered in one sample of the latest loss round. */
    private long inflightLatest;
    /** C.delivered when the current loss round began. */
    private long lossRoundDelivered;
    private boolean lossRoundStart;
    /** BBR.loss_in_round: the current loss round saw loss (or ECN). */
    private boolean lossInRound;
    /** Bytes lost in the current loss round (stands in for RS.lost, see the class comment). */
    private long lostInRound;
    /** ACKs that revealed loss in the current loss round (Startup's loss-event count). */
    private int lossEventsInRound;
    /** Bytes in flight when the current loss round began (stands in for RS.tx_in_flight). */
    private long txInFlightAtRoundStart;

    // ACK aggregation (§4.5.5).
    private long extraAckedIntervalStartNs;
    private long extraAckedDelivered;
    private final WindowedMax extraAckedFilter = new WindowedMax();
    /** BBR.extra_acked, bytes. */
    private long extraAcked;

    // Loss recovery (§4.6.4.4, as Linux's BBR).
    /** BBR.prior_cwnd: the window saved on entering recovery or ProbeRTT. */
    private int priorCwnd;
    private boolean inRecovery;
    /** Packet conservation: during the first round of recovery, send one segment per one delivered. */
    private boolean packetConservation;
    /** C.delivered when recovery began: conservation ends with the round that passes it. */
    private long recoveryRoundDelivered;

    /**
     * @param initialWindow the initial window, bytes
     * @param seed          seeds the random choices (the connection's ISS will do: it is already secret)
     */
    Bbr(int initialWindow, long seed) {
        this(initialWindow, seed, false);
    }

    /**
     * @param initialWindow the initial window, bytes
     * @param seed          seeds the random choices
     * @param lossTolerant  loss-tolerant (as Linux's mainline bbr) rather than the draft's loss bounds
     */
    Bbr(int initialWindow, long seed, boolean lossTolerant) {
        this.initialWindow = initialWindow;
        this.lossTolerant = lossTolerant;
        this.cwnd = initialWindow;
        this.random = new SplittableRandom(seed);
        initPacingRate(-1);
        sendQuantum = 2 * smss;
    }

    @Override
    public TcpConfig.CongestionAlgorithm algorithm() {
        return TcpConfig.CongestionAlgorithm.BBR;
    }

    @Override
    public int cwnd() {
        return cwnd;
    }

    /** BBR has no slow-start threshold; loss recovery's undo hands this back. */
    @Override
    public int ssthresh() {
        return Integer.MAX_VALUE;
    }

    @Override
    public boolean modelsThePath() {
        return true;
    }

    @Override
    public long pacingRateBytesPerSec() {
        return Math.max(1, (long) pacingRate);
    }

    /** BBR.send_quantum: the burst a {@link Pacer} may send at once, bytes. */
    int sendQuantum() {
        return sendQuantum;
    }

    @Override
    public int sendQuantum(int smss) {
        return Math.max(sendQuantum, smss);
    }

    Mode mode() {
        return mode;
    }

    double pacingGain() {
        return pacingGain;
    }

    double maxBw() {
        return maxBw;
    }

    double bw() {
        return bw;
    }

    double bwLo() {
        return bwLo;
    }

    long minRttNs() {
        return minRttNs;
    }

    long inflightHi() {
        return inflightHi;
    }

    long inflightLo() {
        return inflightLo;
    }

    long extraAcked() {
        return extraAcked;
    }

    long roundCount() {
        return roundCount;
    }

    long cycleCount() {
        return cycleCount;
    }

    boolean fullBwReached() {
        return fullBwReached;
    }

    boolean inRecovery() {
        return inRecovery;
    }

    // ---------------------------------------------------------------- per ACK

    /** §4.2 BBRUpdateOnACK: the model and the state, then the control parameters. */
    @Override
    public void onAck(AckSample s) {
        nowNs = s.nowNs;
        smss = s.smss;
        delivered = s.totalDelivered;
        inFlight = s.inFlight;
        if (inRecovery && !s.inRecovery) {
            exitRecovery();
        }
        double rate = s.rateBytesPerSec();
        updateLatestDeliverySignals(s, rate);
        updateCongestionSignals(s, rate);
        updateAckAggregation(s);
        checkFullBwReached(s);
        checkStartupDone();
        checkDrainDone();
        updateProbeBwCyclePhase(s, rate);
        updateMinRtt(s);
        checkProbeRtt(s);
        advanceLatestDeliverySignals(s, rate);
        boundBwForModel();
        setPacingRate();
        setSendQuantum();
        setCwnd(s);
    }

    /** §4.5.1: a round ends when a segment sent after its start is delivered. */
    private void updateRound(AckSample s) {
        roundStart = false;
        if (s.deliveredBytes > 0 && s.ratePriorDelivered >= nextRoundDelivered) {
            startRound();
            roundCount++;
            roundsSinceBwProbe++;
            roundStart = true;
        }
    }

    private void startRound() {
        nextRoundDelivered = delivered;
    }

    /** §4.5.10.3 BBRUpdateLatestDeliverySignals, with this class's per-round loss bookkeeping. */
    private void updateLatestDeliverySignals(AckSample s, double rate) {
        lossRoundStart = false;
        bwLatest = Math.max(bwLatest, rate);
        if (s.rateDelivered > 0) {
            inflightLatest = Math.max(inflightLatest, s.rateDelivered);
        }
        if (s.deliveredBytes > 0 && s.ratePriorDelivered >= lossRoundDelivered) {
            lossRoundDelivered = delivered;
            lossRoundStart = true;
        }
    }

    private void advanceLatestDeliverySignals(AckSample s, double rate) {
        if (lossRoundStart) {
            bwLatest = rate;
            inflightLatest = Math.max(s.rateDelivered, 0);
            lostInRound = 0;
            lossEventsInRound = 0;
            txInFlightAtRoundStart = (long) s.inFlight + s.deliveredBytes;
        }
    }

    /** §4.5.10.3 BBRUpdateCongestionSignals. */
    private void updateCongestionSignals(AckSample s, double rate) {
        updateMaxBw(s, rate);
        if (s.lostBytes > 0) {
            lossInRound = true;
            lostInRound += s.lostBytes;
            lossEventsInRound++;
        }
        if (!lossRoundStart) {
            return;
        }
        adaptLowerBoundsFromCongestion();
        lossInRound = false;
    }

    /** §4.5.2 BBRUpdateMaxBw: app-limited samples count only when they raise the estimate. */
    private void updateMaxBw(AckSample s, double rate) {
        updateRound(s);
        if (rate > 0 && (rate >= maxBw || !s.rateAppLimited)) {
            maxBwSlots[1] = Math.max(maxBwSlots[1], rate);
            maxBw = Math.max(maxBwSlots[0], maxBwSlots[1]);
        }
    }

    /** §4.5.2 BBRAdvanceMaxBwFilter: a new ProbeBW cycle; the oldest cycle's best leaves the window. */
    private void advanceMaxBwFilter() {
        cycleCount++;
        maxBwSlots[0] = maxBwSlots[1];
        maxBwSlots[1] = 0;
    }

    /** §4.5.10.3: outside a bandwidth probe, a round with loss cuts the short-term bounds. */
    private void adaptLowerBoundsFromCongestion() {
        if (isProbingBw() || lossTolerant) {
            return;
        }
        if (lossInRound) {
            if (bwLo == Double.POSITIVE_INFINITY) {
                bwLo = maxBw;
            }
            if (inflightLo == Long.MAX_VALUE) {
                inflightLo = cwnd;
            }
            bwLo = Math.max(bwLatest, BETA * bwLo);
            inflightLo = Math.max(inflightLatest, (long) (BETA * inflightLo));
        }
    }

    private boolean isProbingBw() {
        return mode == Mode.STARTUP || mode == Mode.PROBE_BW_REFILL || mode == Mode.PROBE_BW_UP;
    }

    private void resetLowerBounds() {
        bwLo = Double.POSITIVE_INFINITY;
        inflightLo = Long.MAX_VALUE;
    }

    private void resetCongestionSignals() {
        lossInRound = false;
        bwLatest = 0;
        inflightLatest = 0;
    }

    private void boundBwForModel() {
        bw = Math.min(maxBw, bwLo);
    }

    /** §4.5.5 BBRUpdateACKAggregation: data acknowledged beyond what bw explains, max over 10 rounds. */
    private void updateAckAggregation(AckSample s) {
        if (s.deliveredBytes <= 0) {
            return;
        }
        double expected = bw * (nowNs - extraAckedIntervalStartNs) / 1e9;
        if (extraAckedDelivered <= expected) {
            extraAckedDelivered = 0;
            extraAckedIntervalStartNs = nowNs;
            expected = 0;
        }
        extraAckedDelivered += s.deliveredBytes;
        long extra = (long) Math.min(extraAckedDelivered - expected, cwnd);
        extraAcked = extraAckedFilter.update(Math.max(extra, 0), roundCount, EXTRA_ACKED_FILTER_ROUNDS);
    }

    // ---------------------------------------------------------------- Startup and Drain

    /** §4.3.1.1: three rounds without 25% growth of max_bw fill the pipe. */
    private void checkFullBwReached(AckSample s) {
        if (fullBwNow || !roundStart || s.rateAppLimited) {
            return;
        }
        if (maxBw >= fullBw * FULL_BW_GROWTH) {
            resetFullBw();
            fullBw = maxBw;
            return;
        }
        fullBwCount++;
        fullBwNow = fullBwCount >= FULL_BW_ROUNDS;
        if (fullBwNow) {
            fullBwReached = true;
        }
    }

    private void resetFullBw() {
        fullBw = 0;
        fullBwCount = 0;
        fullBwNow = false;
    }

    /**
     * §4.3.1.2 BBRCheckStartupHighLoss: a round in Startup with too much loss (over 2% of what was
     * in flight, in at least 6 loss events) ends Startup, and inflight_hi starts at what was there.
     */
    private void checkStartupDone() {
        if (mode != Mode.STARTUP) {
            return;
        }
        if (!fullBwReached && lossRoundStart && lossEventsInRound >= STARTUP_FULL_LOSS_COUNT
                && isInflightTooHigh()) {
            fullBwReached = true;
            inflightHi = Math.max(bdpMultiple(bw, 1.0), inflightLatest);
        }
        if (fullBwReached) {
            enterDrain();
        }
    }

    private void enterDrain() {
        mode = Mode.DRAIN;
        pacingGain = DRAIN_PACING_GAIN;
        cwndGain = STARTUP_CWND_GAIN;
    }

    /** §4.3.2: Drain ends when inflight is down to one BDP. */
    private void checkDrainDone() {
        if (mode == Mode.DRAIN && inFlight <= inflight(maxBw, 1.0)) {
            enterProbeBw();
        }
    }

    private void enterStartup() {
        mode = Mode.STARTUP;
        pacingGain = STARTUP_PACING_GAIN;
        cwndGain = STARTUP_CWND_GAIN;
    }

    // ---------------------------------------------------------------- ProbeBW

    private void enterProbeBw() {
        cwndGain = PROBE_BW_CWND_GAIN;
        startProbeBwDown();
    }

    private void startProbeBwDown() {
        resetCongestionSignals();
        probeUpCnt = Long.MAX_VALUE;
        pickProbeWait();
        cycleStampNs = nowNs;
        ackPhase = AckPhase.PROBE_STOPPING;
        startRound();
        mode = Mode.PROBE_BW_DOWN;
        pacingGain = PROBE_DOWN_PACING_GAIN;
        cwndGain = PROBE_BW_CWND_GAIN;
    }

    private void startProbeBwCruise() {
        mode = Mode.PROBE_BW_CRUISE;
        pacingGain = 1.0;
        cwndGain = PROBE_BW_CWND_GAIN;
    }

    private void startProbeBwRefill() {
        resetLowerBounds();
        bwProbeUpRounds = 0;
        bwProbeUpAcks = 0;
        ackPhase = AckPhase.REFILLING;
        startRound();
        cycleStampNs = nowNs;
        mode = Mode.PROBE_BW_REFILL;
        pacingGain = 1.0;
        cwndGain = PROBE_BW_CWND_GAIN;
    }

    private void startProbeBwUp(double rate) {
        ackPhase = AckPhase.PROBE_STARTING;
        startRound();
        resetFullBw();
        fullBw = rate;
        cycleStampNs = nowNs;
        mode = Mode.PROBE_BW_UP;
        pacingGain = PROBE_UP_PACING_GAIN;
        cwndGain = PROBE_UP_CWND_GAIN;
        raiseInflightHiSlope();
    }

    /** §4.3.3.5 BBRPickProbeWait: the randomized cycle start, so that flows do not probe in step. */
    private void pickProbeWait() {
        roundsSinceBwProbe = random.nextInt(2);
        bwProbeWaitNs = PROBE_WAIT_BASE_NS + random.nextLong(PROBE_WAIT_RAND_NS + 1);
    }

    /** §4.3.3 BBRUpdateProbeBWCyclePhase. */
    private void updateProbeBwCyclePhase(AckSample s, double rate) {
        if (!fullBwReached) {
            return;
        }
        adaptUpperBounds(s);
        switch (mode) {
            case PROBE_BW_DOWN -> {
                if (checkTimeToProbeBw()) {
                    return;
                }
                if (checkTimeToCruise()) {
                    startProbeBwCruise();
                }
            }
            case PROBE_BW_CRUISE -> checkTimeToProbeBw();
            case PROBE_BW_REFILL -> {
                // One round of REFILL at gain 1 fills the pipe to inflight_hi before UP pushes beyond it.
                if (roundStart) {
                    bwProbeSamples = true;
                    startProbeBwUp(rate);
                }
            }
            case PROBE_BW_UP -> {
                if (hasElapsedInPhase(minRttNs) && inFlight > inflight(maxBw, PROBE_UP_PACING_GAIN)) {
                    startProbeBwDown();
                }
            }
            default -> { }
        }
    }

    /** §4.3.3.2: DOWN ends when inflight has fallen below both the headroom and one BDP. */
    private boolean checkTimeToCruise() {
        if (inFlight > inflightWithHeadroom()) {
            return false;
        }
        return inFlight <= inflight(maxBw, 1.0);
    }

    /** §4.3.3.6: the wall-clock wait, or the Reno-coexistence bound in rounds, starts REFILL. */
    private boolean checkTimeToProbeBw() {
        if (hasElapsedInPhase(bwProbeWaitNs) || isRenoCoexistenceProbeTime()) {
            startProbeBwRefill();
            return true;
        }
        return false;
    }

    private boolean isRenoCoexistenceProbeTime() {
        if (lossTolerant) {
            return roundsSinceBwProbe >= TOLERANT_PROBE_ROUNDS;
        }
        long renoRounds = targetInflight() / Math.max(smss, 1);
        return roundsSinceBwProbe >= Math.min(renoRounds, MAX_RENO_ROUNDS);
    }

    private long targetInflight() {
        return Math.min(bdpMultiple(bw, 1.0), cwnd);
    }

    private boolean hasElapsedInPhase(long intervalNs) {
        return nowNs - (cycleStampNs + intervalNs) > 0;
    }

    /**
     * §4.3.3.4 BBRAdaptUpperBounds: too much loss while probing cuts inflight_hi; otherwise, in UP,
     * inflight_hi grows (slowly at first, doubling its step each round).
     */
    private void adaptUpperBounds(AckSample s) {
        if (ackPhase == AckPhase.PROBE_STARTING && roundStart) {
            ackPhase = AckPhase.PROBE_FEEDBACK;
        }
        if (ackPhase == AckPhase.PROBE_STOPPING && roundStart) {
            // The probe's samples have all come back: the best chance to forget the previous cycle's.
            bwProbeSamples = false;
            ackPhase = AckPhase.INIT;
            if (mode.isProbeBw() && !s.rateAppLimited) {
                advanceMaxBwFilter();
            }
        }
        if (checkInflightTooHigh(s)) {
            return;
        }
        if (inflightHi == Long.MAX_VALUE) {
            return;
        }
        long txInFlight = (long) s.inFlight + s.deliveredBytes;
        if (txInFlight > inflightHi) {
            inflightHi = txInFlight;
        }
        if (mode == Mode.PROBE_BW_UP) {
            probeInflightHiUpward(s);
        }
    }

    /**
     * §4.5.10.2 IsInflightTooHigh: RS.lost > RS.tx_in_flight × 2%. Deviation: the draft compares
     * the losses since the sampled segment was sent with what was in flight when it was sent; here,
     * the losses of the current loss round with what was in flight when it began (one RTT either way).
     */
    private boolean isInflightTooHigh() {
        return !lossTolerant && lostInRound > 0 && lostInRound > LOSS_THRESH * txInFlightAtRoundStart;
    }

    private boolean checkInflightTooHigh(AckSample s) {
        if (isInflightTooHigh()) {
            if (bwProbeSamples) {
                handleInflightTooHigh(s);
            }
            return true;
        }
        return false;
    }

    /** §4.5.10.2 BBRHandleInflightTooHigh: inflight_hi to what the path held, at least β × target. */
    private void handleInflightTooHigh(AckSample s) {
        bwProbeSamples = false;
        if (!s.rateAppLimited) {
            long txInFlight = Math.max(txInFlightAtRoundStart, (long) s.inFlight + s.deliveredBytes);
            inflightHi = Math.max(Math.min(txInFlight, inflightHiOrCwnd()), (long) (targetInflight() * BETA));
        }
        if (mode == Mode.PROBE_BW_UP) {
            startProbeBwDown();
        }
    }

    private long inflightHiOrCwnd() {
        return inflightHi == Long.MAX_VALUE ? Math.max(cwnd, txInFlightAtRoundStart) : Math.max(inflightHi, cwnd);
    }

    private void raiseInflightHiSlope() {
        long growthThisRound = (long) smss << bwProbeUpRounds;
        bwProbeUpRounds = Math.min(bwProbeUpRounds + 1, 30);
        probeUpCnt = Math.max(cwnd / growthThisRound, 1);
    }

    private void probeInflightHiUpward(AckSample s) {
        boolean cwndLimited = (long) s.inFlight + s.deliveredBytes + smss >= cwnd;
        if (cwndLimited && cwnd >= inflightHi) {
            bwProbeUpAcks += s.deliveredBytes;
            long ackedSegs = bwProbeUpAcks / Math.max(smss, 1);
            if (ackedSegs >= probeUpCnt) {
                long delta = ackedSegs / probeUpCnt;
                bwProbeUpAcks -= delta * probeUpCnt * smss;
                inflightHi += delta * smss;
            }
        }
        if (roundStart) {
            raiseInflightHiSlope();
        }
    }

    private long inflightWithHeadroom() {
        if (inflightHi == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long headroom = Math.max(smss, (long) (HEADROOM * inflightHi));
        return Math.max(inflightHi - headroom, minPipeCwnd());
    }

    // ---------------------------------------------------------------- min_rtt and ProbeRTT

    /** §4.5.6 BBRUpdateMinRTT, with ProbeRTT's own 5 s window inside min_rtt's 10 s one. */
    private void updateMinRtt(AckSample s) {
        probeRttExpired = probeRttMinDelayNs != Long.MAX_VALUE
                && nowNs - (probeRttMinStampNs + PROBE_RTT_INTERVAL_NS) > 0;
        if (s.rttNs >= 0 && (s.rttNs < probeRttMinDelayNs || probeRttExpired)) {
            probeRttMinDelayNs = s.rttNs;
            probeRttMinStampNs = nowNs;
        }
        boolean minRttExpired = minRttNs != Long.MAX_VALUE && nowNs - (minRttStampNs + MIN_RTT_FILTER_NS) > 0;
        if (probeRttMinDelayNs < minRttNs || minRttExpired) {
            boolean first = minRttNs == Long.MAX_VALUE;
            minRttNs = probeRttMinDelayNs;
            minRttStampNs = probeRttMinStampNs;
            if (first && maxBw == 0) {
                initPacingRate(minRttNs);
            }
        }
    }

    /** §4.3.4: enter ProbeRTT when the 5 s window expired; leave after 200 ms and a round at low inflight. */
    private void checkProbeRtt(AckSample s) {
        if (mode != Mode.PROBE_RTT && probeRttExpired && !idleRestart) {
            enterProbeRtt();
            saveCwnd();
            probeRttDoneStampNs = 0;
            ackPhase = AckPhase.PROBE_STOPPING;
            startRound();
        }
        if (mode == Mode.PROBE_RTT) {
            handleProbeRtt();
        }
        if (s.deliveredBytes > 0) {
            idleRestart = false;
        }
    }

    private void enterProbeRtt() {
        mode = Mode.PROBE_RTT;
        pacingGain = 1.0;
        cwndGain = PROBE_RTT_CWND_GAIN;
    }

    private void handleProbeRtt() {
        if (probeRttDoneStampNs == 0 && inFlight <= probeRttCwnd()) {
            probeRttDoneStampNs = nowNs + PROBE_RTT_DURATION_NS;
            probeRttRoundDone = false;
            startRound();
        } else if (probeRttDoneStampNs != 0) {
            if (roundStart) {
                probeRttRoundDone = true;
            }
            if (probeRttRoundDone) {
                checkProbeRttDone();
            }
        }
    }

    private void checkProbeRttDone() {
        if (probeRttDoneStampNs != 0 && nowNs - probeRttDoneStampNs > 0) {
            probeRttMinStampNs = nowNs;
            restoreCwnd();
            exitProbeRtt();
        }
    }

    private void exitProbeRtt() {
        resetLowerBounds();
        if (fullBwReached) {
            startProbeBwDown();
            startProbeBwCruise();
        } else {
            enterStartup();
        }
    }

    private int probeRttCwnd() {
        return (int) Math.max(bdpMultiple(bw, PROBE_RTT_CWND_GAIN), minPipeCwnd());
    }

    // ---------------------------------------------------------------- control parameters

    /** §4.6.2 BBRInitPacingRate: the initial window over the first RTT (1 ms if none yet), at Startup's gain. */
    private void initPacingRate(long rttNs) {
        double nominal = initialWindow * 1e9 / (rttNs > 0 ? rttNs : DEFAULT_RTT_NS);
        pacingRate = STARTUP_PACING_GAIN * nominal;
    }

    /** §4.6.2 BBRSetPacingRate: gain × bw less 1%; before the pipe is full, never lower. */
    private void setPacingRate() {
        double rate = pacingGain * bw * (1 - PACING_MARGIN);
        if (rate > 0 && (fullBwReached || rate > pacingRate)) {
            pacingRate = rate;
        }
    }

    /** §4.6.3: 1 ms at the pacing rate, between 2 segments and 64 KB. */
    private void setSendQuantum() {
        long q = (long) (pacingRate * SEND_QUANTUM_NS / 1e9);
        sendQuantum = (int) Math.clamp(q, 2L * smss, MAX_SEND_QUANTUM);
    }

    private int minPipeCwnd() {
        return 4 * smss;
    }

    private long bdpMultiple(double rate, double gain) {
        if (minRttNs == Long.MAX_VALUE) {
            return initialWindow;
        }
        return (long) (gain * rate * minRttNs / 1e9);
    }

    /** §4.6.4.2 BBRQuantizationBudget: room for offload bursts, 4 segments, 2 more in UP. */
    private long quantizationBudget(long inflight) {
        inflight = Math.max(inflight, 3L * sendQuantum);
        inflight = Math.max(inflight, minPipeCwnd());
        if (mode == Mode.PROBE_BW_UP) {
            inflight += 2L * smss;
        }
        return inflight;
    }

    private long inflight(double rate, double gain) {
        return quantizationBudget(bdpMultiple(rate, gain));
    }

    /** §4.6.4 BBRSetCwnd: toward BDP × cwnd_gain + extra_acked, conserving packets early in recovery. */
    private void setCwnd(AckSample s) {
        long maxInflight = quantizationBudget(bdpMultiple(bw, cwndGain) + extraAcked);
        long c = cwnd;
        // §4.6.4.4 BBRModulateCwndForRecovery.
        if (s.lostBytes > 0) {
            c = Math.max(c - s.lostBytes, smss);
        }
        if (packetConservation) {
            if (s.deliveredBytes > 0 && s.ratePriorDelivered >= recoveryRoundDelivered) {
                packetConservation = false; // a round has passed since recovery began
            } else {
                c = Math.max(c, (long) s.inFlight + s.deliveredBytes);
            }
        }
        if (!packetConservation) {
            if (fullBwReached) {
                c = Math.min(c + s.deliveredBytes, maxInflight);
            } else if (c < maxInflight || delivered < initialWindow) {
                c += s.deliveredBytes;
            }
            c = Math.max(c, minPipeCwnd());
        }
        if (mode == Mode.PROBE_RTT) {
            c = Math.min(c, probeRttCwnd());
        }
        // §4.6.4.6 BBRBoundCwndForModel.
        long cap = Long.MAX_VALUE;
        if (mode.isProbeBw() && mode != Mode.PROBE_BW_CRUISE) {
            cap = inflightHi;
        } else if (mode == Mode.PROBE_RTT || mode == Mode.PROBE_BW_CRUISE) {
            cap = inflightWithHeadroom();
        }
        cap = Math.min(cap, inflightLo);
        cap = Math.max(cap, minPipeCwnd());
        c = Math.min(c, cap);
        cwnd = (int) Math.min(c, Integer.MAX_VALUE / 2);
    }

    private void saveCwnd() {
        priorCwnd = !inRecovery && mode != Mode.PROBE_RTT ? cwnd : Math.max(priorCwnd, cwnd);
    }

    private void restoreCwnd() {
        cwnd = Math.max(cwnd, priorCwnd);
    }

    // ---------------------------------------------------------------- loss, timeouts, ECN

    /**
     * Recovery begins (§4.6.4.4, as Linux's bbr_set_cwnd_to_recover_or_restore): save the window,
     * bring it to what is in flight plus one segment, and conserve packets for a round.
     */
    @Override
    public void onCongestionEvent(long nowNs, int flightSize, int smss) {
        this.smss = smss;
        enterRecovery(flightSize);
    }

    private void enterRecovery(int flightSize) {
        if (inRecovery) {
            return;
        }
        saveCwnd();
        inRecovery = true;
        if (lossTolerant) {
            // Random loss is not congestion: the model (pacing at bw, cwnd at 2 BDP) already bounds
            // what is in flight. Conserving packets for a round at every episode would, at 1-5%
            // random loss (an episode every round), stop Startup's growth and end it early at a low
            // estimate. The lost bytes still come off cwnd on each ACK (setCwnd).
            return;
        }
        cwnd = Math.max(flightSize + smss, smss);
        packetConservation = true;
        recoveryRoundDelivered = delivered;
        startRound();
    }

    private void exitRecovery() {
        inRecovery = false;
        packetConservation = false;
        restoreCwnd();
    }

    /** BBR owns the window at every moment ({@link #modelsThePath()}): PRR's value is not taken. */
    @Override
    public void setCwnd(int bytes) {
    }

    @Override
    public void onFastRetransmit(int flightSize, int smss, int dupAcks) {
        this.smss = smss;
        enterRecovery(flightSize);
    }

    /** Without SACK a duplicate ACK is a segment that left the network: conservation sends one more. */
    @Override
    public void onDupAckInRecovery(int smss) {
        if (packetConservation) {
            cwnd += smss;
        }
    }

    /** The window follows the model on the ACK itself ({@link #onAck}); nothing to deflate. */
    @Override
    public void onPartialAck(int bytesAcked, int smss) {
    }

    @Override
    public void onRecoveryEnd(int flightSize, int smss) {
        if (inRecovery) {
            exitRecovery();
        }
    }

    /**
     * A retransmission timeout (§4.6.4.4, as Linux's BBR in TCP_CA_Loss): save the window, send one
     * segment (everything in flight is deemed lost), and restore on recovery's end. The model stays:
     * one timeout says little about the path's bandwidth.
     */
    @Override
    public void onRetransmitTimeout(int flightSize, int smss) {
        this.smss = smss;
        saveCwnd();
        inRecovery = true;
        packetConservation = true;
        recoveryRoundDelivered = delivered;
        startRound();
        cwnd = smss;
    }

    /** Deviation: ECN-Echo counts as loss for the short-term bounds (no L4S-style ECN response). */
    @Override
    public void onEcnEcho(int flightSize, int smss) {
        lossInRound = true;
    }

    /** A spurious recovery (Linux's bbr_undo_cwnd): forget the short-term bounds and restore the window. */
    @Override
    public void undo(int cwnd, int ssthresh) {
        resetFullBw();
        resetLowerBounds();
        inRecovery = false;
        packetConservation = false;
        this.cwnd = Math.max(Math.max(this.cwnd, priorCwnd), Math.min(cwnd, Integer.MAX_VALUE / 2));
    }

    /**
     * §4.3.4.4 BBRHandleRestartFromIdle: keep the window (pacing spreads the restart), pace at bw in
     * ProbeBW, and do not let the idle period count as aggregation or trigger ProbeRTT at once.
     */
    @Override
    public void onIdleRestart(int smss, int initialWindow) {
        idleRestart = true;
        extraAckedIntervalStartNs = nowNs;
        if (mode.isProbeBw() && bw > 0) {
            pacingRate = bw * (1 - PACING_MARGIN);
        } else if (mode == Mode.PROBE_RTT) {
            checkProbeRttDone();
        }
    }

    /**
     * A windowed maximum over rounds (Kathleen Nichols' algorithm, as Linux's minmax): the best,
     * second-best and third-best samples of the window, so that the maximum is known when the best
     * ages out without keeping every sample.
     */
    static final class WindowedMax {
        private final long[] value = new long[3];
        private final long[] time = new long[3];

        long update(long v, long t, long window) {
            if (v >= value[0] || t - time[2] > window) {
                for (int i = 0; i < 3; i++) {
                    value[i] = v;
                    time[i] = t;
                }
                return value[0];
            }
            if (v >= value[1]) {
                value[1] = value[2] = v;
                time[1] = time[2] = t;
            } else if (v >= value[2]) {
                value[2] = v;
                time[2] = t;
            }
            if (t - time[0] > window) {
                value[0] = value[1];
                time[0] = time[1];
                value[1] = value[2];
                time[1] = time[2];
                value[2] = v;
                time[2] = t;
                if (t - time[0] > window) {
                    value[0] = value[1];
                    time[0] = time[1];
                    value[1] = value[2];
                    time[1] = time[2];
                }
            } else if (value[1] == value[0] && t - time[1] > window / 4) {
                value[1] = value[2] = v;
                time[1] = time[2] = t;
            } else if (value[2] == value[1] && t - time[2] > window / 2) {
                value[2] = v;
                time[2] = t;
            }
            return value[0];
        }
    }
}
