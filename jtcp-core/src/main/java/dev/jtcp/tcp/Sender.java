package dev.jtcp.tcp;

import static dev.jtcp.event.TcpState.CLOSED;
import static dev.jtcp.event.TcpState.LISTEN;
import static dev.jtcp.event.TcpState.SYN_RECEIVED;
import static dev.jtcp.event.TcpState.SYN_SENT;
import static dev.jtcp.event.TcpState.TIME_WAIT;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TimerKind;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpOptions;
import dev.jtcp.wire.TcpSegment;

/**
 * What leaves the connection, and when: the send loop (RFC 9293 §3.7.4 Nagle, §3.8.6.2.1 sender
 * SWS avoidance, RFC 5681 windows), the segments themselves (data, SYN, ACK, RST, challenge ACK,
 * zero-window and keep-alive probes) built in one reused {@link TcpSegment}, the window we
 * advertise (§3.8.6.2.2 receiver SWS avoidance, SHLD-14), the delayed-ACK policy (§3.8.6.3) and the
 * retransmission and persist timers' arming (RFC 6298 §5.1, §3.8.6.1).
 *
 * <p>Read first: RFC 9293 §3.7 and §3.8.6, RFC 6298 §5, RFC 3168 §6.1 (the ECN bits of outgoing
 * segments). Decisions about loss belong to {@link LossRecovery}, which the send loop consults and
 * which sends through this class.
 *
 * <p>Not thread-safe: driven by the one thread that runs its host.
 */
final class Sender {
    private static final int MAX_WINDOW = SynOptions.MAX_WINDOW;
    /** The ECN field: the low two bits of the TOS / traffic-class octet (RFC 3168 §5). */
    static final int ECN_MASK = 0b11;
    private static final int ECN_ECT0 = 0b10;
    /** The most TCP payload in one IPv4 packet of 65,535 bytes with the longest TCP header. */
    private static final int GSO_MAX_PAYLOAD = 65535 - 20 - 60;

    private final TcpContext ctx;
    private final TcpConfig cfg;
    private final ConnectionKey key;
    private final Tcb tcb;
    private final TimerSet timers;
    private final ConnectionOptions options;
    private final RttEstimator rtt;
    /** The reusable outgoing segment: filled by {@link #prepare}, handed to the host, reused. */
    private final TcpSegment out = new TcpSegment();
    /** Told of every data segment sent (RACK's per-segment record), or null when nothing listens. */
    private TransmitLog log;
    /** Spaces data segments when the congestion controller asks for pacing (BBR); null until it does. */
    private Pacer pacer;
    /** {@link LossRecovery#duplicateAcks()} at the last send loop ({@link TcpConfig#pushEachBurst()}). */
    private int dupAcksSeen;
    /** When this connection last sent a challenge ACK or an ACK for an invalid segment; MIN_VALUE: never. */
    private long lastOutOfWindowAckNs = Long.MIN_VALUE;
    /** Such ACKs skipped by {@link #outOfWindowRateLimited}. */
    long outOfWindowAcksSkipped;

    // ---- acknowledgment policy (RFC 9293 §3.8.6.3) ----
    /** An ACK is owed now: the next {@link #output} sends one if no data segment carries it. */
    boolean ackNow;
    /** When to acknowledge received text: delayed ACKs, quick-ACK and interactive modes. */
    final DelayedAckPolicy ackPolicy;

    // ---- timing and probes ----
    /** When data (not a bare ACK) was last sent; RFC 5681 §4.1 idle restart counts from here. */
    private long lastDataSendNs;
    /** Zero-window probes sent since the window closed; the persist interval doubles with each (SHLD-29). */
    private int persistBackoff;
    /**
     * The end of the last short segment (less than the MSS) the send loop sent, Linux's {@code
     * snd_sml}: with {@link TcpConfig#minshallNagle()}, Nagle holds a short piece only while it is
     * unacknowledged. Starts at ISS, which is never above SND.UNA.
     */
    private int shortEnd;
    /** Set while {@link #sendHeld} runs the send loop: a corked piece goes, with PSH. */
    private boolean wakeup;
    /** When the last zero-window probe left: an ACK since then means the peer answers its probes. */
    long lastProbeNs;

    // ---- ECN, the sender's side (RFC 3168 §6.1.2) ----
    /** The next new data segment carries CWR, telling the peer we reduced. */
    private boolean cwrPending;
    /** SND.MAX at the last window reduction: ECN-Echo for data sent before it draws no second one. */
    int ecnRecover;

    // ---- counters ----
    long segmentsSent;
    /** New payload bytes sent (retransmissions not counted). */
    long bytesSent;
    /** Segments sent again: data, SYN, SYN,ACK and probes of old data. */
    long retransmissionsTotal;

    /** Linux's busy, window-limited and buffer-limited time (TCP_INFO), updated per send loop and write. */
    final SendChrono chrono = new SendChrono();

    /** Record ends from MSG_EOR: no segment spans one. */
    final RecordBoundaries records = new RecordBoundaries();

    Sender(TcpContext ctx, ConnectionKey key, Tcb tcb, TimerSet timers, ConnectionOptions options, RttEstimator rtt) {
        this.ctx = ctx;
        this.cfg = ctx.config();
        this.key = key;
        this.tcb = tcb;
        this.timers = timers;
        this.options = options;
        this.rtt = rtt;
        this.ackPolicy = new DelayedAckPolicy(cfg, tcb, timers, options, rtt);
    }

    /** The send sequence starts at ISS (OPEN, or a SYN handed over by a listener). */
    void start() {
        ecnRecover = tcb.iss;
        shortEnd = tcb.iss;
    }

    // =================================================================================================
    // The send loop
    // =================================================================================================

    /** Receives every data segment's sequence range as it leaves: new data, or a retransmission. */
    interface TransmitLog {
        /** {@code [seq, end)} left at {@code nowNs} ({@code end} counts a FIN); a retransmission if below SND.MAX. */
        void onSent(long nowNs, int seq, int end, boolean retransmission);
    }

