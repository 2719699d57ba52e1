package dev.jtcp.tcp;

import static dev.jtcp.event.TcpState.CLOSE_WAIT;
import static dev.jtcp.event.TcpState.ESTABLISHED;

import dev.jtcp.event.TimerKind;
import dev.jtcp.wire.SeqNum;

/**
 * Tail loss probes, the TLP half of RFC 8985 (§7): when the last segments of a flight are lost, no
 * duplicate ACKs come to trigger fast retransmit, and the sender would wait for the RTO. Instead,
 * a probe timeout (PTO) shorter than the RTO sends one segment, new data or the last segment
 * again; the SACK of the probe then shows what is missing below it, and SACK recovery repairs it.
 *
 * <p>The probe shares the retransmission timer ({@link TimerKind#RETRANSMISSION}): while {@link
 * #isArmed()}, its expiry means "probe", not "retransmit". Probing needs SACK and an RTT sample.
 *
 * <p>Not thread-safe: driven by the one thread that runs its host.
 */
final class TailLossProbe {
    /** RFC 8985 §7.2: the PTO is never below 10 ms. */
    private static final long MIN_PTO_NS = 10_000_000L;
    /** RFC 8985 §7.2: with one segment in flight, allow for the peer's delayed ACK (WCDelAckT = 200 ms). */
    private static final long WORST_CASE_DELAYED_ACK_NS = 200_000_000L;

    private final Tcb tcb;
    private final TimerSet timers;
    private final RttEstimator rtt;
    private final Sender sender;
    /** The retransmission timer currently stands for a probe timeout, not an RTO. */
    private boolean probeArmed;
    /** A probe is out and not yet acknowledged; {@link #probeSeq} is where it starts. */
    private boolean probePending;
    /** The first sequence number of the outstanding probe; meaningful only while {@link #probePending}. */
    private int probeSeq;

    TailLossProbe(Tcb tcb, TimerSet timers, RttEstimator rtt, Sender sender) {
        this.tcb = tcb;
        this.timers = timers;
        this.rtt = rtt;
        this.sender = sender;
    }

    /** The retransmission timer's expiry is a probe timeout. */
    boolean isArmed() {
        return probeArmed;
    }

    /**
     * RFC 8985 §7.2: while data is in flight outside recovery, wait first for a probe timeout (PTO
     * = 2 × SRTT, at least 10 ms, plus a worst-case delayed ACK when a single segment is out); if no
     * ACK comes, {@link #onProbeTimeout} turns a tail loss that would wait for the RTO into one the
     * SACK of the probe reveals. The RTO applies when the PTO would not come first.
     */
    void armRetransmitOrProbe(long nowNs, boolean inRecovery) {
        Tcb t = tcb;
        boolean dataState = t.state == ESTABLISHED || t.state == CLOSE_WAIT;
        if (dataState && t.sackOk && !inRecovery && !probePending && t.retransmits == 0 && rtt.hasSample()) {
            long pto = Math.max(2 * rtt.srttNs(), MIN_PTO_NS);
            if (t.flightSize() <= t.effMss) {
                pto += WORST_CASE_DELAYED_ACK_NS;
            }
            if (pto < rtt.rtoNs()) {
                probeArmed = true;
                timers.arm(nowNs, TimerKind.RETRANSMISSION, nowNs + pto);
                return;
            }
        }
        probeArmed = false;
        sender.armRetransmit(nowNs);
    }

    /** The probe timeout expired: send the probe, then wait for the RTO. */
    void onProbeTimeout(long nowNs) {
        probeArmed = false;
        sendProbe(nowNs);
        sender.armRetransmit(nowNs);
    }

    /** RFC 8985 §7.3: one segment of new data if the window allows, else the last segment again. */
    private void sendProbe(long nowNs) {
        Tcb t = tcb;
        probePending = true;
        int unsent = SeqNum.diff(t.sndBufEnd, t.sndNxt);
        int room = SeqNum.diff(t.sndUna + t.sndWnd, t.sndNxt);
        if (unsent > 0 && room > 0 && t.sndNxt == t.sndMax) {
            int len = Math.min(t.effMss, Math.min(unsent, room));
            probeSeq = t.sndNxt;
            sender.sendData(nowNs, t.sndNxt, len, false, len == unsent);
            t.sndNxt += len;
            t.sndMax = SeqNum.max(t.sndMax, t.sndNxt);
            return;
        }
        int dataEnd = SeqNum.min(t.sndBufEnd, t.sndMax);
        int len = Math.min(t.effMss, SeqNum.diff(dataEnd, t.sndUna));
        if (len <= 0) {
            probePending = false;
            return;
        }
        probeSeq = dataEnd - len;
        sender.resend(nowNs, probeSeq, len, "tail loss probe");
    }

    /** The peer SACKed our probe while data below it is still missing: that data is lost. */
    boolean revealsLoss(SackScoreboard sacked) {
        return probePending && SeqNum.lt(tcb.sndUna, probeSeq) && sacked.isSacked(probeSeq);
    }

    /** SND.UNA advanced: an acknowledged probe is no longer outstanding. */
    void onAck() {
        if (probePending && SeqNum.gt(tcb.sndUna, probeSeq)) {
            probePending = false;
        }
    }

    /** Everything is acknowledged: the retransmission timer is off, so no probe is armed. */
    void onAllAcked() {
        probeArmed = false;
    }

    /** Recovery or a retransmission timeout takes over: no probe is armed or outstanding. */
    void cancel() {
        probePending = false;
        probeArmed = false;
    }

    /** A retransmission timeout: an outstanding probe no longer counts. */
    void onRetransmitTimeout() {
        probePending = false;
    }
}
