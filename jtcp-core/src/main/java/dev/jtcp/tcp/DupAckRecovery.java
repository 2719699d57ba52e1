package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpSegment;

/**
 * Loss recovery triggered by duplicate ACKs: RFC 5681 §3.2 fast retransmit and fast recovery with
 * RFC 6582 NewReno partial ACKs when the peer does not SACK, RFC 6675 SACK-based recovery over the
 * {@link SackScoreboard} when it does; RFC 3042 Limited Transmit before the threshold; and the
 * Eifel undo of a spurious fast retransmit (RFC 3522 detection, RFC 4015 response). A tail loss
 * whose SACK shows the loss ({@link TailLossProbe}) starts recovery too.
 *
 * <p>Read first: RFC 5681 §2 (the definition of a duplicate ACK) and §3.2, RFC 6582 §3.2, RFC 6675
 * §4–§5.
 *
 * <p>Not thread-safe: driven by the one thread that runs its host.
 */
final class DupAckRecovery implements LossRecovery {
    private final TcpConfig cfg;
    private final Tcb tcb;
    private final Sender sender;
    private final TailLossProbe tlp;
    private final RttEstimator rtt;
    /** What the peer has selectively acknowledged (RFC 6675), when SACK is in use. */
    private final SackScoreboard sacked = new SackScoreboard();

    /** Consecutive duplicate ACKs (RFC 5681 §2); 0 after any ACK of new data or a timeout. */
    private int dupAcks;
    /** Duplicate ACKs received over the connection's life. */
    private int dupAcksTotal;
    /** RFC 3042 Limited Transmit: bytes beyond cwnd allowed by the first duplicate ACKs; 0 in recovery. */
    private int limitedTransmit;
    /** Fast recovery is in progress: from the fast retransmit until SND.UNA passes {@link #recover}. */
    private boolean inRecovery;
    /** RFC 6582 "recover": SND.MAX when fast recovery began (ISS before the first). */
    private int recover;
    /** Recovery is driven by the SACK scoreboard (RFC 6675), not NewReno's partial ACKs; implies {@link #inRecovery}. */
    private boolean sackRecovery;
    /** RFC 6675 HighRxt: the highest sequence number retransmitted in this SACK recovery. */
    private int highRxt;
    /**
     * SND.MAX when the current round of hole retransmissions began: data SACKed beyond it was sent
     * after those retransmissions, so if enough of it arrives while a retransmitted hole is still
     * missing, the retransmission itself was lost (the idea of RACK, RFC 8985, in sequence terms).
     */
    private int rxtRoundMark;
    /**
     * Eifel detection (RFC 3522): the TSval our fast retransmit carried, and the window before the
     * reduction, kept until the first ACK of new data tells whether the retransmission was needed.
     */
    private boolean eifelPending;
    private int eifelTsVal;
    private int undoCwnd;
    private int undoSsthresh;
    /** Fast retransmits that Eifel found spurious. */
    private long spuriousRetransmits;
    /** Retransmission timeouts so far. */
    private long timeoutCount;
    /**
     * A path MTU drop sent SND.NXT back to SND.UNA ({@link #onPathMtuLowered}): until it reaches
     * {@link #mtuResendEnd} (SND.MAX then), the old data goes again at the new size, one segment at a
     * time as the window allows.
     */
    private boolean mtuResending;
    private int mtuResendEnd;
    /** What each ACK of new data tells the congestion controller (reused). */
    private final AckSample sample = new AckSample();

    DupAckRecovery(TcpConfig cfg, Tcb tcb, Sender sender, TailLossProbe tlp, RttEstimator rtt) {
        this.cfg = cfg;
        this.tcb = tcb;
        this.sender = sender;
        this.tlp = tlp;
        this.rtt = rtt;
    }

    @Override
    public void start() {
        // RFC 6582 §3.2 step 1: "recover" starts at the ISS, so the first fast retransmit is allowed
        // whatever half of the sequence space the ISS lies in.
        recover = tcb.iss;
    }

    @Override
    public void onSackBlocks(TcpSegment ack) {
        sacked.update(ack.options, SeqNum.max(ack.ack, tcb.sndUna), tcb.sndMax);
    }