    void transmitLog(TransmitLog log) {
        this.log = log;
    }

    /**
     * Whether pacing holds back a data segment of {@code len} bytes now (draft-ietf-ccwg-bbr
     * §4.6.2: segments leave at the controller's pacing rate, in bursts of its send quantum); if so,
     * the PACING timer is armed for when it may leave. Controllers that do not pace (rate 0) never hold.
     */
    boolean pacingHolds(long nowNs, int len) {
        long rate = tcb.cc == null ? 0 : tcb.cc.pacingRateBytesPerSec();
        if (rate <= 0) {
            return false;
        }
        if (pacer == null) {
            pacer = new Pacer();
        }
        pacer.setRate(rate, tcb.cc.sendQuantum(tcb.effMss));
        if (pacer.canSend(nowNs, len)) {
            return false;
        }
        if (!timers.isArmed(TimerKind.PACING)) {
            timers.arm(nowNs, TimerKind.PACING, pacer.nextSendNs(nowNs, len));
        }
        return true;
    }

    /** A data segment of {@code len} bytes left: the pacer's clock advances (retransmissions count too). */
    private void paced(long nowNs, int len) {
        if (pacer != null && len > 0) {
            pacer.onSend(nowNs, len);
        }
    }

    /**
     * Sends whatever the windows, Nagle and SWS avoidance allow: data from SND.NXT, then the FIN,
     * or what loss recovery chooses while it drives; or a bare ACK if one is owed. Called after every
     * event that may have made sending possible.
     */
    void output(long nowNs, LossRecovery recovery) {
        var state = tcb.state;
        if (state == CLOSED || state == TIME_WAIT) {
            return;
        }
        boolean sent = false;
        if (state != SYN_SENT && (state != SYN_RECEIVED || tcb.fastOpenChild) && state != LISTEN) {
            sent = recovery.drivesOutput() ? recovery.sendNext(nowNs) : outputData(nowNs, recovery);
            if (cfg.cwndValidation() && tcb.cc != null) {
                noteCwndUse(sent, recovery);
            }
        }
        options.pushOnce = false;
        if (!sent && ackNow && state != SYN_SENT && state != LISTEN) {
            sendAck(nowNs, null);
        }
    }

    /**
     * Linux's {@code tcp_cwnd_validate} after a send loop that sent something or was stopped by the
     * window ({@link CwndUse}): cwnd-limited when less than a segment of it is left.
     */
    private void noteCwndUse(boolean sent, LossRecovery recovery) {
        Tcb t = tcb;
        boolean limited = recovery.inFlight() + Math.max(t.effMss, 1) > t.cc.cwnd();
        if (sent || limited) {
            t.cwndUse.onSendLoop(t.sndUna, t.sndNxt, SeqNum.diff(t.sndNxt, t.sndUna), limited);
        }
    }

