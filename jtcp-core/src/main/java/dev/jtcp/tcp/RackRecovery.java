package dev.jtcp.tcp;

import static dev.jtcp.event.TcpState.CLOSE_WAIT;
import static dev.jtcp.event.TcpState.CLOSING;
import static dev.jtcp.event.TcpState.ESTABLISHED;
import static dev.jtcp.event.TcpState.FIN_WAIT_1;
import static dev.jtcp.event.TcpState.LAST_ACK;

import dev.jtcp.event.TimerKind;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpOptions;
import dev.jtcp.wire.TcpSegment;

/**
 * Loss recovery as Linux does it for a SACK peer: RACK-TLP (RFC 8985) finds losses by time, with a
 * reordering window widened by D-SACKs (RFC 2883), including lost retransmissions; Proportional Rate
 * Reduction (RFC 6937) paces what is sent during recovery; tail loss probes (RFC 8985 §7) turn tail
 * losses into SACKed holes; a retransmission timeout keeps what the peer SACKed and resends only
 * what is lost (RFC 8985 §6.3); and a recovery or timeout that timestamps prove spurious is undone
 * (RFC 3522 detection with the RFC 4015 response).
 *
 * <p>State per segment is in {@link Flight}, fed by the {@link Sender} as segments leave ({@link
 * #onSent}); each ACK runs {@link #afterAck}: cumulative part, SACK blocks, the rate sample
 * ({@link DeliveryRate}), {@link Rack}'s detection, entering or leaving recovery, PRR, the
 * congestion controller's {@link AckSample}. The retransmission timer stands for one of three
 * things: the RTO, a probe timeout (PTO), or RACK's reordering timeout (Linux multiplexes them the
 * same way).
 *
 * <p>Read first: RFC 8985 §6 and §7, RFC 6937 §3. Without SACK the connection uses {@link
 * DupAckRecovery} instead (RFC 8985 §5 requires SACK).
 *
 * <p>Not thread-safe: driven by the one thread that runs its host.
 */
final class RackRecovery implements LossRecovery, Sender.TransmitLog, Flight.DeliveryVisitor {
    /** RFC 8985 §7.2: the PTO is never below 10 ms. */
    private static final long MIN_PTO_NS = 10_000_000L;
    /**
     * Linux's PTO with several segments in flight (TcpConfig.linuxRecovery): 2 × SRTT plus two
     * ticks (TCP_TIMEOUT_MIN), without RFC 8985's 10 ms floor.
     */
    private static final long LINUX_PTO_SLACK_NS = 2_000_000L;
    /** RFC 8985 §7.2: WCDelAckT, the worst-case delayed ACK, added when one segment is in flight. */
    private static final long WORST_CASE_DELAYED_ACK_NS = 200_000_000L;
    /** SACK blocks an ACK can carry (RFC 2018 §3 with timestamps: 3; without: 4). */
    private static final int MAX_BLOCKS = TcpOptions.MAX_SACK_BLOCKS;

    private enum TimerMode { RTO, PROBE, REORDER }

    private final TcpConfig cfg;
    private final Tcb tcb;
    private final Sender sender;
    private final TimerSet timers;
    private final RttEstimator rtt;
    /** Spurious-timeout detection (RFC 5682) for the Loss state. */
    private final Frto frto;

    /** Per-segment state; allocated with the first data segment, so idle connections stay small. */
    private Flight flight;
    private Rack rack;
    private Prr prr;
    private DeliveryRate rate;
    private AckSample sample;
    /** The degree of reordering seen (Linux's tp->reordering); allocated with the first data segment. */
    private Reordering reordering;
    /** The deliveries being visited come from SACK blocks, not the cumulative ACK. */
    private boolean visitingSack;

    /** What the retransmission timer stands for now. */
    private TimerMode mode = TimerMode.RTO;
    /** When RACK's reordering timer expires, ns; 0 when it is not wanted. */
    private long reorderDeadlineNs;

    /** Fast recovery (loss found by ACKs) is in progress, until SND.UNA passes {@link #recover}. */
    private boolean inRecovery;
    /** Recovery after a retransmission timeout (Linux's Loss state), until SND.UNA passes {@link #recover}. */
    private boolean inLoss;
    /** The Loss state began with a path MTU drop ({@link #onPathMtuLowered}), not a timeout (trace notes only). */
    private boolean mtuLoss;
    /** SND.MAX when the current recovery began (RFC 6582's "recover", Linux's high_seq). */
    private int recover;
    /** Where the search for the next segment to resend starts (a hint; segments below are not lost). */
    private int resendFrom;