    @Override
    public void onNewAck(long nowNs, TcpSegment seg, int acked, int dataAcked, boolean synAcked) {
        Tcb t = tcb;
        int ack = seg.ack;
        sacked.advance(t.sndUna);
        // Congestion control and NewReno recovery (RFC 5681 §3, RFC 6582 §3.2).
        int smss = t.effMss;
        if (eifelPending && inRecovery) {
            eifelPending = false;
            if (seg.options.hasTimestamps && SeqNum.lt(seg.options.tsEcr, eifelTsVal)) {
                // RFC 3522 §3.2: the ACK echoes a timestamp older than the retransmission's, so the
                // original arrived: the loss was a reordering. RFC 4015 §3: restore the window and
                // leave recovery; the retransmitted data is simply acknowledged twice.
                spuriousRetransmits++;
                inRecovery = false;
                sackRecovery = false;
                t.cc.undo(undoCwnd, undoSsthresh);
            }
        }
        if (inRecovery) {
            if (SeqNum.ge(ack, recover)) {
                inRecovery = false;
                sackRecovery = false;
                t.cc.onRecoveryEnd(t.flightSize(), smss);
            } else if (!sackRecovery) {
                t.cc.onPartialAck(acked, smss);
                sender.retransmitHead(nowNs, "retransmission (partial ACK)");
            }
            // In SACK recovery a partial ACK changes no window (RFC 6675 §5 step (C)): the send loop
            // run after this segment fills cwnd − pipe with holes and new data.
        } else if (!synAcked) {
            AckSample a = sample;
            a.reset(nowNs, ack, smss);
            a.sndNxt = t.sndNxt;
            a.deliveredBytes = dataAcked;
            if (cfg.linuxRecovery() && !t.sackOk && dupAcks > 0) {
                // Linux counts each duplicate ACK as one segment delivered (tcp_add_reno_sack), so the
                // ACK that ends them delivers the rest, and at least one segment (tcp_remove_reno_sacks).
                a.deliveredBytes = Math.max(dataAcked - dupAcks * smss, Math.min(dataAcked, smss));
            }
            a.rttNs = rtt.takeLatest();
            a.srttNs = rtt.srttNs();
            a.minRttNs = rtt.minRttNs();
            a.inFlight = t.flightSize();
            a.cwndLimited = !cfg.cwndValidation() || t.cwndUse.isCwndLimited(t.cc.cwnd(), t.cc.ssthresh());
            t.cc.onAck(a);
        }
        dupAcks = 0;
        limitedTransmit = 0;
    }