    private boolean outputData(long nowNs, LossRecovery recovery) {
        Tcb t = tcb;
        boolean sentAny = false;
        int sincePush = 0;
        // Whether this run answers a duplicate ACK (Limited Transmit, recovery): then no PSH per burst.
        int dupAcks = recovery.duplicateAcks();
        boolean afterDupAck = dupAcks != dupAcksSeen;
        dupAcksSeen = dupAcks;
        int segmentMax = segmentLimit();
        int mss = sendMss();
        while (true) {
            if (t.finQueued && SeqNum.gt(t.sndNxt, t.finSeq)) {
                break;
            }
            int inFlight = SeqNum.diff(t.sndNxt, t.sndUna);
            int unsent = SeqNum.diff(t.sndBufEnd, t.sndNxt);
            if (inFlight == 0 && unsent > 0 && nowNs - lastDataSendNs > rtt.rtoNs()
                    && (cfg.slowStartAfterIdle() || cfg.congestionControl() == TcpConfig.CongestionAlgorithm.BBR)) {
                // RFC 5681 §4.1: after an idle period longer than the RTO, restart from the initial window.
                t.cc.onIdleRestart(t.effMss, SynOptions.initialWindow(cfg, t));
            }
            // RFC 3042 Limited Transmit may let a segment go beyond cwnd. The peer's window bounds the
            // sequence space beyond SND.UNA; cwnd bounds what is in the network (the pipe, which SACKed
            // data has left).
            // A Fast Open server's unacknowledged SYN,ACK takes no room from its first flight, in the
            // congestion window or the peer's (Linux sends a full initial window of data).
            int synInFlight = t.fastOpenChild && t.sndUna == t.iss ? 1 : 0;
            int cwndRoom = t.cc.cwnd() + recovery.limitedTransmitBytes() - recovery.inFlight() + synInFlight;
            int usable = Math.min(t.sndWnd - inFlight + synInFlight, cwndRoom);
            int tsoBytes = tsoPacketBytes(recovery);
            int len = Math.min(unsent, Math.min(tsoBytes > 0 ? tsoBytes : segmentMax, Math.max(usable, 0)));
            if (!records.isEmpty()) {
                records.acknowledged(t.sndUna);
                len = records.cap(t.sndNxt, len);
            }
            // A piece cut short by a record end with more data after it goes as if pushed (Linux
            // holds only the last skb of the queue for Nagle).
            boolean recordEnd = len > 0 && len < unsent && records.endsAt(t.sndNxt + len);
            if (len > mss && !recordEnd) {
                // A super-packet of whole MSS pieces; a shorter rest goes on its own below, where
                // Nagle, SWS avoidance and the FIN treat it exactly as without offload.
                len -= len % mss;
            }
            // A lone FIN carries no data, so the congestion window (RFC 5681 §3.1: "the amount of data
            // a TCP can send") does not hold it back; the peer's window must still take its sequence
            // number. Linux does the same (tcp_cwnd_test exempts the final FIN).
            boolean loneFin = unsent == 0 && t.sndWnd - inFlight + synInFlight > 0;
            boolean fin = t.finQueued && len == unsent && (usable > len || loneFin);
            if (len == 0 && !fin) {
                break;
            }
            // A piece sent before (SND.NXT pulled back below SND.MAX) is sent again as it comes: Nagle
            // and SWS avoidance concern new data (Linux's retransmission queue skips them too).
            boolean resend = SeqNum.le(t.sndNxt + len, t.sndMax);
            if (len > 0 && len < mss && !fin && !recordEnd && !resend) {
                // Nagle (§3.7.4): hold the last small piece while data is unacknowledged, unless no-delay;
                // Minshall's variant (Linux, TcpConfig.minshallNagle): only while a short segment is.
                // Sender SWS (§3.8.6.2.1): a window-limited piece goes only if it is at least half the
                // largest window offered, or nothing is in flight to bring a window update (deviation:
                // the override timeout is zero then, as in Linux).
                boolean allQueued = len == unsent;
                // A Fast Open server's unacknowledged SYN is not data in flight (Linux sends at once).
                int dataInFlight = inFlight - synInFlight;
                // TCP_CORK and MSG_MORE (Linux) hold the last short piece whatever is in flight.
                boolean corked = (options.cork || options.moreThisSend) && !options.pushOnce && !wakeup;
                // Linux sends no piece the window cuts below a segment until its probe timer fires.
                boolean windowHeld = !allQueued && cfg.linuxWindowProbes() && !wakeup;
                boolean hold = allQueued ? corked || !options.noDelay && dataInFlight > 0 && nagleWaits()
                        : windowHeld || len < t.maxSndWnd / 2 && dataInFlight > 0;
                if (hold) {
                    if ((corked || windowHeld) && dataInFlight == 0 && !timers.isArmed(TimerKind.PERSIST)) {
                        // Linux: nothing in flight will bring an ACK, so its probe timer (one RTO,
                        // at least 200 ms) sends the corked piece (sendHeld).
                        armPersist(nowNs);
                    }
                    break;
                }
            }
            if (len > 0 && pacingHolds(nowNs, len)) {
                break;
            }
            boolean isNew = SeqNum.ge(t.sndNxt, t.sndMax);
            if (t.sndUna == t.sndMax) {
                t.streakStartNs = nowNs;
            }
            boolean push = (len == unsent && (wakeup || !(options.noPush && t.sndNxt + len == options.noPushEnd)))
                    || recordEnd;
            if (tsoBytes > 0 && len > t.effMss && !push) {
                // Linux 6.x sets PSH on every TSO packet of several segments it sends (TsoSizing),
                // unless the data was written with MSG_MORE (or under TCP_CORK), whose skbs carry no
                // PSH; a single segment cut from a larger skb carries none (limited transmit).
                push = !(options.noPush && SeqNum.ge(options.noPushEnd, t.sndNxt + len)) && !options.cork;
            } else if (!push && cfg.pushEachBurst()) {
                sincePush += len;
                push = !afterDupAck && (endsBurst(len, unsent, usable, recovery) || sincePush >= tsoSizeGoal());
                sincePush = push ? 0 : sincePush;
            }
            sendData(nowNs, t.sndNxt, len, fin, push);
            if (isNew) {
                noteShort(len, mss, fin);
            }
            if (isNew && !rtt.isTiming() && !t.tsOk) {
                // Karn (MUST-18): time one new segment at a time, never a retransmission.
                rtt.startTiming(t.sndNxt + len + (fin ? 1 : 0), nowNs);
            }
            t.sndNxt += len + (fin ? 1 : 0);
            t.sndMax = SeqNum.max(t.sndMax, t.sndNxt);
            if (!timers.isArmed(TimerKind.RETRANSMISSION)) {
                // RFC 6298 §5.1: start the timer when sending data if it is not running.
                recovery.armRetransmitTimer(nowNs);
            } else if (isNew) {
                recovery.onNewDataSent(nowNs);
            }
            if (t.sndWnd > 0) {
                // Linux: data in flight brings ACKs, so the probe timer for a corked piece stops.
                timers.disarm(nowNs, TimerKind.PERSIST);
            }
            sentAny = true;
        }
        boolean windowLimited = noteWindowLimited(nowNs, recovery);
        // Deviation from Linux (tcp_rate_check_app_limited looks only at the data waiting): a loop
        // the peer's window stopped marks the rate samples app-limited too, as a loop out of data
        // does, since what they measure then is the receiver's window, not the path. A Linux
        // receiver opens its window from 64 KB as data arrives in order; a loss at the left edge
        // holds it for a round trip, and BBR would otherwise end Startup on that plateau, at a few
        // MB/s, and climb back 25% per ProbeBW cycle.
        recovery.checkAppLimited(windowLimited ? 0 : SeqNum.diff(t.sndBufEnd, t.sndNxt));
        // §3.8.6.1: data waiting, window closed, nothing in flight to elicit an ACK: probe it.
        boolean waiting = SeqNum.lt(t.sndNxt, t.sndBufEnd) || (t.finQueued && SeqNum.le(t.sndNxt, t.finSeq));
        if (waiting && t.sndWnd == 0 && t.sndNxt == t.sndUna && !timers.isArmed(TimerKind.PERSIST)) {
            armPersist(nowNs);
        }
        return sentAny;
    }

    /**
     * Linux's {@code tcp_write_xmit} ends: the window-limited chronograph runs if the congestion
     * window had room but the peer's window had none for the next segment ({@code tcp_snd_wnd_test}),
     * else it stops. Returns whether it runs.
     */
    private boolean noteWindowLimited(long nowNs, LossRecovery recovery) {
        Tcb t = tcb;
        int unsent = SeqNum.diff(t.sndBufEnd, t.sndNxt);
        int mss = Math.max(t.effMss, 1);
        boolean cwndRoom = t.cc == null || recovery.inFlight() < t.cc.cwnd();
        int wndRoom = SeqNum.diff(t.sndUna + t.sndWnd, t.sndNxt);
        boolean queued = unsent > 0 || SeqNum.lt(t.sndUna, t.sndMax);
        if (unsent > 0 && cwndRoom && wndRoom < Math.min(unsent, mss)) {
            chrono.start(nowNs, SendChrono.RWND_LIMITED);
            return true;
        }
        chrono.stop(nowNs, SendChrono.RWND_LIMITED, queued);
        return false;
    }