    /** Undo of a spurious episode (RFC 3522): the window before it, and the TSval of its first retransmission. */
    private boolean undoPending;
    private int undoTsVal;
    private int undoCwnd;
    private int undoSsthresh;

    /** A tail loss probe is out: RFC 8985's TLP.end_seq is {@link #probeEnd}. */
    private boolean probePending;
    private int probeEnd;
    /** The probe resent old data (TLP.is_retrans). */
    private boolean probeWasRetransmission;

    /** The SACK blocks of the ACK being processed (D-SACK removed), applied after its cumulative part; allocated with the first. */
    private int[] blocks;
    private int blockCount;
    /** The ACK being processed carries a D-SACK (RFC 2883). */
    private boolean dsack;
    /**
     * The ACK being processed delivered a segment sent before the episode's end ({@link #recover})
     * and never resent (Linux's FLAG_ORIG_SACK_ACKED): F-RTO's proof of a spurious timeout.
     */
    private boolean originalDelivered;
    /**
     * The ACK's RTT from the send time of the most recently sent segment it newly delivered that was
     * never resent (Linux's ca_rtt), ns, or -1: one sample per ACK even without timestamps, where
     * the RTT estimator times one segment per round trip (HyStart++ needs 8 samples per round).
     */
    private long ackRttNs;
    private long ackRttXmitNs;

    private int dupAcksTotal;
    private long timeoutCount;
    private long spuriousCount;
    private long probesSent;

    RackRecovery(TcpConfig cfg, Tcb tcb, Sender sender, TimerSet timers, RttEstimator rtt) {
        this.cfg = cfg;
        this.tcb = tcb;
        this.sender = sender;
        this.timers = timers;
        this.rtt = rtt;
        this.frto = new Frto(cfg.frto());
        sender.transmitLog(this);
    }

    private void ensureState() {
        if (flight == null) {
            flight = new Flight();
            rack = new Rack(cfg.rackFirstLossWait(), cfg.rackNoDupThresh());
            prr = new Prr();
            rate = new DeliveryRate();
            sample = new AckSample();
            reordering = new Reordering(cfg.dupAckThreshold());
        }
    }

    @Override
    public void start() {
        recover = tcb.iss;
    }

    // =================================================================================================
    // Segments leaving (the Sender's transmit log)
    // =================================================================================================

    @Override
    public void onSent(long nowNs, int seq, int end, boolean retransmission) {
        ensureState();
        Flight f = flight;
        // The part beyond what is recorded is appended, as a first transmission or, when it lies below
        // SND.MAX (sent before, never recorded: the window closed and SND.NXT went back to the probe
        // byte, which alone was recorded), as a retransmission. Left out of the books, those bytes
        // could never be found lost, and an RTO with the head of the flight missing resends nothing.
        int recordedEnd = f.endSeq(seq);
        if (SeqNum.gt(seq, recordedEnd)) {
            return; // not contiguous with what is recorded: cannot be tracked
        }
        if (SeqNum.gt(end, recordedEnd)) {
            if (f.isEmpty()) {
                rate.onSend(nowNs, 0);
            }
            f.append(recordedEnd, end, nowNs, rate.delivered(), rate.deliveredNs(), rate.firstSentNs(),
                    rate.isAppLimited());
            if (retransmission) {
                f.retransmitted(f.size() - 1, nowNs);
            }
        }
        if (SeqNum.lt(seq, recordedEnd)) {
            int p = f.find(seq);
            if (p < 0) {
                return;
            }
            if (SeqNum.lt(f.start(p), seq)) {
                f.split(p, seq);
                p++;
            }
            int upTo = SeqNum.min(end, recordedEnd);
            for (; p < f.size() && SeqNum.lt(f.start(p), upTo); p++) {
                if (SeqNum.gt(f.end(p), upTo)) {
                    f.split(p, upTo);
                }
                if (f.has(p, Flight.SACKED)) {
                    continue;
                }
                f.retransmitted(p, nowNs);
                f.restamp(p, rate.delivered(), rate.deliveredNs(), rate.firstSentNs(), rate.isAppLimited());
            }
        }
        if (inRecovery) {
            prr.onSent(SeqNum.diff(end, seq));
        }
    }

    // =================================================================================================
    // ACKs
    // =================================================================================================

