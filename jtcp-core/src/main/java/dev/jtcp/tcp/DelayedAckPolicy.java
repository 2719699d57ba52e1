package dev.jtcp.tcp;

import dev.jtcp.event.TimerKind;

/**
 * When the receiver acknowledges text: at once, or after the delayed-ACK timeout (RFC 9293
 * §3.8.6.3, RFC 5681 §4.2), with Linux's two refinements as switches: quick-ACK mode ({@link
 * TcpConfig#quickAck()}, {@code tcp_enter_quickack_mode}) and interactive ("ping-pong") mode
 * ({@link TcpConfig#pingPongAck()}, {@code icsk_ack.pingpong}).
 *
 * <p>Read first: RFC 9293 §3.8.6.3 (SHLD-18, SHLD-19), RFC 1122 §4.2.3.2, RFC 5681 §4.2. The rules:
 *
 * <ol>
 *   <li>Out-of-order text, and text that fills a hole, is acknowledged at once.
 *   <li>Quick-ACK mode: the first text of a connection, text after the receiver was idle longer
 *       than the RTO, and out-of-order text give credits for up to 16 ACKs (at most half the receive
 *       window in segments); while credits last, and the connection is not interactive, every
 *       segment is acknowledged at once (a sender in slow start grows its window per ACK).
 *   <li>Otherwise at least every second full-sized segment (SHLD-19), else when the delayed-ACK
 *       timer fires (SHLD-18: within 0.5 s).
 *   <li>Interactive mode: when the application sends data within the delayed-ACK timeout of the
 *       last text received (or of the handshake), the connection is a request/response one; the
 *       ACK of the next text waits for the reply to carry it, quick-ACK credits notwithstanding
 *       (Linux's {@code tcp_event_data_sent}, threshold 1). A delayed-ACK timer that fires (no reply
 *       came) leaves the mode; so does out-of-order text ({@code tcp_enter_quickack_mode}).
 * </ol>
 *
 * <p>The RFCs allow all of it: SHLD-18 is a "should", and RFC 5681 §4.2 lets a receiver ACK every
 * segment. The rfc() profile has neither refinement.
 *
 * <p>Not thread-safe: driven by the one thread that runs its host.
 */
final class DelayedAckPolicy {
    /** Linux's TCP_MAX_QUICKACKS: the most ACKs quick-ACK mode sends at once. */
    private static final int MAX_QUICK_ACKS = 16;

    private final TcpConfig cfg;
    private final Tcb tcb;
    private final TimerSet timers;
    private final ConnectionOptions options;
    private final RttEstimator rtt;

    /** In-order bytes received since our last ACK; an ACK is due at two full segments (SHLD-19). */
    private int rcvBytesSinceAck;
    /** Largest payload received, up to our MSS: what the peer considers a full-sized segment. */
    private int rcvMssEstimate;
    /**
     * Quick-ACK credits (Linux's {@code icsk_ack.quick}): ACKs still to send at once instead of
     * delaying them, 0 when not in quick-ACK mode. One is spent per ACK that answers received text.
     */
    private byte quickAcks;
    /** Interactive mode (Linux's {@code icsk_ack.pingpong} at its threshold of 1): ACKs wait for the reply. */
    private boolean interactive;
    /**
     * When text last arrived (or the connection was established, for interactive mode), or {@link
     * Long#MIN_VALUE} before either: the first text, and text after a gap longer than the RTO, enter
     * quick-ACK mode.
     */
    private long lastTextNs = Long.MIN_VALUE;
    /** Whether any text arrived yet (the first enters quick-ACK mode). */
    private boolean textSeen;
    /**
     * When in-order text last arrived, or the connection was established before any (Linux starts
     * TCP_INFO's last_data_recv clock, {@code icsk_ack.lrcvtime}, at the handshake); {@link
     * Long#MIN_VALUE} before either.
     */
    private long lastDataNs = Long.MIN_VALUE;

    DelayedAckPolicy(TcpConfig cfg, Tcb tcb, TimerSet timers, ConnectionOptions options, RttEstimator rtt) {
        this.cfg = cfg;
        this.tcb = tcb;
        this.timers = timers;
        this.options = options;
        this.rtt = rtt;
    }