    /**
     * Whether a segment of {@code len} of the {@code unsent} bytes, with {@code usable} bytes of
     * window, is the last this send loop can emit now ({@link TcpConfig#pushEachBurst()}): the next
     * piece would not fit the windows, or Nagle would hold it. With pacing the loop cannot tell, and
     * while duplicate ACKs arrive (Limited Transmit, recovery) Linux sends its segments without PSH.
     */
    private boolean endsBurst(int len, int unsent, int usable, LossRecovery recovery) {
        if (len == 0 || (tcb.cc != null && tcb.cc.pacingRateBytesPerSec() > 0) || recovery.isInRecovery()
                || recovery.limitedTransmitBytes() > 0) {
            return false;
        }
        int next = Math.min(unsent - len, tcb.effMss);
        return next > usable - len || (next < tcb.effMss && !options.noDelay && nagleWaits());
    }

    /**
     * Whether Nagle holds a short piece for the data in flight: always (RFC 9293 §3.7.4), or with
     * {@link TcpConfig#minshallNagle()} only while the last short segment sent is unacknowledged
     * (Linux's {@code tcp_minshall_check}: SND.UNA < snd_sml <= SND.NXT).
     */
    private boolean nagleWaits() {
        return !cfg.minshallNagle() || SeqNum.gt(shortEnd, tcb.sndUna) && SeqNum.le(shortEnd, tcb.sndNxt);
    }

    /**
     * A data segment of {@code len} bytes left from SND.NXT: if it was short (not whole segments of
     * {@code mss}, Linux's {@code tcp_minshall_update}), its end is the new {@link #shortEnd}.
     */
    private void noteShort(int len, int mss, boolean fin) {
        if (len % Math.max(mss, 1) != 0) {
            shortEnd = tcb.sndNxt + len + (fin ? 1 : 0);
        }
    }

    /**
     * The largest TSO packet Linux would build ({@code tcp_xmit_size_goal}): 64 KiB, bounded by half
     * the largest window the peer offered ({@code tcp_bound_to_half_wnd}), in whole segments.
     */
    int sizeGoal() {
        return tsoSizeGoal();
    }

    private int tsoSizeGoal() {
        int mss = Math.max(tcb.effMss, 1);
        int cutoff = tcb.maxSndWnd > 536 ? tcb.maxSndWnd >> 1 : tcb.maxSndWnd;
        return Math.max(mss, Math.min(65536, cutoff) / mss * mss);
    }

    /** PSH for a retransmission that ends where the written data ends ({@link TcpConfig#pushEachBurst()}). */
    private int pushIfLast(int end, int len) {
        return cfg.pushEachBurst() && len > 0 && (end == tcb.sndBufEnd || records.endsAt(end)) ? TcpFlags.PSH : 0;
    }

    /**
     * The most payload one data segment of {@link #outputData} may carry: the MSS, or, when the
     * link cuts super-packets (TSO/GSO, {@link TcpContext#offloadsSegmentation}), as many whole MSS
     * as fit a 64 KiB IP packet, as Linux's {@code tcp_tso_autosize} at full rate. Not while pacing
     * (each segment's departure is timed) or while urgent data is pending (its pointer is per segment).
     */
    private int segmentLimit() {
        Tcb t = tcb;
        int mss = sendMss();
        if (mss != t.effMss) {
            return mss; // SACK blocks ride on every segment now: no super-packets
        }
        if (mss <= 0 || mss >= GSO_MAX_PAYLOAD / 2 || t.sndUrgent
                || (t.cc != null && t.cc.pacingRateBytesPerSec() > 0)
                || !ctx.offloadsSegmentation(key.remoteAddress())) {
            return mss;
        }
        return GSO_MAX_PAYLOAD / mss * mss;
    }

    /**
     * With {@link TcpConfig#tsoMinSegs()}: the most bytes of the next packet as Linux sizes its TSO
     * packets ({@link TsoSizing}), sent as one super-packet whatever the link (a link without
     * offload cuts it); 0 when the model is off or does not apply (urgent data, pacing, loss
     * recovery and Limited Transmit, whose segments go one MSS at a time), or the window is full.
     */
    private int tsoPacketBytes(LossRecovery recovery) {
        Tcb t = tcb;
        int mss = t.effMss;
        if (cfg.tsoMinSegs() == 0 || mss <= 0 || mss >= GSO_MAX_PAYLOAD / 2 || t.sndUrgent || t.cc == null
                || t.cc.pacingRateBytesPerSec() > 0 || recovery.isInRecovery() || recovery.limitedTransmitBytes() > 0) {
            return 0;
        }
        int packetsOut = (SeqNum.diff(t.sndNxt, t.sndUna) + mss - 1) / mss;
        int bytes = TsoSizing.packetBytes(mss, cfg.tsoMinSegs(), t.cc.cwnd(), t.cc.ssthresh(), recovery.inFlight(),
                packetsOut, rtt.srttNs(), rtt.minRttNs());
        return Math.min(bytes, GSO_MAX_PAYLOAD / mss * mss);
    }

    /** One segment of new data (and the FIN after the last), if the peer's window has room. */
    boolean sendNew(long nowNs) {
        Tcb t = tcb;
        int unsent = SeqNum.diff(t.sndBufEnd, t.sndNxt);
        int room = SeqNum.diff(t.sndUna + t.sndWnd, t.sndNxt);
        int len = records.cap(t.sndNxt, Math.min(sendMss(), Math.min(unsent, room)));
        boolean fin = t.finQueued && len == unsent && room > len && !SeqNum.gt(t.sndNxt, t.finSeq);
        if (len <= 0 && !fin) {
            return false;
        }
        len = Math.max(len, 0);
        sendData(nowNs, t.sndNxt, len, fin, len == unsent || records.endsAt(t.sndNxt + len));
        noteShort(len, sendMss(), fin);
        t.sndNxt += len + (fin ? 1 : 0);
        t.sndMax = SeqNum.max(t.sndMax, t.sndNxt);
        return true;
    }