    @Override
    public void onSackBlocks(TcpSegment ack) {
        TcpOptions o = ack.options;
        blockCount = 0;
        for (int b = 0; b < o.sackBlocks; b++) {
            int left = o.sackEdges[2 * b];
            int right = o.sackEdges[2 * b + 1];
            if (b == 0 && isDsack(o, ack.ack)) {
                // RFC 2883 §4: the first block reports a duplicate: below the cumulative ACK, or inside
                // the second block. It says a segment arrived twice, nothing about what is missing.
                dsack = true;
                spuriousCount++;
                continue;
            }
            if (blocks == null) {
                blocks = new int[2 * MAX_BLOCKS];
            }
            // Keep the blocks in ascending order (a receiver lists the newest first, RFC 2018 §4): RACK
            // visits an ACK's newly delivered segments in sequence order, or the lower of two blocks
            // newly SACKed by one ACK would look delivered below FACK, that is reordered.
            int k = blockCount;
            while (k > 0 && SeqNum.lt(left, blocks[2 * (k - 1)])) {
                blocks[2 * k] = blocks[2 * (k - 1)];
                blocks[2 * k + 1] = blocks[2 * (k - 1) + 1];
                k--;
            }
            blocks[2 * k] = left;
            blocks[2 * k + 1] = right;
            blockCount++;
        }
    }

    private static boolean isDsack(TcpOptions o, int ack) {
        int left = o.sackEdges[0];
        int right = o.sackEdges[1];
        if (SeqNum.le(right, ack)) {
            return true;
        }
        return o.sackBlocks > 1 && SeqNum.ge(left, o.sackEdges[2]) && SeqNum.le(right, o.sackEdges[3]);
    }

    @Override
    public void onNewAck(long nowNs, TcpSegment seg, int acked, int dataAcked, boolean synAcked) {
        if (flight == null) {
            // Only the SYN (or nothing that was recorded) is acknowledged: no segment state yet.
            blockCount = 0;
            dsack = false;
            return;
        }
        beginAck(nowNs, seg);
        flight.acknowledge(tcb.sndUna, this);
        afterAck(nowNs, seg, synAcked, true);
    }

    @Override
    public void onPossibleDuplicateAck(long nowNs, TcpSegment seg) {
        if (seg.payloadLength == 0 && !seg.isSyn() && !seg.isFin() && SeqNum.lt(tcb.sndUna, tcb.sndMax)) {
            dupAcksTotal++;
        }
        if (flight == null || flight.isEmpty()) {
            blockCount = 0;
            dsack = false;
            return;
        }
        beginAck(nowNs, seg);
        boolean wasInRecovery = inRecovery;
        afterAck(nowNs, seg, false, false);
        if (reorderDeadlineNs != 0 || inRecovery != wasInRecovery) {
            armRetransmitTimer(nowNs);
        }
    }

    private void beginAck(long nowNs, TcpSegment seg) {
        sample.reset(nowNs, seg.ack, tcb.effMss);
        originalDelivered = false;
        ackRttNs = -1;
    }

    /** One segment newly delivered, cumulatively or by SACK: RACK's steps 2 and 3, and the rate sample. */
    @Override
    public void onDelivered(Flight f, int p, int flags) {
        boolean retransmitted = (flags & Flight.RETRANSMITTED) != 0;
        long xmit = f.xmitNs(p);
        long nowNs = sample.nowNs;
        rack.onDelivered(f.end(p), xmit, f.sendOrder(p), retransmitted, false, nowNs);
        reordering.onDelivered(f.start(p), f.end(p), retransmitted, visitingSack);
        rate.onDelivered(f.length(p), nowNs, xmit, f.deliveredAtSend(p), f.deliveredNsAtSend(p),
                f.firstTxNsAtSend(p), (flags & Flight.APP_LIMITED) != 0);
        sample.deliveredBytes += f.length(p);
        if (!retransmitted && (flags & Flight.SACKED) == 0 && SeqNum.le(f.end(p), recover)) {
            originalDelivered = true;
        }
        if (!retransmitted && (ackRttNs < 0 || xmit - ackRttXmitNs > 0)) {
            ackRttNs = nowNs - xmit;
            ackRttXmitNs = xmit;
        }
    }