    /** RFC 5681 §2's definition of a duplicate ACK, then fast retransmit and recovery. */
    @Override
    public void onPossibleDuplicateAck(long nowNs, TcpSegment seg) {
        Tcb t = tcb;
        // Not while the offered window is zero: the ACKs that answer zero-window probes (RFC 9293
        // §3.8.6.1) match the definition but signal no loss, and fast retransmit would then send a
        // full segment into a closed window.
        boolean duplicate = seg.payloadLength == 0 && !seg.isSyn() && !seg.isFin()
                && SeqNum.lt(t.sndUna, t.sndMax) && t.scaledWindow(seg) == t.sndWnd && t.sndWnd > 0;
        if (!duplicate) {
            return;
        }
        dupAcksTotal++;
        dupAcks++;
        int smss = t.effMss;
        if (inRecovery) {
            if (!sackRecovery) {
                t.cc.onDupAckInRecovery(smss);
            }
            return;
        }
        // RFC 6675 §5: with SACK, recovery also starts as soon as the scoreboard shows SND.UNA lost.
        boolean lost = t.sackOk && !sacked.isEmpty()
                && (SeqNum.lt(t.sndUna, sacked.lostBoundary(t.sndUna, smss, cfg.dupAckThreshold()))
                        || tlp.revealsLoss(sacked));
        if (dupAcks < cfg.dupAckThreshold() && !lost) {
            // RFC 3042: each of the first DupThresh − 1 duplicate ACKs lets one new segment go beyond
            // cwnd, so a small window still gathers enough duplicate ACKs for fast retransmit.
            limitedTransmit = dupAcks * smss;
        }
        if ((dupAcks == cfg.dupAckThreshold() || lost) && SeqNum.gt(seg.ack, recover - 1)) {
            limitedTransmit = 0;
            tlp.cancel();
            // RFC 6582 §3.2 step 2: enter fast recovery only if the ACK covers more than "recover".
            inRecovery = true;
            recover = t.sndMax;
            rtt.cancelTiming();
            // Eifel (RFC 3522): remember what to restore should this retransmit prove spurious.
            eifelPending = t.tsOk;
            eifelTsVal = t.tsNow(nowNs);
            undoCwnd = t.cc.cwnd();
            undoSsthresh = t.cc.ssthresh();
            if (t.sackOk && !sacked.isEmpty()) {
                // RFC 6675 §5 step (4): cwnd = ssthresh (no inflation); the send loop retransmits the
                // first lost hole, then whatever cwnd − pipe allows.
                sackRecovery = true;
                highRxt = t.sndUna;
                rxtRoundMark = t.sndMax;
                t.cc.onFastRetransmit(t.flightSize(), smss, 0);
                sender.windowReduced();
                // Step (4.3): the first segment presumed lost goes out at once, whatever the pipe.
                int dataEnd = SeqNum.min(t.sndBufEnd, t.sndMax);
                if (SeqNum.lt(t.sndUna, dataEnd)) {
                    highRxt = sender.retransmitRange(nowNs, t.sndUna, sacked.holeEnd(t.sndUna, dataEnd),
                            "fast retransmit (SACK)");
                }
            } else {
                t.cc.onFastRetransmit(t.flightSize(), smss, dupAcks);
                sender.windowReduced();
                sender.retransmitHead(nowNs, "fast retransmit");
            }
            sender.armRetransmit(nowNs);
        }
    }

    @Override
    public void onRetransmitTimeout(long nowNs) {
        timeoutCount++;
        inRecovery = false;
        eifelPending = false;
        // RFC 2018 §8: after a timeout, prior SACK information no longer steers retransmission;
        // the peer's next ACKs rebuild it.
        sackRecovery = false;
        sacked.clear();
        recover = tcb.sndMax;
        dupAcks = 0;
        mtuResending = false;
    }

    @Override
    public boolean isInRecovery() {
        return inRecovery;
    }

    /**
     * Linux's {@code tcp_simple_retransmit} without per-segment records: everything in flight is
     * deemed lost (all but a short tail was cut to the old segment size) and SND.NXT goes back to
     * SND.UNA, as after a timeout but without its congestion response; {@link #sendNext} resends it at
     * the new size. A recovery in progress ends (Linux enters its Loss state); the SACK scoreboard is
     * void as after a timeout (RFC 2018 §8).
     */
    @Override
    public void onPathMtuLowered(long nowNs, int oldMss, int newMss) {
        Tcb t = tcb;
        if (t.sndUna == t.sndMax) {
            return;
        }
        LossRecovery.keepSegmentCount(t, oldMss, newMss);
        rtt.cancelTiming();
        tlp.cancel();
        inRecovery = false;
        sackRecovery = false;
        eifelPending = false;
        sacked.clear();
        dupAcks = 0;
        limitedTransmit = 0;
        recover = t.sndMax;
        mtuResending = true;
        mtuResendEnd = t.sndMax;
        t.sndNxt = t.sndUna;
    }

    /** The resends {@link #onPathMtuLowered} owes, while cwnd − in flight has room; whether any went. */
    private boolean resendAtNewSize(long nowNs) {
        Tcb t = tcb;
        boolean sentAny = false;
        while (SeqNum.lt(t.sndNxt, mtuResendEnd)) {
            if (t.cc.cwnd() - inFlight() <= 0 || sender.pacingHolds(nowNs, t.effMss)) {
                return sentAny;
            }
            int end = SeqNum.min(t.sndNxt + Math.max(sender.sendMss(), 1), mtuResendEnd);
            if (t.finQueued && end == t.finSeq && mtuResendEnd == t.finSeq + 1) {
                end++; // the FIN rides on the last piece, as it did before
            }
            sender.resendRange(nowNs, t.sndNxt, end, "retransmission (path MTU)");
            t.sndNxt = end;
            sentAny = true;
        }
        mtuResending = false;
        return sentAny;
    }