    // =================================================================================================
    // Data segments and retransmissions
    // =================================================================================================

    /** Sends {@code len} bytes from {@code seq} (and FIN), as a new transmission or a retransmission. */
    void sendData(long nowNs, int seq, int len, boolean fin, boolean push) {
        Tcb t = tcb;
        prepare(TcpFlags.ACK | (fin ? TcpFlags.FIN : 0) | (push && len > 0 ? TcpFlags.PSH : 0));
        out.seq = seq;
        int bufStart = t.sndBufEnd - t.sendBuf.length();
        t.sendBuf.lend(SeqNum.diff(seq, bufStart), len, out);
        if (t.sndUrgent) {
            int up = SeqNum.diff(t.sndUp, seq);
            if (up > 0 && up <= 0xFFFF) {
                out.flags |= TcpFlags.URG;
                out.urgentPointer = up;
            } else if (up <= 0) {
                t.sndUrgent = SeqNum.gt(t.sndUp, t.sndUna);
            }
        }
        boolean retransmission = SeqNum.lt(seq, t.sndMax);
        if (retransmission) {
            retransmissionsTotal++;
        } else {
            bytesSent += len;
            if (t.ecnOk && len > 0) {
                // RFC 3168 §6.1.5: new data is ECN-capable (ECT(0)); retransmissions, pure ACKs and
                // window probes are not. The first new segment after a reduction carries CWR.
                out.tos = (options.tos & ~ECN_MASK) | ECN_ECT0;
                if (cwrPending) {
                    out.flags |= TcpFlags.CWR;
                    cwrPending = false;
                }
            }
        }
        lastDataSendNs = nowNs;
        paced(nowNs, len);
        if (len > t.effMss) {
            out.gsoSize = t.effMss;
        }
        transmit(nowNs, retransmission ? "retransmission" : null);
        if (len > t.effMss) {
            // A super-packet: the wire sees, and the books keep, one segment per MSS (as Linux's TSO
            // skbs are counted in MSS and split on partial ACKs), so RACK, SACK and the rate
            // samples work as if each had been sent on its own.
            int pieces = (len + t.effMss - 1) / t.effMss;
            segmentsSent += pieces - 1;
            if (log != null) {
                int end = seq + len;
                for (int s = seq; s != end; ) {
                    int next = SeqNum.diff(end, s) > t.effMss ? s + t.effMss : end;
                    log.onSent(nowNs, s, next == end && fin ? end + 1 : next, retransmission);
                    s = next;
                }
            }
        } else if (log != null && (len > 0 || fin)) {
            log.onSent(nowNs, seq, seq + len + (fin ? 1 : 0), retransmission);
        }
    }

    /** Sends {@code len} bytes from {@code seq} again (a hole, a probe of old data). */
    void resend(long nowNs, int seq, int len, String note) {
        Tcb t = tcb;
        prepare(TcpFlags.ACK | pushIfLast(seq + len, len));
        out.seq = seq;
        t.sendBuf.lend(SeqNum.diff(seq, t.sndBufEnd - t.sendBuf.length()), len, out);
        retransmissionsTotal++;
        transmit(nowNs, note);
        if (log != null && len > 0) {
            log.onSent(nowNs, seq, seq + len, true);
        }
    }

    /**
     * Sends {@code [seq, end)} again, FIN included when {@code end} passes the FIN's sequence number
     * (a whole recorded segment, for RACK's recovery).
     */
    void resendRange(long nowNs, int seq, int end, String note) {
        Tcb t = tcb;
        boolean fin = t.finQueued && SeqNum.gt(end, t.finSeq);
        int len = SeqNum.diff(fin ? t.finSeq : end, seq);
        prepare(TcpFlags.ACK | (fin ? TcpFlags.FIN : 0) | pushIfLast(seq + Math.max(len, 0), len));
        out.seq = seq;
        t.sendBuf.lend(SeqNum.diff(seq, t.sndBufEnd - t.sendBuf.length()), Math.max(len, 0), out);
        retransmissionsTotal++;
        lastDataSendNs = nowNs;
        paced(nowNs, Math.max(len, 0));
        transmit(nowNs, note);
        if (log != null) {
            log.onSent(nowNs, seq, end, true);
        }
    }

    /** Resends up to one segment of the hole [seq, holeEnd); returns the sequence number after it. */
    int retransmitRange(long nowNs, int seq, int holeEnd, String note) {
        int len = records.cap(seq, Math.min(sendMss(), SeqNum.diff(holeEnd, seq)));
        resend(nowNs, seq, len, note);
        return seq + len;
    }

    /** Resends the oldest unacknowledged segment (fast retransmit, NewReno partial ACK). */
    void retransmitHead(long nowNs, String note) {
        Tcb t = tcb;
        int avail = SeqNum.diff(t.sndBufEnd, t.sndUna);
        int len = records.cap(t.sndUna, Math.max(0, Math.min(sendMss(), avail)));
        boolean fin = t.finQueued && SeqNum.lt(t.finSeq, t.sndMax) && t.sndUna + len == t.finSeq;
        prepare(TcpFlags.ACK | (fin ? TcpFlags.FIN : 0));
        out.seq = t.sndUna;
        t.sendBuf.lend(0, len, out);
        retransmissionsTotal++;
        transmit(nowNs, note);
    }

    /** RFC 3168 §6.1.2: after any window reduction, the next new data segment carries CWR. */
    void windowReduced() {
        if (tcb.ecnOk) {
            cwrPending = true;
            ecnRecover = tcb.sndMax;
        }
    }

    // =================================================================================================
    // Control segments
    // =================================================================================================