    /** The rest of an ACK's processing, once SND.UNA is updated and the delivered segments counted. */
    private void afterAck(long nowNs, TcpSegment seg, boolean synAcked, boolean newAck) {
        Tcb t = tcb;
        Flight f = flight;
        int smss = t.effMss;
        int sackedBefore = f.sackedBytes();
        visitingSack = true;
        for (int b = 0; b < blockCount; b++) {
            f.sack(blocks[2 * b], blocks[2 * b + 1], this);
        }
        visitingSack = false;
        blockCount = 0;
        reordering.endAck(smss);
        boolean newlySacked = f.sackedBytes() > sackedBefore;
        long rttSample = rtt.takeLatest();
        if (rttSample >= 0) {
            rack.onRttSample(rttSample);
        }
        rate.finishSample(rtt.minRttNs());
        onProbeAcked(nowNs, seg);

        // Undo (RFC 3522): the first ACK of new data after an episode began echoes a timestamp older
        // than the episode's first retransmission: the original arrived, the episode was spurious.
        if (undoPending && newAck && (inRecovery || inLoss)) {
            undoPending = false;
            if (seg.options.hasTimestamps && SeqNum.lt(seg.options.tsEcr, undoTsVal)) {
                undoEpisode();
            }
        }
        // F-RTO (RFC 5682 §3.1, SACK-enhanced): the ACKs after a timeout tell a spurious one apart.
        if (inLoss && frto.isActive()) {
            boolean dupAck = !newAck && seg.payloadLength == 0;
            switch (frto.onAck(newAck, originalDelivered, newlySacked || dupAck, t.sndUna, t.sndNxt, recover)) {
                case SPURIOUS -> undoEpisode();
                case SEND_NEW -> recover = t.sndNxt;
                case NONE -> {
                }
            }
        }

        boolean exited = false;
        if ((inRecovery || inLoss) && SeqNum.ge(t.sndUna, recover)) {
            exited = true;
            if (inRecovery && !t.cc.modelsThePath()) {
                // RFC 6937 §3: on exiting recovery, cwnd = ssthresh (Linux's tcp_end_cwnd_reduction),
                // not RFC 6582's min(ssthresh, FlightSize + SMSS): PRR already brought the pipe there.
                t.cc.setCwnd(t.cc.ssthresh());
            }
            inRecovery = false;
            inLoss = false;
            undoPending = false;
            frto.stop();
        }

        // RACK (RFC 8985 §6.2 steps 4 and 5).
        int sackedSegments = f.sackedBytes() / Math.max(smss, 1);
        rack.updateReorderingWindow(dsack, exited, inRecovery || inLoss, sackedSegments, cfg.dupAckThreshold(),
                t.sndUna, t.sndNxt, rtt.srttNs());
        dsack = false;
        int lostBefore = f.lostBytes();
        int retransOutBefore = f.retransOutBytes();
        long timeout = rack.detectLoss(f, nowNs);
        int newlyLost = Math.max(0, f.lostBytes() - lostBefore);
        if (newlyLost > 0 || f.retransOutBytes() < retransOutBefore) {
            // Something is to be resent: a new loss, or a lost retransmission (its record was marked
            // lost before, so lostBytes does not change; the search for what to resend starts over).
            resendFrom = t.sndUna;
        }
        reorderDeadlineNs = timeout > 0 ? nowNs + timeout : 0;
        if (!inRecovery && !inLoss && f.lostBytes() > 0) {
            enterRecovery(nowNs);
        }

        AckSample s = sample;
        s.sndNxt = t.sndNxt;
        s.lostBytes = newlyLost;
        s.srttNs = rtt.srttNs();
        s.minRttNs = rtt.minRttNs();
        s.rttNs = rttSample >= 0 ? rttSample : ackRttNs;
        s.inFlight = f.pipe();
        s.inRecovery = inRecovery || inLoss;
        s.totalDelivered = rate.delivered();
        s.rateDelivered = rate.sampleDelivered();
        s.rateIntervalNs = rate.sampleIntervalNs();
        s.ratePriorDelivered = rate.priorDelivered();
        s.rateAppLimited = rate.sampleAppLimited();
        s.cwndLimited = !cfg.cwndValidation() || t.cwndUse.isCwndLimited(t.cc.cwnd(), t.cc.ssthresh());
        if (inRecovery && !t.cc.modelsThePath()) {
            // RFC 6937: cwnd = pipe + sndcnt, as Linux's tcp_cwnd_reduction sets it.
            int sndcnt = prr.onAck(s.deliveredBytes, s.inFlight, smss, cfg.linuxRecovery(), newAck && newlyLost == 0);
            t.cc.setCwnd(s.inFlight + sndcnt);
        } else if (!synAcked && (t.cc.modelsThePath()
                || (s.deliveredBytes > 0 && (newAck || cfg.sackGrowsWindow() || reordering.isHigh())))) {
            // Without TcpConfig.sackGrowsWindow, RFC 5681 §3.1: the window grows on ACKs that
            // cumulatively acknowledge new data; an ACK that only SACKs is a duplicate ACK (Linux's
            // tcp_may_raise_cwnd, which lets it grow the window once the path has shown more
            // reordering than the threshold).
            t.cc.onAck(s);
        }
    }