    /**
     * In-order text of {@code len} bytes was stored ({@code immediate}: it was out of order or filled
     * a hole). Returns whether the ACK is due now; otherwise the DELAYED_ACK timer is armed.
     */
    boolean onTextReceived(long nowNs, int len, boolean immediate) {
        rcvMssEstimate = Math.max(rcvMssEstimate, Math.min(len, tcb.localMss));
        lastDataNs = nowNs;
        if (immediate && cfg.pingPongAck()) {
            interactive = false;
        }
        if (options.quickAck) {
            if (!textSeen || immediate || nowNs - lastTextNs > rtt.rtoNs()) {
                enterQuickAck();
            }
            textSeen = true;
            lastTextNs = nowNs;
            if (quickAcks > 0 && !interactive) {
                return true;
            }
        } else {
            lastTextNs = nowNs;
        }
        if (immediate) {
            return true;
        }
        rcvBytesSinceAck += len;
        if (rcvBytesSinceAck >= 2 * Math.max(rcvMssEstimate, 1)) {
            return true;
        }
        timers.arm(nowNs, TimerKind.DELAYED_ACK, nowNs + cfg.delayedAckNs());
        return false;
    }

    /**
     * The connection reached ESTABLISHED with data the application wrote still waiting ({@code
     * writePending}: a write that blocked on the handshake). Linux then starts its ACK clock at the
     * handshake ({@code tcp_enter_quickack_mode} in {@code tcp_rcv_synsent_state_process}), so data
     * sent right away counts as a reply; otherwise the clock starts with the first text.
     */
    void onEstablished(long nowNs, boolean writePending) {
        if (lastDataNs == Long.MIN_VALUE) {
            lastDataNs = nowNs;
        }
        if (writePending && lastTextNs == Long.MIN_VALUE) {
            lastTextNs = nowNs;
        }
    }

    /**
     * A segment with data left: if it answers text (or the handshake) received less than the
     * delayed-ACK timeout ago, the connection is interactive from now on (Linux's {@code
     * tcp_event_data_sent}).
     */
    void onDataSent(long nowNs) {
        if (cfg.pingPongAck() && lastTextNs != Long.MIN_VALUE && nowNs - lastTextNs < cfg.delayedAckNs()) {
            interactive = true;
        }
    }

    /** The delayed-ACK timer fired: no reply carried the ACK, so the connection is not interactive. */
    void onDelayedAckTimeout() {
        interactive = false;
    }

    /** An ACK left ({@code owed}: one was due or pending): a quick-ACK credit is spent, the count restarts. */
    void onAckSent(boolean owed) {
        if (quickAcks > 0 && (owed || rcvBytesSinceAck > 0 || timers.isArmed(TimerKind.DELAYED_ACK))) {
            quickAcks--; // Linux's tcp_dec_quickack_mode: one credit per ACK that was owed
        }
        rcvBytesSinceAck = 0;
        timers.disarmQuietly(TimerKind.DELAYED_ACK);
    }

    /** The largest payload received, up to our MSS (Linux's {@code icsk_ack.rcv_mss}); 0 before any. */
    int receiveMss() {
        return rcvMssEstimate;
    }

    /** When in-order text last arrived or, before any, the connection was established; {@link Long#MIN_VALUE} before both. */
    long lastTextNs() {
        return lastDataNs;
    }

    /** Whether the connection is in interactive mode (for tests and TCP_INFO). */
    boolean interactive() {
        return interactive;
    }

    /** Linux's {@code tcp_incr_quickack}: credits for half the receive window in segments, 2 to 16. */
    private void enterQuickAck() {
        int mss = Math.max(rcvMssEstimate, Math.min(Math.max(tcb.localMss, 1), 536));
        int credits = Math.max(2, Math.min(MAX_QUICK_ACKS, tcb.receiveWindow() / (2 * mss)));
        quickAcks = (byte) Math.max(quickAcks, credits);
    }
}