    /** SYN (active open) or SYN,ACK (passive and simultaneous open), with {@link SynOptions}' options. */
    void sendSyn(long nowNs, boolean withAck, String note) {
        if (tcb.synSentNs < 0) {
            tcb.synSentNs = nowNs;
        }
        prepare(withAck ? TcpFlags.SYN | TcpFlags.ACK : TcpFlags.SYN);
        out.seq = tcb.iss;
        SynOptions.writeSynOptions(cfg, tcb, out, withAck, nowNs);
        if (!withAck && tcb.synDataLength > 0) {
            // RFC 7413 §4.2.1: the first SYN carries data from the start of the send buffer.
            tcb.sendBuf.lend(0, tcb.synDataLength, out);
            bytesSent += tcb.synDataLength;
        }
        transmit(nowNs, note);
    }

    /**
     * A bare ACK with the current window: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, except that after a
     * timeout pulled SND.NXT back below what was already sent we use SND.MAX, as BSD does: the peer
     * may have received everything up to SND.MAX, and an ACK numbered left of its window would be
     * unacceptable (§3.10.7.4 first check) and never reach its ACK processing — both ends could then
     * trade unacceptable ACKs forever.
     */
    void sendAck(long nowNs, String note) {
        prepare(TcpFlags.ACK);
        out.seq = tcb.sndMax;
        transmit(nowNs, note);
    }

    /**
     * RFC 5961 §7: a challenge ACK, within this connection's limit ({@link #outOfWindowRateLimited})
     * and then the host-wide budget ({@link ChallengeAckLimiter}), in Linux's order.
     */
    void sendChallengeAck(long nowNs, String note) {
        if (!outOfWindowRateLimited(nowNs) && ctx.challengeAcks().tryAcquire(nowNs)) {
            sendAck(nowNs, note);
        }
    }

    /**
     * Whether a challenge ACK or an ACK for an invalid segment (out of window, PAWS) must be skipped:
     * one was sent less than {@link TcpConfig#invalidRateLimitNs()} ago (Linux's {@code
     * __tcp_oow_rate_limited} and {@code tcp_invalid_ratelimit}). Records the time when not. Keeps two
     * ends from trading ACKs for ever, and one connection from draining the host's challenge-ACK
     * budget (which made the budget a side channel, CVE-2016-5696).
     */
    boolean outOfWindowRateLimited(long nowNs) {
        long limitNs = cfg.invalidRateLimitNs();
        if (limitNs > 0 && lastOutOfWindowAckNs != Long.MIN_VALUE && nowNs - lastOutOfWindowAckNs < limitNs) {
            outOfWindowAcksSkipped++;
            return true;
        }
        lastOutOfWindowAckNs = nowNs;
        return false;
    }

    /** <SEQ=seq><CTL=RST>. */
    void sendRst(long nowNs, int seq, String note) {
        out.clear();
        out.tos = options.tos;
        out.srcPort = key.localPort();
        out.dstPort = key.remotePort();
        out.seq = seq;
        out.flags = TcpFlags.RST;
        stampRst(nowNs);
        segmentsSent++;
        ctx.transmit(nowNs, key.localAddress(), key.remoteAddress(), out, note);
    }

    /**
     * ABORT's reset (§3.10.5): {@code <SEQ=SND.NXT><CTL=RST>} (SND.MAX after a timeout pulled SND.NXT
     * back), with {@code ACK=RCV.NXT} added when {@link TcpConfig#resetCarriesAck()}, as Linux's
     * {@code tcp_send_active_reset} does.
     */
    void sendAbortRst(long nowNs, String note) {
        if (cfg.resetCarriesAck()) {
            sendRstAck(nowNs, tcb.sndMax, tcb.rcvNxt);
        } else {
            sendRst(nowNs, tcb.sndMax, note);
        }
    }

    /** <SEQ=seq><ACK=ack><CTL=RST,ACK>. */
    void sendRstAck(long nowNs, int seq, int ack) {
        out.clear();
        out.tos = options.tos;
        out.srcPort = key.localPort();
        out.dstPort = key.remotePort();
        out.seq = seq;
        out.ack = ack;
        out.flags = TcpFlags.RST | TcpFlags.ACK;
        stampRst(nowNs);
        segmentsSent++;
        ctx.transmit(nowNs, key.localAddress(), key.remoteAddress(), out, null);
    }

    /**
     * RFC 7323 §3.2: once timestamps are agreed, every segment carries TSopt, and a RST SHOULD too
     * (TSecr = TS.Recent), as Linux's do; the peer may use it to judge the RST (RFC 7323 §5.2 lets
     * it skip PAWS for RSTs, but it need not).
     */
    private void stampRst(long nowNs) {
        if (tcb.tsOk) {
            out.options.timestamps(tcb.tsNow(nowNs), tcb.tsRecent);
        }
    }

    /** Keep-alive probe (§3.8.4, SHLD-12): SEG.SEQ = SND.NXT − 1 and no data. */
    void sendKeepAlive(long nowNs) {
        prepare(TcpFlags.ACK);
        out.seq = tcb.sndMax - 1;
        transmit(nowNs, "keep-alive");
    }

    // =================================================================================================
    // Zero-window probes (§3.8.6.1, MUST-35/36, SHLD-29/30)
    // =================================================================================================

    /**
     * The persist timer with the window open: a piece that TCP_CORK or MSG_MORE held with nothing in
     * flight goes now, with PSH (Linux's tcp_write_wakeup from its probe timer). False if none waits.
     */
    boolean sendHeld(long nowNs, LossRecovery recovery) {
        if (tcb.sndNxt != tcb.sndUna || !SeqNum.lt(tcb.sndNxt, tcb.sndBufEnd)) {
            return false;
        }
        wakeup = true;
        try {
            output(nowNs, recovery);
        } finally {
            wakeup = false;
        }
        return true;
    }

    /** The first zero-window probe after the window closed with data in flight (SHLD-29). */
    void startZeroWindowProbing(long nowNs) {
        persistBackoff = 0;
        sendZeroWindowProbe(nowNs);
    }