    /**
     * The episode (fast recovery or a timeout) was spurious (RFC 3522 timestamps or RFC 5682 F-RTO):
     * the window before it comes back (RFC 4015's response) and what was deemed lost is not resent.
     */
    private void undoEpisode() {
        spuriousCount++;
        tcb.cc.undo(undoCwnd, undoSsthresh);
        flight.unmarkLost();
        inRecovery = false;
        inLoss = false;
        undoPending = false;
        frto.stop();
    }

    /**
     * Loss found by ACKs: RFC 6937 "on entering recovery", the congestion controller's reduction, and
     * the first lost segment at once (RFC 6675 step 4.3; Linux sends at least this one).
     */
    private void enterRecovery(long nowNs) {
        Tcb t = tcb;
        inRecovery = true;
        recover = t.sndMax;
        cancelProbe();
        rtt.cancelTiming();
        undoCwnd = t.cc.cwnd();
        undoSsthresh = t.cc.ssthresh();
        undoPending = t.tsOk;
        undoTsVal = t.tsNow(nowNs);
        t.cc.onCongestionEvent(nowNs, t.flightSize(), t.effMss);
        prr.enter(t.cc.ssthresh(), t.flightSize());
        sender.windowReduced();
        resendFrom = t.sndUna;
        int p = nextToResend();
        if (p >= 0 && (t.cc.modelsThePath() || !cfg.linuxRecovery())) {
            // RFC 6675 §5 step (4.3): the first lost segment goes at once, whatever the window. With
            // TcpConfig.linuxRecovery PRR's first allowance covers it instead (Linux counts it in prr_out).
            resend(nowNs, p, "fast retransmit (RACK)");
        }
    }

    /** RFC 8985 §7.4: a probe that resent old data and drew no D-SACK repaired a loss: reduce the window. */
    private void onProbeAcked(long nowNs, TcpSegment seg) {
        if (!probePending || SeqNum.lt(seg.ack, probeEnd)) {
            return;
        }
        boolean repairedLoss = probeWasRetransmission && !dsack && SeqNum.gt(seg.ack, probeEnd);
        probePending = false;
        if (repairedLoss && !inRecovery && !inLoss && !tcb.cc.modelsThePath()) {
            tcb.cc.onCongestionEvent(nowNs, tcb.flightSize(), tcb.effMss);
            tcb.cc.setCwnd(tcb.cc.ssthresh());
            sender.windowReduced();
        }
    }

    /**
     * Linux's {@code tcp_simple_retransmit}: the records longer than the new segment size are lost
     * (each carries at most one old MSS, the super-packets being booked per segment), the Loss state
     * begins without a congestion response (no ssthresh change, nothing to undo) and {@link #sendNext}
     * resends them cut to the new size ({@link #resend}) as the window allows.
     */
    @Override
    public void onPathMtuLowered(long nowNs, int oldMss, int newMss) {
        Tcb t = tcb;
        Flight f = flight;
        if (f == null || f.isEmpty()) {
            return;
        }
        boolean marked = false;
        for (int p = 0; p < f.size(); p++) {
            // A FIN takes a sequence number but no room in the packet.
            int fin = t.finQueued && f.end(p) == t.finSeq + 1 ? 1 : 0;
            if (f.length(p) - fin > newMss && !f.has(p, Flight.SACKED)) {
                f.markLost(p);
                marked = true;
            }
        }
        if (!marked) {
            return;
        }
        LossRecovery.keepSegmentCount(t, oldMss, newMss);
        rtt.cancelTiming();
        cancelProbe();
        reorderDeadlineNs = 0;
        if (!inLoss) {
            inRecovery = false;
            inLoss = true;
            mtuLoss = true;
            recover = t.sndMax;
            undoPending = false;
            frto.stop();
        }
        resendFrom = t.sndUna;
    }

    // =================================================================================================
    // Sending during recovery
    // =================================================================================================

    @Override
    public boolean isInRecovery() {
        return inRecovery || inLoss;
    }

    @Override
    public boolean drivesOutput() {
        return inRecovery || inLoss;
    }