    @Override
    public boolean drivesOutput() {
        if (mtuResending && SeqNum.ge(tcb.sndNxt, mtuResendEnd)) {
            mtuResending = false; // ACKs passed what was owed
        }
        return sackRecovery || mtuResending;
    }

    /**
     * RFC 6675 §5 step (C): while cwnd − pipe ≥ SMSS, send NextSeg(): the first lost hole not yet
     * retransmitted (rule 1), else new data (rule 2), else the first un-SACKed hole below the highest
     * SACK not yet retransmitted (rule 3).
     */
    @Override
    public boolean sendNext(long nowNs) {
        if (mtuResending) {
            return resendAtNewSize(nowNs);
        }
        Tcb t = tcb;
        boolean sentAny = false;
        int smss = t.effMss;
        int dataEnd = SeqNum.min(t.sndBufEnd, t.sndMax);
        if (SeqNum.lt(t.sndUna, highRxt) && SeqNum.diff(sacked.highestSacked(t.sndUna), rxtRoundMark)
                > cfg.dupAckThreshold() * smss) {
            // Data sent after our retransmissions is arriving but a retransmitted hole is still
            // missing: the retransmission was lost too. Start another round from SND.UNA rather than
            // waiting for the retransmission timer.
            highRxt = t.sndUna;
            rxtRoundMark = t.sndMax;
        }
        while (true) {
            int boundary = sacked.lostBoundary(t.sndUna, smss, cfg.dupAckThreshold());
            int pipe = sacked.pipe(t.sndUna, t.sndMax, boundary, highRxt);
            if (t.cc.cwnd() - pipe < smss) {
                break;
            }
            int from = SeqNum.max(highRxt, t.sndUna);
            int lostLimit = SeqNum.min(boundary, dataEnd);
            int hole = sacked.nextHole(from, lostLimit);
            if (SeqNum.lt(hole, lostLimit)) {
                highRxt = sender.retransmitRange(nowNs, hole, sacked.holeEnd(hole, dataEnd),
                        "retransmission (SACK: lost)");
                sentAny = true;
                continue;
            }
            // NextSeg rule 2: one segment of new data, if the peer's window has room.
            if (sender.sendNew(nowNs)) {
                sentAny = true;
                continue;
            }
            int sackedLimit = SeqNum.min(sacked.highestSacked(t.sndUna), dataEnd);
            hole = sacked.nextHole(from, sackedLimit);
            if (SeqNum.lt(hole, sackedLimit)) {
                highRxt = sender.retransmitRange(nowNs, hole, sacked.holeEnd(hole, dataEnd), "retransmission (SACK)");
                sentAny = true;
                continue;
            }
            break;
        }
        return sentAny;
    }

    @Override
    public int limitedTransmitBytes() {
        return limitedTransmit;
    }

    @Override
    public void armRetransmitTimer(long nowNs) {
        tlp.armRetransmitOrProbe(nowNs, inRecovery);
    }

    @Override
    public int duplicateAcks() {
        return dupAcksTotal;
    }

    @Override
    public int inFlight() {
        return SeqNum.diff(tcb.sndNxt, tcb.sndUna);
    }

    @Override
    public boolean onTimer(long nowNs) {
        if (tlp.isArmed()) {
            // RFC 8985 §7.3: the timer stood for a probe timeout.
            tlp.onProbeTimeout(nowNs);
            return true;
        }
        return false;
    }

    @Override
    public long timeouts() {
        return timeoutCount;
    }

    @Override
    public int reordering() {
        return cfg.dupAckThreshold();
    }

    /** Recovery, Disorder while duplicate ACKs or SACKs are counted towards the threshold, else Open. */
    @Override
    public int caState() {
        if (inRecovery) {
            return CA_RECOVERY;
        }
        return dupAcks > 0 || (tcb.sackOk && !sacked.isEmpty()) ? CA_DISORDER : CA_OPEN;
    }

    @Override
    public long spuriousRetransmissions() {
        return spuriousRetransmits;
    }
}