    /** One probe octet (or the FIN) into the closed window, then the next probe on the backed-off persist timer. */
    void sendZeroWindowProbe(long nowNs) {
        Tcb t = tcb;
        timers.disarm(nowNs, TimerKind.RETRANSMISSION);
        int unsent = SeqNum.diff(t.sndBufEnd, t.sndNxt);
        prepare(TcpFlags.ACK);
        boolean finOnly = t.finQueued && t.sndUna == t.finSeq && unsent <= 0;
        if (cfg.linuxWindowProbes() && !finOnly && SeqNum.lt(t.sndUna, t.sndBufEnd)) {
            // Linux's tcp_xmit_probe_skb: SEQ=SND.UNA-1 and no data, which the peer answers with an
            // ACK carrying its window, as it does a keep-alive.
            out.seq = t.sndUna - 1;
            transmit(nowNs, "zero-window probe");
        } else if (t.sndNxt == t.sndUna && unsent > 0) {
            out.seq = t.sndNxt;
            t.sendBuf.lend(SeqNum.diff(t.sndNxt, t.sndBufEnd - t.sendBuf.length()), 1, out);
            transmit(nowNs, "zero-window probe");
            if (log != null) {
                log.onSent(nowNs, t.sndNxt, t.sndNxt + 1, SeqNum.lt(t.sndNxt, t.sndMax));
            }
            t.sndNxt += 1;
            t.sndMax = SeqNum.max(t.sndMax, t.sndNxt);
        } else if (t.sndNxt != t.sndUna && SeqNum.lt(t.sndUna, t.sndBufEnd)) {
            out.seq = t.sndUna;
            t.sendBuf.lend(0, 1, out);
            transmit(nowNs, "zero-window probe");
        } else if (t.finQueued && t.sndUna == t.finSeq) {
            // Only the FIN is left: probe with it, and again while the peer has no room for it.
            out.seq = t.finSeq;
            out.flags |= TcpFlags.FIN;
            transmit(nowNs, "zero-window probe (FIN)");
            if (log != null) {
                log.onSent(nowNs, t.finSeq, t.finSeq + 1, SeqNum.lt(t.finSeq, t.sndMax));
            }
            t.sndNxt = t.finSeq + 1;
            t.sndMax = SeqNum.max(t.sndMax, t.sndNxt);
        } else {
            return;
        }
        lastProbeNs = nowNs;
        persistBackoff++;
        armPersist(nowNs);
    }

    /**
     * The peer's window opened (§3.10.7.4 window update from zero): stop probing. If the window
     * opened without covering the probe octet, which the peer had no room for, no timer is waiting
     * for it (§3.8.6.1), so send again from SND.UNA.
     */
    void onWindowOpened(long nowNs) {
        timers.disarm(nowNs, TimerKind.PERSIST);
        if (persistBackoff > 0 && SeqNum.gt(tcb.sndNxt, tcb.sndUna)) {
            tcb.sndNxt = tcb.sndUna;
        }
        persistBackoff = 0;
    }

    private void armPersist(long nowNs) {
        long interval = rtt.rtoNs();
        for (int i = 0; i < persistBackoff && interval < cfg.maxRtoNs(); i++) {
            interval *= 2;
        }
        timers.arm(nowNs, TimerKind.PERSIST, nowNs + Math.min(interval, cfg.maxRtoNs()));
    }

    // =================================================================================================
    // The retransmission timer (RFC 6298 §5; R2, RFC 9293 §3.8.3)
    // =================================================================================================

    /** Arms the retransmission timer for one RTO, but not past the moment R2 runs out. */
    void armRetransmit(long nowNs) {
        long deadline = nowNs + rtt.rtoNs();
        // Do not sleep past the moment R2 runs out, so a timeout is reported on time.
        long giveUp = tcb.streakStartNs + options.r2Ns(tcb.state, cfg);
        if (giveUp > nowNs && giveUp < deadline && !zeroWindowExemption(nowNs)) {
            deadline = giveUp;
        }
        timers.arm(nowNs, TimerKind.RETRANSMISSION, deadline);
    }

    /**
     * SHLD-17 / MUST-34: a peer that shrank its window to zero but still acknowledges is not dead;
     * our retransmissions are then zero-window probes and must not time the connection out.
     */
    boolean zeroWindowExemption(long nowNs) {
        return tcb.state.isSynchronized() && tcb.sndWnd == 0 && tcb.lastAckReceivedNs >= lastProbeNs;
    }

    // =================================================================================================
    // Acknowledgments and the advertised window (§3.8.6.2.2, §3.8.6.3)
    // =================================================================================================

    /**
     * In-order text of {@code len} bytes was stored ({@code immediate}: it was out of order or filled
     * a hole): an ACK is owed now or later, as {@link DelayedAckPolicy} decides (RFC 9293 §3.8.6.3).
     */
    void onTextReceived(long nowNs, int len, boolean immediate) {
        if (ackPolicy.onTextReceived(nowNs, len, immediate)) {
            ackNow = true;
        }
    }

    /**
     * After a read: RFC 9293 §3.8.6.2.2 receiver SWS avoidance, as Linux applies it: announce the
     * larger window at once only if it at least doubles what the peer currently sees and that was
     * at most half the buffer; otherwise the next ACK carries it. Returns whether to send the update.
     */
    boolean windowUpdateDue() {
        Tcb t = tcb;
        // The largest window the field can offer: the buffer, or 65535 << scale if that is smaller.
        int offerable = Math.min(t.rcvBuf.capacity(), MAX_WINDOW << t.rcvWndScale);
        int current = SeqNum.diff(t.rcvAdvertisedEdge, t.rcvNxt);
        if (2 * current > offerable) {
            return false;
        }
        int possible = Math.min(t.rcvBuf.window(), offerable);
        return possible >= 2 * current && possible - current >= Math.min(offerable / 2, t.localMss);
    }