    /**
     * While PRR (fast recovery) or cwnd − pipe (after a timeout) allows: the lost segments first, in
     * sequence order, then new data.
     */
    @Override
    public boolean sendNext(long nowNs) {
        if (flight == null) {
            return false;
        }
        boolean sentAny = false;
        if (frto.sendNewPending()) {
            // F-RTO step 2b: new data, not retransmissions, while the window allows.
            while (tcb.cc.cwnd() - flight.pipe() > 0 && !sender.pacingHolds(nowNs, tcb.effMss) && sender.sendNew(nowNs)) {
                sentAny = true;
            }
            frto.afterSendNew(sentAny);
            if (sentAny) {
                return true;
            }
        }
        while (true) {
            boolean prrRules = inRecovery && !tcb.cc.modelsThePath();
            int room = prrRules ? prr.allowance() : tcb.cc.cwnd() - flight.pipe();
            if (room <= 0) {
                break;
            }
            if (sender.pacingHolds(nowNs, tcb.effMss)) {
                break; // the PACING timer brings the send loop back
            }
            int p = nextToResend();
            if (p >= 0) {
                resend(nowNs, p, !inLoss ? "retransmission (RACK: lost)"
                        : mtuLoss ? "retransmission (path MTU)" : "retransmission (RTO: lost)");
                sentAny = true;
                continue;
            }
            if (sender.sendNew(nowNs)) {
                sentAny = true;
                continue;
            }
            break;
        }
        return sentAny;
    }

    /**
     * Linux's {@code tcp_rate_check_app_limited} (draft-cheng-iccrg-delivery-rate-estimation §3.4):
     * app-limited when less than a segment is waiting, cwnd is not full and every segment deemed
     * lost has been resent; then samples until the present flight is delivered cannot lower the
     * controller's bandwidth estimate.
     */
    @Override
    public void checkAppLimited(int unsent) {
        if (rate == null || tcb.cc == null) {
            return;
        }
        int pipe = inFlight();
        if (unsent < Math.max(tcb.effMss, 1) && pipe < tcb.cc.cwnd()
                && flight.lostBytes() <= flight.retransOutBytes()) {
            rate.onAppLimited(pipe);
        }
    }

    /** The position of the first segment that is lost and not being resent, or -1. */
    private int nextToResend() {
        Flight f = flight;
        int p = SeqNum.gt(resendFrom, tcb.sndUna) ? Math.max(f.find(resendFrom), 0) : 0;
        for (; p < f.size(); p++) {
            if (f.needsRetransmission(p)) {
                resendFrom = f.start(p);
                return p;
            }
        }
        resendFrom = f.endSeq(tcb.sndUna);
        return -1;
    }

    /**
     * Resends record {@code p} whole, cut to the current segment size if that shrank. After a path
     * MTU drop the new segments are cut from the old data as it was sent together, as Linux cuts its
     * queued buffers (one per burst, tcp_fragment): the rest of a record and the lost records that
     * left with it at the same time fill the segment.
     */
    private void resend(long nowNs, int p, String note) {
        Flight f = flight;
        int smss = sender.sendMss();
        int start = f.start(p);
        if (mtuLoss && inLoss && f.length(p) < smss) {
            int end = f.end(p);
            for (int q = p + 1; q < f.size() && SeqNum.diff(end, start) < smss && f.start(q) == end
                    && f.xmitNs(q) == f.xmitNs(p) && f.needsRetransmission(q); q++) {
                end = SeqNum.min(f.end(q), start + smss);
            }
            sender.resendRange(nowNs, start, end, note);
            return;
        }
        if (f.length(p) > smss) {
            f.split(p, start + smss);
        }
        sender.resendRange(nowNs, start, f.end(p), note);
    }

    // =================================================================================================
    // Timers: RTO, PTO, RACK's reordering timeout
    // =================================================================================================

    @Override
    public void armRetransmitTimer(long nowNs) {
        if (reorderDeadlineNs != 0 && reorderDeadlineNs - nowNs > 0) {
            mode = TimerMode.REORDER;
            timers.arm(nowNs, TimerKind.RETRANSMISSION, reorderDeadlineNs);
            return;
        }
        reorderDeadlineNs = 0;
        long pto = probeTimeout();
        if (pto > 0) {
            mode = TimerMode.PROBE;
            timers.arm(nowNs, TimerKind.RETRANSMISSION, nowNs + pto);
            return;
        }
        mode = TimerMode.RTO;
        sender.armRetransmit(nowNs);
    }

    /**
     * RFC 8985 §7.2: the PTO, or 0 when no probe is due: 2 × SRTT (at least 10 ms), plus WCDelAckT
     * when one segment is in flight; never later than the RTO would fire (Linux caps it the same way,
     * so a lone segment's tail is probed, not timed out).
     */
    private long probeTimeout() {
        Tcb t = tcb;
        // Every state in which data or our FIN can be outstanding: a lost FIN is a tail loss too
        // (RFC 8985 §7 probes any tail; Linux sends a TLP for a FIN).
        boolean dataState = t.state == ESTABLISHED || t.state == CLOSE_WAIT || t.state == FIN_WAIT_1
                || t.state == CLOSING || t.state == LAST_ACK;
        if (!cfg.tailLossProbes() || !dataState || (inRecovery && !recoveryTailProbe()) || inLoss || probePending
                || !rtt.hasSample() || t.retransmits > 0 || flight == null || flight.isEmpty()) {
            return 0;
        }
        long pto = 2 * rtt.srttNs();
        if (flight.size() == 1) {
            pto += WORST_CASE_DELAYED_ACK_NS;
        } else if (cfg.linuxRecovery()) {
            pto += LINUX_PTO_SLACK_NS;
        }
        if (!cfg.linuxRecovery()) {
            pto = Math.max(pto, MIN_PTO_NS);
        }
        return Math.min(pto, rtt.rtoNs());
    }

    /**
     * Deviation ({@link TcpConfig#rackRecoveryProbe()}; RFC 8985 §7.2 and Linux probe only outside
     * recovery): in fast recovery a probe stands in for the RTO when retransmissions are out,
     * nothing deemed lost waits to be resent and no data is left to send. Then nothing sent after
     * those retransmissions can be delivered, so RACK cannot find them lost; the probe, sent later
     * than all of them, can (its SACK makes each one older than RACK.rtt lost). One probe per
     * episode of silence: a probe out stops the next ({@link #probePending}).
     */
    private boolean recoveryTailProbe() {
        Tcb t = tcb;
        return cfg.rackRecoveryProbe() && flight != null && flight.retransOutRecords() > 0
                && SeqNum.diff(t.sndBufEnd, t.sndNxt) == 0 && nextToResend() < 0;
    }

    /** RFC 8985 §7.2: new data went out; the probe timeout restarts from now. */
    @Override
    public void onNewDataSent(long nowNs) {
        if (mode == TimerMode.PROBE || (mode == TimerMode.RTO && probeTimeout() > 0)) {
            armRetransmitTimer(nowNs);
        }
    }