    /**
     * The window field to send (§3.8.6.2.2 receiver SWS avoidance; SHLD-14: the right edge never
     * moves left). Moves the advertised right edge only by at least min(buffer/2, MSS).
     */
    int advertiseWindow(boolean syn) {
        Tcb t = tcb;
        int free = t.rcvBuf.window();
        if (syn) {
            // RFC 7323 §2.2: the window in a SYN is never scaled.
            return Math.min(free, MAX_WINDOW);
        }
        int candidateEdge = t.rcvNxt + free;
        int current = SeqNum.diff(t.rcvAdvertisedEdge, t.rcvNxt);
        int step = Math.min(t.rcvBuf.capacity() / 2, Math.max(t.localMss, 1));
        // The 16-bit field, scaled, bounds what can be offered: without window scaling a buffer larger
        // than 64 KiB still offers 65535 (RFC 7323 §2.2), and RCV.WND must not pass what was sent.
        int expressible = MAX_WINDOW << t.rcvWndScale;
        if (SeqNum.diff(candidateEdge, t.rcvNxt) > expressible) {
            candidateEdge = t.rcvNxt + expressible;
        }
        if (SeqNum.diff(candidateEdge, t.rcvAdvertisedEdge) >= step || current < 0) {
            t.rcvAdvertisedEdge = candidateEdge;
        }
        int wnd = Math.max(0, SeqNum.diff(t.rcvAdvertisedEdge, t.rcvNxt));
        int field = Math.min(wnd >>> t.rcvWndScale, MAX_WINDOW);
        // Round up so the scaled window never ends left of the edge already promised.
        if ((field << t.rcvWndScale) < wnd && field < MAX_WINDOW) {
            field++;
        }
        return field;
    }

    // =================================================================================================
    // Building and handing over a segment
    // =================================================================================================

    /** Fills the common fields of {@link #out}: ports, ACK, window, timestamps, SACK blocks. */
    private void prepare(int flags) {
        Tcb t = tcb;
        out.clear();
        out.tos = options.tos;
        out.srcPort = key.localPort();
        out.dstPort = key.remotePort();
        out.flags = flags;
        boolean syn = (flags & TcpFlags.SYN) != 0;
        if ((flags & TcpFlags.ACK) != 0) {
            out.ack = t.rcvNxt;
            if (t.ecnEcho && !syn) {
                out.flags |= TcpFlags.ECE;
            }
        }
        out.window = advertiseWindow(syn);
        if (t.tsOk && !syn) {
            out.options.timestamps(0, t.tsRecent);
        }
        if (t.sackOk && !syn && t.rcvBuf.hasOutOfOrder()) {
            t.rcvBuf.fillSackBlocks(out.options, TcpOptions.MAX_SACK_BLOCKS);
        }
        if (t.sackOk && !syn && t.dsackPending && out.isAck()) {
            // RFC 2883 §4: the duplicate range goes first, ahead of the usual blocks.
            t.dsackPending = false;
            TcpOptions o = out.options;
            // Four blocks fit beside nothing else, three beside timestamps (RFC 2018 §3).
            int keep = Math.min(o.sackBlocks, (t.tsOk ? 3 : TcpOptions.MAX_SACK_BLOCKS) - 1);
            System.arraycopy(o.sackEdges, 0, o.sackEdges, 2, 2 * keep);
            o.sackEdges[0] = t.dsackStart;
            o.sackEdges[1] = t.dsackEnd;
            o.sackBlocks = keep + 1;
        }
    }

    /**
     * The most payload a data segment carries now: Eff.snd.MSS less the room the SACK blocks the next
     * segment reports take (RFC 2018 §3: 2 bytes of kind and length and 8 a block, padded with two
     * NOPs), as Linux's tcp_current_mss. Eff.snd.MSS leaves room only for the options every segment
     * carries (MUST-16), so while the receiver holds data out of order full-sized segments carry
     * less data, and the SACK blocks travel with the data instead of being left out.
     */
    int sendMss() {
        Tcb t = tcb;
        int mss = t.effMss;
        if (!t.sackOk || mss <= 0) {
            return mss;
        }
        int blocks = t.rcvBuf.hasOutOfOrder() ? t.rcvBuf.runs() : 0;
        if (t.dsackPending) {
            blocks++;
        }
        if (blocks == 0) {
            return mss;
        }
        blocks = Math.min(blocks, t.tsOk ? 3 : TcpOptions.MAX_SACK_BLOCKS);
        return Math.max(mss - (4 + 8 * blocks), 1);
    }

    /**
     * Leaves out the SACK blocks that would push {@link #out} past the segment size: Eff.snd.MSS
     * leaves room only for the options every segment carries (MUST-16), so a full-sized data segment
     * has none for SACK blocks, and the link would drop it (on a path whose MTU is exact, every time:
     * two hosts retransmitting full segments to each other while both have holes never get through).
     * The most recent blocks (and a D-SACK) come first and are the ones kept (RFC 2018 §4). Data
     * segments are sized by {@link #sendMss} so the blocks fit; this catches a segment sized before
     * the blocks appeared (a record resent whole).
     */
    private void fitSackBlocks() {
        int room = tcb.effMss - out.payloadLength; // option bytes beyond the ones every segment carries
        int fit = room >= 4 + 8 ? (room - 4) / 8 : 0; // nop, nop, kind, length, then 8 bytes a block
        out.options.sackBlocks = Math.min(out.options.sackBlocks, fit);
    }

    /** Hands {@link #out} to the host, with a fresh TSval, and does the bookkeeping of any sent segment. */
    private void transmit(long nowNs, String note) {
        if (out.options.hasTimestamps && !out.isSyn()) {
            out.options.tsVal = tcb.tsNow(nowNs);
        }
        if (out.options.sackBlocks > 0 && !out.isSyn()) {
            fitSackBlocks();
        }
        if (out.isAck()) {
            ackPolicy.onAckSent(ackNow);
            tcb.lastAckSent = tcb.rcvNxt;
            ackNow = false;
        }
        if (out.payloadLength > 0) {
            ackPolicy.onDataSent(nowNs);
        }
        segmentsSent++;
        ctx.transmit(nowNs, key.localAddress(), key.remoteAddress(), out, note);
    }
}