    @Override
    public boolean onTimer(long nowNs) {
        switch (mode) {
            case PROBE -> {
                mode = TimerMode.RTO;
                sendProbe(nowNs);
                sender.armRetransmit(nowNs);
                return true;
            }
            case REORDER -> {
                // RFC 8985 §6.2: the reordering window of a waiting segment has passed.
                reorderDeadlineNs = 0;
                mode = TimerMode.RTO;
                long timeout = rack.detectLoss(flight, nowNs);
                reorderDeadlineNs = timeout > 0 ? nowNs + timeout : 0;
                resendFrom = tcb.sndUna;
                if (!inRecovery && !inLoss && flight.lostBytes() > 0) {
                    enterRecovery(nowNs);
                    prr.onAck(0, flight.pipe(), tcb.effMss, cfg.linuxRecovery(), false);
                }
                sender.output(nowNs, this);
                armRetransmitTimer(nowNs);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** RFC 8985 §7.3: one segment of new data if the window allows, else the last segment again. */
    private void sendProbe(long nowNs) {
        Tcb t = tcb;
        int unsent = SeqNum.diff(t.sndBufEnd, t.sndNxt);
        int room = SeqNum.diff(t.sndUna + t.sndWnd, t.sndNxt);
        probesSent++;
        if (unsent > 0 && room > 0) {
            int len = Math.min(sender.sendMss(), Math.min(unsent, room));
            sender.sendData(nowNs, t.sndNxt, len, false, len == unsent);
            t.sndNxt += len;
            t.sndMax = SeqNum.max(t.sndMax, t.sndNxt);
            probeWasRetransmission = false;
        } else if (flight != null && !flight.isEmpty()) {
            int p = flight.size() - 1;
            while (p > 0 && flight.has(p, Flight.SACKED)) {
                p--;
            }
            if (flight.has(p, Flight.SACKED)) {
                return;
            }
            resend(nowNs, p, "tail loss probe");
            probeWasRetransmission = true;
        } else {
            return;
        }
        probePending = true;
        probeEnd = t.sndNxt;
    }

    private void cancelProbe() {
        probePending = false;
        if (mode == TimerMode.PROBE) {
            mode = TimerMode.RTO;
        }
    }

    @Override
    public boolean keepsSndNxtOnTimeout() {
        return true;
    }

    /**
     * A retransmission timeout (RFC 8985 §6.3, RFC 5681 §3.1): the window falls to one segment (once
     * per episode: backed-off timeouts do not lower ssthresh again), the SACK scoreboard is kept,
     * the first segment and those RACK already deems lost are marked lost, and the first is resent.
     */
    @Override
    public void onRetransmitTimeout(long nowNs) {
        Tcb t = tcb;
        timeoutCount++;
        cancelProbe();
        reorderDeadlineNs = 0;
        mode = TimerMode.RTO;
        // A Loss state a path MTU drop began took no congestion response: its first timeout does (as
        // Linux's tcp_enter_loss, icsk_retransmits still 0).
        boolean firstOfEpisode = !inLoss || mtuLoss;
        mtuLoss = false;
        // F-RTO step 1 (RFC 5682 §3.1, §3.2): not for a timeout during a recovery, unless it recurs on the
        // same SND.UNA (the connection counted this timeout already).
        frto.onTimeout(inRecovery || inLoss, t.retransmits > 1);
        if (firstOfEpisode) {
            undoCwnd = t.cc.cwnd();
            undoSsthresh = t.cc.ssthresh();
            undoPending = t.tsOk && !inRecovery;
            undoTsVal = t.tsNow(nowNs);
            t.cc.onRetransmitTimeout(t.flightSize(), t.effMss);
        } else {
            undoPending = false;
            t.cc.setCwnd(t.effMss);
        }
        sender.windowReduced();
        inRecovery = false;
        inLoss = true;
        recover = t.sndMax;
        if (flight == null || flight.isEmpty()) {
            return;
        }
        rack.markLossesOnRto(flight, nowNs);
        resendFrom = t.sndUna;
        int p = nextToResend();
        if (p >= 0 && t.sndWnd > 0) {
            resend(nowNs, p, "retransmission (RTO)");
        }
    }

    // =================================================================================================
    // Figures
    // =================================================================================================

    @Override
    public int limitedTransmitBytes() {
        return 0;
    }

    @Override
    public int inFlight() {
        return flight == null ? SeqNum.diff(tcb.sndNxt, tcb.sndUna) : flight.pipe();
    }

    @Override
    public int duplicateAcks() {
        return dupAcksTotal;
    }

    @Override
    public long timeouts() {
        return timeoutCount;
    }

    @Override
    public long spuriousRetransmissions() {
        return spuriousCount;
    }

    @Override
    public int sackedSegments() {
        return countFlight(Flight.SACKED, Flight.SACKED);
    }

    @Override
    public int lostSegments() {
        return countFlight(Flight.LOST | Flight.SACKED, Flight.LOST);
    }

    @Override
    public int retransmittedOutSegments() {
        return countFlight(Flight.RETRANS_OUT | Flight.SACKED, Flight.RETRANS_OUT);
    }

    @Override
    public int reordering() {
        return reordering == null ? cfg.dupAckThreshold() : reordering.degree();
    }

    @Override
    public long reorderingSeen() {
        return reordering == null ? 0 : reordering.seen();
    }

    /**
     * Linux's tcp_try_to_open: Disorder while anything in flight is SACKed, lost or was ever resent
     * (its tcp_left_out and tcp_any_retrans_done), else Open.
     */
    @Override
    public int caState() {
        if (inLoss) {
            return CA_LOSS;
        }
        if (inRecovery) {
            return CA_RECOVERY;
        }
        Flight f = flight;
        return f != null && !f.isEmpty() && (f.sackedBytes() > 0 || f.lostBytes() > 0
                || countFlight(Flight.RETRANSMITTED, Flight.RETRANSMITTED) > 0) ? CA_DISORDER : CA_OPEN;
    }

    /** Records in flight whose flags under {@code mask} are {@code value} (STATUS only). */
    private int countFlight(int mask, int value) {
        Flight f = flight;
        int n = 0;
        for (int p = 0; f != null && p < f.size(); p++) {
            n += (f.flags(p) & mask) == value ? 1 : 0;
        }
        return n;
    }

    long probesSent() {
        return probesSent;
    }

    /** Timeouts that F-RTO found spurious. */
    long spuriousTimeouts() {
        return frto.spuriousTimeouts();
    }
}
