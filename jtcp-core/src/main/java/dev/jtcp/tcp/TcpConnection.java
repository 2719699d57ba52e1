package dev.jtcp.tcp;

import static dev.jtcp.event.TcpState.CLOSED;
import static dev.jtcp.event.TcpState.CLOSE_WAIT;
import static dev.jtcp.event.TcpState.CLOSING;
import static dev.jtcp.event.TcpState.ESTABLISHED;
import static dev.jtcp.event.TcpState.FIN_WAIT_1;
import static dev.jtcp.event.TcpState.FIN_WAIT_2;
import static dev.jtcp.event.TcpState.LAST_ACK;
import static dev.jtcp.event.TcpState.LISTEN;
import static dev.jtcp.event.TcpState.SYN_RECEIVED;
import static dev.jtcp.event.TcpState.SYN_SENT;
import static dev.jtcp.event.TcpState.TIME_WAIT;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.TimerKind;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * One TCP connection: the state machine of RFC 9293, the events of §3.10 in the RFC's order.
 *
 * <p>Read first: RFC 9293 §3.3 (states and the TCB), §3.10 (event processing, which this class
 * follows step by step), then RFC 5961 (blind-attack defences) and RFC 7323 (PAWS). The mechanisms
 * the events use live in rooms of their own (see {@code package-info.java} for a reading order):
 * {@link Tcb} (the §3.3.1 variables and negotiated options), {@link Sender} (output, segmentation,
 * windows, ACK policy), {@link Receiver} (acceptability, trimming, text), {@link LossRecovery}
 * ({@link DupAckRecovery}: RFC 5681/6582/6675, Limited Transmit, Eifel), {@link TailLossProbe} (RFC
 * 8985 §7), {@link CongestionControl} ({@link NewReno}), {@link SynOptions} (handshake options),
 * {@link ConnectionOptions} (socket-option-like settings), {@link TimerSet} and {@link RttEstimator}.
 * Each is handed the TCB and the collaborators it needs, never the connection; only the connection
 * changes state and tells the application.
 *
 * <p>The class is sans-IO. Each RFC 9293 §3.10 event is one method taking the current time: {@link
 * #open} (active OPEN; passive OPEN is {@link TcpListener}), {@link #send}, {@link #receive},
 * {@link #close}, {@link #abort}, {@link #status}, {@link #onSegment} (SEGMENT ARRIVES), {@link
 * #onTimer} (RETRANSMISSION, USER and TIME-WAIT TIMEOUT and the other timers) and {@link
 * #onIcmpError} (§3.9.2.2). Segments leave through {@link TcpContext#transmit}, the next deadline
 * through {@link TcpContext#schedule}, and every state change goes through {@link #setState}, which
 * traces its cause.
 *
 * <p>Lifecycle: 1. the host creates the connection for a 4-tuple; 2. {@code open()} (active) or
 * the listener's SYN (passive) starts the handshake; 3. data flows; 4. {@code close()} or the
 * peer's FIN closes each direction, or a RST or timeout aborts; 5. the connection ends in
 * TIME-WAIT (handed to the host as a compact {@link TimeWaitEntry}) or CLOSED, and the host drops
 * it.
 *
 * <p>Deviations from the RFC, each marked where it happens: a duplicate SYN in SYN-RECEIVED is
 * answered by retransmitting the SYN-ACK (as Linux does) rather than by a bare ACK; an orphaned
 * connection (application gone) leaves FIN-WAIT-2 after {@link TcpConfig#finWait2TimeoutNs()};
 * sender SWS avoidance (§3.8.6.2.1) sends a window-limited short segment at once when nothing is
 * in flight, as Linux does, instead of after an override timeout ({@link Sender}).
 *
 * <p>Not thread-safe: driven by the one thread that runs its host.
 */
public final class TcpConnection {
    private static final int MAX_WINDOW = SynOptions.MAX_WINDOW;

    // ---- identity and environment ----
    private final TcpContext ctx;
    private final TcpConfig cfg;
    private final ConnectionKey key;
    private final IpAddress localAddress;
    private final IpAddress remoteAddress;
    private TcpHandler handler = TcpHandler.NONE;
    /** MUST-11: whether SYN-RECEIVED was entered from LISTEN (passive OPEN). */
    private boolean passiveOpen;
    /** The listener this passive connection belongs to until it is accepted, else null. */
    private TcpListener listener;
    /** Why the connection failed; null while healthy or after a normal close. */
    private TcpError error;
    /** The last soft error (an ICMP report, MUST-56) owed to the handler, or null. */
    private TcpError softError;
    /** The time of the event being processed; set on entry to every public method. */
    private long nowNs;

    // ---- the parts (rooms by concern; each is handed the TCB, never the connection) ----
    /** The RFC 9293 §3.3.1 variables, the negotiated options and the buffers. */
    private final Tcb tcb;
    /** One deadline per timer kind; the host hears of the earliest. */
    private final TimerSet timers;
    /** The application's per-connection settings (no-delay, TOS, keep-alive, user timeout, MSS cap). */
    private final ConnectionOptions options;
    /** SRTT, RTTVAR, RTO with backoff (RFC 6298). */
    private final RttEstimator rtt;
    /** Everything that leaves: the send loop, the segments, the advertised window, the ACK policy. */
    private final Sender sender;
    /** Linux's write accounting under a not-sent low-water mark; null until a write needs it. */
    private WriteAccounting writeAccounting;
    /** RFC 8985 §7 probes; shares the retransmission timer. */
    private final TailLossProbe tlp;
    /**
     * Loss detection and fast recovery; decides what is sent while it drives. Duplicate-ACK
     * recovery until the handshake shows whether the peer SACKs; then RACK-TLP if configured.
     */
    private LossRecovery recovery;
    /** The handshake has fixed the options, and with them the loss-recovery room. */
    private boolean recoveryChosen;
    /** The receiving steps of SEGMENT ARRIVES and RECEIVE. */
    private final Receiver receiver;

    // ---- the connection's own ----
    /** Payload carried on the peer's SYN, held until ESTABLISHED (§3.10.7.2: "queued for processing later"). */
    private byte[] synPayload;
    /** The peer's SYN carried a FIN, held with {@link #synPayload}. */
    private boolean synFin;
    /** MAY-1 half-duplex close: the application will read no more; new data is answered with RST (SHLD-3). */
    private boolean receiveShutdown;
    /** When a segment last passed the sequence check: keep-alive idleness counts from here (§3.8.4). */
    private long lastReceiveNs;
    /** Keep-alive probes sent since the peer was last heard (MUST-29: several before giving up). */
    private int keepAliveProbes;
    /** The TOS / traffic-class octet of the last segment received (MAY-9). */
    private int receivedTos;
    /** RFC 3168 §6.1.2: window reductions for an ECN-Echo. */
    private long ecnReductions;
    /** Segments that reached {@link #onSegment}. */
    private long segmentsReceived;

    /**
     * A connection for {@code key}, in CLOSED. The host calls this; users go through the host.
     */
    public TcpConnection(TcpContext ctx, ConnectionKey key) {
        this.ctx = ctx;
        this.cfg = ctx.config();
        this.key = key;
        this.localAddress = key.localAddress();
        this.remoteAddress = key.remoteAddress();
        this.tcb = new Tcb(cfg);
        this.timers = new TimerSet(ctx, key);
        this.options = new ConnectionOptions();
        options.quickAck = cfg.quickAck();
        this.rtt = new RttEstimator(cfg.initialRtoNs(), cfg.minRtoNs(), cfg.maxRtoNs(),
                cfg.linuxRecovery() || cfg.rtoVarianceFloor());
        this.sender = new Sender(ctx, key, tcb, timers, options, rtt);
        this.tlp = new TailLossProbe(tcb, timers, rtt, sender);
        this.recovery = new DupAckRecovery(cfg, tcb, sender, tlp, rtt);
        this.receiver = new Receiver(tcb, sender);
        tcb.tsOffset = ctx.timestampOffset(localAddress, remoteAddress);
    }

    // =================================================================================================
    // Accessors
    // =================================================================================================

    public ConnectionKey key() {
        return key;
    }

    public TcpState state() {
        return tcb.state;
    }

    /** The error that ended the connection, or null. */
    public TcpError error() {
        return error;
    }

    public TcpHandler handler() {
        return handler;
    }

    public void handler(TcpHandler handler) {
        this.handler = handler == null ? TcpHandler.NONE : handler;
    }

    /** MUST-11: SYN-RECEIVED came from LISTEN. */
    public boolean isPassiveOpen() {
        return passiveOpen;
    }

    /** Bytes the application can read now. */
    public int readable() {
        return tcb.rcvBuf.readable();
    }

    /** Bytes the application can write now without blocking. */
    public int writable() {
        if (tcb.finQueued || error != null
                || !WriteAccounting.belowLowat(SeqNum.diff(tcb.sndBufEnd, tcb.sndNxt), notSentLowat())) {
            return 0;
        }
        return tcb.sendBuf.free();
    }

    /**
     * Sets TCP_NOTSENT_LOWAT (Linux): the socket is writable only while twice the unsent bytes are
     * below it, and (with {@link TcpConfig#writeAccounting()}) a write stops once they reach it
     * ({@link WriteAccounting}); 0 returns to the host's {@link TcpConfig#notSentLowatBytes()}.
     */
    public void notSentLowat(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("TCP_NOTSENT_LOWAT must not be negative: " + bytes);
        }
        options.notSentLowat = bytes;
    }

    /** The not-sent low-water mark in force, bytes ({@link Integer#MAX_VALUE}: none). */
    public int notSentLowat() {
        return options.notSentLowat > 0 ? options.notSentLowat : cfg.notSentLowatBytes();
    }

    /** The peer's FIN has arrived and every byte before it has been read. */
    public boolean isEndOfStream() {
        return tcb.finReceived && tcb.rcvBuf.readable() == 0;
    }

    /** Whether unsent or unacknowledged data remains. */
    public boolean hasUnackedData() {
        return !tcb.sendBuf.isEmpty() || SeqNum.lt(tcb.sndUna, tcb.sndMax);
    }

    /** The TCB, for the compact TIME-WAIT record ({@link TimeWaitEntry#of}). */
    Tcb tcb() {
        return tcb;
    }

    TcpListener listener() {
        return listener;
    }

    void detachFromListener() {
        listener = null;
    }

    /** The host's TIME-WAIT record while it holds this connection for the application; else null. */
    TimeWaitEntry timeWaitEntry;

    /** Whether the application has given the connection up (full close): nobody will read it again. */
    boolean isOrphaned() {
        return receiveShutdown;
    }

    /** The host's TIME-WAIT record for this connection expired: the connection is now CLOSED. */
    void onTimeWaitEnded() {
        tcb.state = CLOSED;
        timeWaitEntry = null;
    }

    int advertisedWindowField() {
        return sender.advertiseWindow(false);
    }

    // ---- per-connection options ----

    /** Disables Nagle's algorithm (RFC 9293 §3.7.4, SHLD-7 allows an application to do so). */
    public void noDelay(boolean on) {
        options.noDelay = on;
    }

    public boolean noDelay() {
        return options.noDelay;
    }

    /**
     * Linux's TCP_NODELAY with its side effect: turning it on also sends what is held, once even a
     * corked piece ({@link #cork}).
     */
    public void noDelay(long nowNs, boolean on) {
        enter();
        try {
            options.noDelay = on;
            if (on) {
                options.pushOnce = true;
                pushHeld(nowNs);
            }
        } finally {
            leave();
        }
    }

    /**
     * Linux's TCP_CORK: while on, a last piece shorter than the MSS is not sent even with nothing in
     * flight (full segments still go); turning it off sends what was held.
     */
    public void cork(long nowNs, boolean on) {
        enter();
        try {
            options.cork = on;
            if (!on) {
                pushHeld(nowNs);
            }
        } finally {
            leave();
        }
    }

    public boolean cork() {
        return options.cork;
    }

    private void pushHeld(long nowNs) {
        this.nowNs = nowNs;
        if (tcb.state == ESTABLISHED || tcb.state == CLOSE_WAIT) {
            output(nowNs);
        }
        options.pushOnce = false;
        timers.reschedule(this);
    }

    /**
     * TCP_QUICKACK: whether quick-ACK mode ({@link TcpConfig#quickAck()}, {@link Sender}) may
     * acknowledge segments at once at the start of the connection and after idle periods; off, the
     * delayed-ACK rules of RFC 9293 §3.8.6.3 alone apply (as Linux's TCP_QUICKACK 0, which keeps its
     * delayed ACKs on).
     */
    public void quickAck(boolean on) {
        options.quickAck = on;
    }

    public boolean quickAck() {
        return options.quickAck;
    }

    /**
     * Sets the Diffserv field (the whole TOS / traffic-class octet) of the packets this connection
     * sends, passed to IP unchanged (MUST-48, SHLD-22); it may change at any time (SHLD-21).
     */
    public void tos(int tos) {
        options.tos(tos);
    }

    public int tos() {
        return options.tos;
    }

    /** Whether ECN (RFC 3168) was agreed in the handshake. */
    public boolean ecn() {
        return tcb.ecnOk;
    }

    /** The TOS / traffic-class octet (Diffserv and ECN bits) of the last segment received (MAY-9). */
    public int receivedTos() {
        return receivedTos;
    }

    /**
     * Turns the soft error reports off or on (SHLD-20): {@link TcpHandler#onRetransmissionTrouble}
     * and soft ICMP errors. Errors that end the connection are always reported ({@link
     * TcpHandler#onClosed}).
     */
    public void softErrorReports(boolean on) {
        options.softErrorReports = on;
    }

    public boolean softErrorReports() {
        return options.softErrorReports;
    }

    /** Turns keep-alives on or off for this connection (MUST-24; off by default, MUST-25). */
    public void keepAlive(long nowNs, boolean on) {
        enter();
        try {
            keepAliveImpl(nowNs, on);
        } finally {
            leave();
        }
    }

    /**
     * The idle time before this connection's first keep-alive probe (Linux's TCP_KEEPIDLE); 0
     * restores the configured one. Takes effect when the keep-alive timer is next armed.
     */
    public void keepAliveIdle(long idleNs) {
        if (idleNs < 0) {
            throw new IllegalArgumentException("keep-alive idle time must not be negative");
        }
        options.keepAliveIdleNs = idleNs;
    }

    private long keepAliveIdleNs() {
        return options.keepAliveIdleNs > 0 ? options.keepAliveIdleNs : cfg.keepAliveIdleNs();
    }

    private void keepAliveImpl(long nowNs, boolean on) {
        this.nowNs = nowNs;
        options.keepAlive = on;
        if (on && (tcb.state == ESTABLISHED || tcb.state == CLOSE_WAIT)) {
            timers.arm(nowNs, TimerKind.KEEPALIVE, lastReceiveNs + keepAliveIdleNs());
        } else if (!on) {
            timers.disarm(nowNs, TimerKind.KEEPALIVE);
        }
        timers.reschedule(this);
    }

    public boolean keepAlive() {
        return options.keepAlive;
    }

    /**
     * Sets R2 for this connection, the time retransmissions may go on before it is aborted (MUST-21;
     * also the socket option TCP_USER_TIMEOUT). 0 restores the default.
     */
    public void userTimeout(long timeoutNs) {
        options.userTimeout(timeoutNs);
    }

    /**
     * R2 for this connection's SYN (MUST-23 keeps it at least 3 minutes by default; the
     * application may shorten it, as Linux's TCP_SYNCNT does); 0 restores the configured one.
     */
    public void synRetransmitTimeout(long timeoutNs) {
        if (timeoutNs < 0) {
            throw new IllegalArgumentException("SYN timeout must not be negative");
        }
        options.synR2Ns = timeoutNs;
    }

    public long userTimeoutNs() {
        return options.r2Ns;
    }

    /** TCP_MAXSEG: caps the segment size this end sends and advertises; 0 removes the cap. */
    public void maxSegmentSize(int mss) {
        options.maxSegmentSize(mss);
        if (tcb.state.isSynchronized()) {
            SynOptions.updateEffectiveMss(ctx, tcb, options, remoteAddress);
        }
    }

    public int maxSegmentSize() {
        return tcb.state.isSynchronized() ? tcb.effMss : options.userMss;
    }

    /** Resizes the send buffer (SO_SNDBUF); may not shrink below buffered data. */
    public void sendBufferSize(int bytes) {
        ConnectionOptions.sendBufferSize(tcb.sendBuf, bytes);
    }

    public int sendBufferSize() {
        return tcb.sendBuf.capacity();
    }

    /** Resizes the receive buffer (SO_RCVBUF); only before the handshake, as the window scale depends on it. */
    public void receiveBufferSize(int bytes) {
        ConnectionOptions.receiveBufferSize(tcb.rcvBuf, tcb.state, bytes);
    }

    public int receiveBufferSize() {
        return tcb.rcvBuf.capacity();
    }

    // =================================================================================================
    // OPEN (RFC 9293 §3.10.1)
    // =================================================================================================

    /**
     * Active OPEN: chooses the ISS, sends SYN and enters SYN-SENT.
     *
     * @throws TcpException ALREADY_OPEN if not CLOSED, BAD_ADDRESS for a broadcast or multicast peer
     *     (MUST-46)
     */
    public void open(long nowNs) {
        enter();
        try {
            openImpl(nowNs, null);
        } finally {
            leave();
        }
    }

    /**
     * Active OPEN with TCP Fast Open (RFC 7413 §4.2.1; Linux's {@code sendto(MSG_FASTOPEN)}): with a
     * cookie cached for the peer, the SYN carries it and as much of {@code data} as fits; without
     * one, the SYN asks for a cookie and carries no data. Takes from {@code data} only the bytes
     * the SYN carries; the caller sends the rest once connected. If the SYN,ACK does not acknowledge
     * the data, it is sent again after the handshake; if the SYN times out, it is sent again
     * without data or cookie (§4.1.3.1).
     *
     * @return bytes taken from {@code data} into the SYN (0 for a cookie request)
     * @throws TcpException as {@link #open(long)}
     */
    public int openFastOpen(long nowNs, ByteBuffer data) {
        enter();
        try {
            return openImpl(nowNs, data);
        } finally {
            leave();
        }
    }

    private int openImpl(long nowNs, ByteBuffer fastOpenData) {
        this.nowNs = nowNs;
        if (tcb.state != CLOSED) {
            throw call(nowNs, "open", new TcpException(TcpError.ALREADY_OPEN));
        }
        if (remoteAddress.isMulticast() || remoteAddress.isLimitedBroadcast() || remoteAddress.isUnspecified()) {
            throw call(nowNs, "open", new TcpException(TcpError.BAD_ADDRESS,
                    "cannot open a TCP connection to " + remoteAddress + " (RFC 9293 MUST-46)"));
        }
        traceCall(nowNs, "open (active)", "ok");
        tcb.iss = ctx.isnGenerator().isn(nowNs, localAddress.hi(), localAddress.lo(), key.localPort(),
                remoteAddress.hi(), remoteAddress.lo(), key.remotePort());
        initSendSequence(nowNs);
        tcb.localMss = SynOptions.localMss(ctx, options, remoteAddress);
        int taken = fastOpenData == null ? 0 : prepareFastOpen(fastOpenData);
        setState(SYN_SENT, "open()");
        sender.sendSyn(nowNs, false, null);
        tcb.streakStartNs = nowNs;
        sender.armRetransmit(nowNs);
        timers.reschedule(this);
        return taken;
    }

    /**
     * RFC 7413 §4.2.1: the cookie (or a request for one) and the data for the first SYN. The data
     * is what fits the peer's MSS as cached (our own when unknown) and the path, less 40 bytes of
     * options, as Linux sizes it.
     */
    private int prepareFastOpen(ByteBuffer data) {
        FastOpen fo = ctx.fastOpen();
        if (!fo.has(FastOpen.CLIENT) || fo.synDataBlocked(remoteAddress)) {
            return 0;
        }
        byte[] cookie = fo.cachedCookie(remoteAddress);
        tcb.fastOpenExperimental = fo.useExperimental(remoteAddress);
        if (cookie == null && !fo.has(FastOpen.CLIENT_NO_COOKIE)) {
            tcb.fastOpenCookie = new byte[0];
            return 0;
        }
        tcb.fastOpenCookie = cookie;
        int peerMss = fo.cachedMss(remoteAddress);
        if (peerMss < 0) {
            peerMss = tcb.localMss; // Linux: the MSS we advertise, when none is cached
        }
        int pathMss = ctx.maxSendSegmentSize(remoteAddress) - TcpPacket.HEADER_LENGTH;
        int space = Math.min(pathMss, options.userMss > 0 ? Math.min(peerMss, options.userMss) : peerMss) - 40;
        int len = Math.min(data.remaining(), Math.max(space, 0));
        ByteBuffer slice = data.slice(data.position(), len);
        int n = tcb.sendBuf.write(slice, len);
        data.position(data.position() + n);
        tcb.sndBufEnd += n;
        tcb.synDataLength = n;
        tcb.sndNxt = tcb.iss + 1 + n;
        tcb.sndMax = tcb.sndNxt;
        return n;
    }

    /**
     * RFC 7413 §4.2.1, the client at the SYN,ACK: cache the cookie and MSS it brings; data the SYN
     * carried but the SYN,ACK does not acknowledge is sent again (SND.NXT falls back to SND.UNA).
     */
    private void onFastOpenSynAck(TcpSegment synAck) {
        FastOpen fo = ctx.fastOpen();
        // A cookie our SYN did not ask for (it carried no Fast Open option) is not cached (Linux ignores it).
        if (synAck.options.fastOpenLength > 0 && tcb.fastOpenCookie != null) {
            fo.cacheCookie(remoteAddress,
                    java.util.Arrays.copyOf(synAck.options.fastOpenCookie, synAck.options.fastOpenLength),
                    synAck.options.fastOpenExperimental);
        } else if (tcb.fastOpenCookie != null && tcb.fastOpenCookie.length == 0 && tcb.retransmits == 0) {
            fo.onCookieRequestIgnored(remoteAddress, tcb.fastOpenExperimental);
        }
        fo.cacheMss(remoteAddress, synAck.options.mss);
        if (tcb.synDataLength > 0) {
            tcb.synData = SeqNum.ge(tcb.sndUna, tcb.iss + 1 + tcb.synDataLength);
            fo.onSynDataOutcome(remoteAddress, false);
            int acked = Math.max(0, Math.min(SeqNum.diff(tcb.sndUna, tcb.iss + 1), tcb.sendBuf.length()));
            tcb.sendBuf.consume(acked);
            if (SeqNum.lt(tcb.sndNxt, tcb.sndMax) || !tcb.synData) {
                tcb.sndNxt = tcb.sndUna;
            }
        } else if (SeqNum.gt(tcb.sndUna, tcb.iss + 1)) {
            // The SYN with data timed out and went again without it, yet the server had the first
            // one: its SYN,ACK acknowledges the data, which is not sent again.
            tcb.sendBuf.consume(Math.min(SeqNum.diff(tcb.sndUna, tcb.iss + 1), tcb.sendBuf.length()));
            if (SeqNum.lt(tcb.sndNxt, tcb.sndUna)) {
                tcb.sndNxt = tcb.sndUna;
            }
        }
        tcb.synDataLength = 0;
        tcb.fastOpenCookie = null;
    }

    /**
     * RFC 8985 §5 needs SACK: with a SACK peer and {@link TcpConfig#rack()}, RACK-TLP recovery
     * replaces the duplicate-ACK room once the handshake has fixed the options.
     */
    private void chooseRecovery() {
        recoveryChosen = true;
        if (cfg.rack() && tcb.sackOk) {
            recovery = new RackRecovery(cfg, tcb, sender, timers, rtt);
            recovery.start();
        }
    }

    private void initSendSequence(long nowNs) {
        tcb.sndUna = tcb.iss;
        tcb.sndNxt = tcb.iss + 1;
        tcb.sndMax = tcb.iss + 1;
        tcb.sndBufEnd = tcb.iss + 1;
        recovery.start();
        sender.start();
        lastReceiveNs = nowNs;
        tcb.lastAckReceivedNs = nowNs;
    }

    /**
     * Passive OPEN, second half: the listener hands over a SYN (RFC 9293 §3.10.7.2, third check).
     * Sets RCV.NXT = SEG.SEQ + 1, IRS = SEG.SEQ, negotiates options, sends SYN,ACK and enters
     * SYN-RECEIVED.
     */
    void acceptSyn(long nowNs, TcpListener from, TcpSegment syn, int chosenIss) {
        acceptSyn(nowNs, from, syn, chosenIss, false, null, false);
    }

    /**
     * {@link #acceptSyn(long, TcpListener, TcpSegment, int)} with TCP Fast Open (RFC 7413 §4.2.2):
     * when {@code fastOpen}, the SYN's data is taken at once and the SYN,ACK acknowledges it; {@code
     * offerCookie}, when not null, goes in the SYN,ACK's Fast Open option.
     */
    void acceptSyn(long nowNs, TcpListener from, TcpSegment syn, int chosenIss, boolean fastOpen, byte[] offerCookie,
                   boolean experimental) {
        this.nowNs = nowNs;
        listener = from;
        passiveOpen = true;
        tcb.state = LISTEN;
        tcb.iss = chosenIss;
        initSendSequence(nowNs);
        receiver.onSyn(nowNs, syn);
        SynOptions.negotiate(ctx, tcb, options, remoteAddress, syn.options, true);
        // RFC 3168 §6.1.1: an ECN-setup SYN has both ECE and CWR; we agree with ECE on the SYN,ACK.
        tcb.ecnOk = cfg.ecn() != TcpConfig.EcnMode.OFF && syn.has(TcpFlags.ECE) && syn.has(TcpFlags.CWR);
        tcb.fastOpenCookie = offerCookie;
        tcb.fastOpenExperimental = experimental;
        if (fastOpen) {
            tcb.fastOpenChild = true;
            if (syn.payloadLength > 0) {
                receiver.storeSynData(syn);
                notify(EV_READABLE);
            }
            synFin = syn.isFin();
        } else if (offerCookie == null && !cfg.synDataOnlyFastOpen()) {
            holdSynPayload(syn);
        }
        // else RFC 7413 §4.2.2: a Fast Open SYN without a valid cookie has its data dropped, not held
        // (Linux does likewise): the client sends it again after the handshake.
        setState(SYN_RECEIVED, fastOpen ? "rcv SYN with Fast Open cookie" : "rcv SYN");
        sender.sendSyn(nowNs, true, null);
        tcb.streakStartNs = nowNs;
        sender.armRetransmit(nowNs);
        timers.reschedule(this);
    }

    /**
     * Builds an ESTABLISHED connection from an ACK that carried a valid SYN cookie (RFC 4987 §3.6):
     * the SYN was answered without state, so everything comes from the cookie and the ACK.
     */
    void acceptCookie(long nowNs, TcpListener from, TcpSegment ack, int peerIsn, int cookieIss, int peerMssFromCookie,
                      int peerWindowScale, boolean peerSack, boolean peerTs, int listenerTsOffset) {
        this.nowNs = nowNs;
        listener = from;
        tcb.tsOffset = listenerTsOffset;
        passiveOpen = true;
        tcb.state = LISTEN;
        tcb.iss = cookieIss;
        initSendSequence(nowNs);
        tcb.irs = peerIsn;
        tcb.rcvNxt = peerIsn + 1;
        tcb.rcvReadSeq = tcb.rcvNxt;
        SynOptions.negotiateFromCookie(ctx, tcb, options, remoteAddress, peerMssFromCookie, peerWindowScale, peerSack,
                peerTs);
        if (tcb.tsOk) {
            tcb.updateTsRecent(nowNs, ack.options.tsVal);
        }
        SynOptions.established(ctx, tcb, options, remoteAddress);
        setState(SYN_RECEIVED, "rcv ACK with valid SYN cookie");
    }

    private void holdSynPayload(TcpSegment syn) {
        if (syn.payloadLength > 0) {
            synPayload = syn.payloadBytes();
        }
        synFin = syn.isFin();
    }

    /** Data rode on the SYN and the peer took it, or we took the peer's (RFC 7413; Linux's TCPI_OPT_SYN_DATA). */
    public boolean synDataAccepted() {
        return tcb.synData;
    }

    /** A Fast Open server connection: it may send in SYN-RECEIVED (RFC 7413 §4.2.2). */
    public boolean isFastOpenChild() {
        return tcb.fastOpenChild;
    }

    // =================================================================================================
    // SEND (RFC 9293 §3.10.2)
    // =================================================================================================

    /**
     * Queues bytes from {@code src} (from its position) for sending; returns how many fitted in the
     * send buffer (possibly 0). In SYN-SENT and SYN-RECEIVED the data waits for ESTABLISHED.
     *
     * @param urgent marks the bytes as urgent: SND.UP moves to just after them (RFC 9293 §3.8.5,
     *               MUST-30/62)
     * @throws TcpException CLOSING after CLOSE or a reset, NOT_CONNECTED in CLOSED
     */
    public int send(long nowNs, ByteBuffer src, boolean urgent) {
        enter();
        try {
            return sendImpl(nowNs, src, urgent);
        } finally {
            leave();
        }
    }

    private int sendImpl(long nowNs, ByteBuffer src, boolean urgent) {
        this.nowNs = nowNs;
        switch (tcb.state) {
            case CLOSED, LISTEN -> throw call(nowNs, "send", new TcpException(
                    error != null ? error : TcpError.NOT_CONNECTED));
            case FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT -> throw call(nowNs, "send",
                    new TcpException(TcpError.CLOSING));
            default -> {
                if (tcb.finQueued) {
                    throw call(nowNs, "send", new TcpException(TcpError.CLOSING));
                }
            }
        }
        boolean queuesEmpty = tcb.sendBuf.isEmpty() && !SeqNum.lt(tcb.sndUna, tcb.sndMax);
        int asked = src.remaining();
        int n = notSentLowat() != Integer.MAX_VALUE && cfg.writeAccounting() ? queueLowat(nowNs, src)
                : queue(src, src.remaining());
        if (n > 0 && queuesEmpty) {
            sender.chrono.start(nowNs, SendChrono.BUSY); // tcp_skb_entail into empty queues
        }
        if (n < asked && tcb.sendBuf.free() == 0) {
            sender.chrono.start(nowNs, SendChrono.SNDBUF_LIMITED);
        }
        options.noPush = options.moreThisSend;
        options.noPushEnd = tcb.sndBufEnd;
        if (urgent && n > 0) {
            tcb.sndUp = tcb.sndBufEnd;
            tcb.sndUrgent = true;
        }
        if (ctx.tracer().isEnabled()) {
            traceCall(nowNs, "send " + n + (urgent ? " urgent" : ""), n + " queued");
        }
        if (n > 0 && (tcb.state == ESTABLISHED || tcb.state == CLOSE_WAIT
                || (tcb.state == SYN_RECEIVED && tcb.fastOpenChild))) {
            output(nowNs);
        }
        timers.reschedule(this);
        return n;
    }

    /** Copies up to {@code len} bytes of {@code src} into the send buffer; returns how many. */
    private int queue(ByteBuffer src, int len) {
        int n = tcb.sendBuf.write(src, len);
        tcb.sndBufEnd += n;
        return n;
    }

    /**
     * A write under a not-sent low-water mark, as Linux's {@code tcp_sendmsg} takes it ({@link
     * WriteAccounting}): skb by skb of the size goal, each full one pushed at once, until a new skb
     * is due while the unsent bytes reach the mark.
     */
    private int queueLowat(long nowNs, ByteBuffer src) {
        if (writeAccounting == null) {
            writeAccounting = new WriteAccounting();
        }
        int n = 0;
        while (src.hasRemaining()) {
            int piece = writeAccounting.nextPiece(tcb.sndNxt, tcb.sndBufEnd, sender.sizeGoal(), notSentLowat(),
                    src.remaining());
            int w = piece == 0 ? 0 : queue(src, piece);
            n += w;
            if (w == 0 || w < piece || !src.hasRemaining()) {
                break;
            }
            if (tcb.state == ESTABLISHED || tcb.state == CLOSE_WAIT) {
                output(nowNs); // tcp_push_one: a full skb leaves at once
            }
        }
        return n;
    }

    /**
     * Ends a record where the bytes queued so far end (Linux's MSG_EOR): no segment, first
     * transmission or retransmission, carries bytes from both sides of this point.
     */
    public void markRecordEnd() {
        if (tcb.sendBuf.length() > 0 || SeqNum.gt(tcb.sndBufEnd, tcb.sndUna)) {
            sender.records.add(tcb.sndBufEnd);
        }
    }

    /**
     * {@link #send(long, ByteBuffer)} with Linux's MSG_MORE: more data follows, so this send leaves
     * its last short piece queued (as under {@link #cork}) and marks no PSH where it ends; the next
     * event that sends (an ACK, a later send) treats the piece as usual.
     */
    public int sendMore(long nowNs, ByteBuffer src) {
        options.moreThisSend = true;
        try {
            return send(nowNs, src, false);
        } finally {
            options.moreThisSend = false;
        }
    }

    /** {@link #send(long, ByteBuffer, boolean)} without urgent data. */
    public int send(long nowNs, ByteBuffer src) {
        return send(nowNs, src, false);
    }

    // =================================================================================================
    // RECEIVE (RFC 9293 §3.10.3)
    // =================================================================================================

    /**
     * Reads in-order bytes into {@code dst}.
     *
     * @return bytes read; 0 when none are available yet; -1 at end of stream (the peer's FIN, with
     *     everything before it read)
     * @throws TcpException RESET, REFUSED or TIMED_OUT after the connection failed; NOT_CONNECTED
     *     before it opened
     */
    public int receive(long nowNs, ByteBuffer dst) {
        enter();
        try {
            return receiveImpl(nowNs, dst);
        } finally {
            leave();
        }
    }

    private int receiveImpl(long nowNs, ByteBuffer dst) {
        this.nowNs = nowNs;
        if (error != null && tcb.rcvBuf.readable() == 0) {
            // Data left by a failure (TcpConfig.failureKeepsReceived) is read before the error.
            throw call(nowNs, "receive", new TcpException(error));
        }
        int n = receiver.read(nowNs, dst);
        if (error != null) {
            return n;
        }
        if (n == 0) {
            if (tcb.finReceived) {
                return -1;
            }
            if (tcb.state == CLOSED) {
                throw call(nowNs, "receive", new TcpException(error != null ? error : TcpError.NOT_CONNECTED));
            }
            return 0;
        }
        if (tcb.state.isSynchronized() && tcb.state != SYN_RECEIVED && !tcb.finReceived) {
            // §3.8.6.2.2: announce a window the read opened, if receiver SWS avoidance allows. (Not
            // in SYN-RECEIVED, where only a Fast Open connection has data: the SYN,ACK is pending.)
            if (sender.windowUpdateDue()) {
                sender.ackNow = true;
                output(nowNs);
            }
        }
        timers.reschedule(this);
        return n;
    }

    // =================================================================================================
    // CLOSE and ABORT (RFC 9293 §3.10.4, §3.10.5)
    // =================================================================================================

    /**
     * CLOSE: "I have no more data to send." The receive side stays open until the peer's FIN
     * (half-close, §3.6.1). Idempotent once closing.
     *
     * @throws TcpException NOT_CONNECTED in CLOSED
     */
    public void close(long nowNs) {
        enter();
        try {
            closeImpl(nowNs);
        } finally {
            leave();
        }
    }

    private void closeImpl(long nowNs) {
        this.nowNs = nowNs;
        traceCall(nowNs, "close", "ok");
        switch (tcb.state) {
            case CLOSED -> throw new TcpException(error != null ? error : TcpError.NOT_CONNECTED);
            case LISTEN, SYN_SENT -> {
                // SYN-SENT: "Delete the TCB and return 'error: closing' responses to any queued SENDs."
                setState(CLOSED, "close() in " + tcb.state);
                return;
            }
            case SYN_RECEIVED -> {
                // Queue the FIN; it leaves once the handshake completes, or now if no data is queued.
                queueFin();
                if (tcb.sendBuf.isEmpty()) {
                    setState(FIN_WAIT_1, "close()");
                    output(nowNs);
                }
            }
            case ESTABLISHED -> {
                queueFin();
                setState(FIN_WAIT_1, "close()");
                output(nowNs);
            }
            case CLOSE_WAIT -> {
                queueFin();
                setState(LAST_ACK, "close()");
                output(nowNs);
            }
            default -> {
                // FIN-WAIT-1/2, CLOSING, LAST-ACK, TIME-WAIT: already closing; the RFC permits "ok".
            }
        }
        timers.reschedule(this);
    }

    private void queueFin() {
        if (!tcb.finQueued) {
            tcb.finQueued = true;
            tcb.finSeq = tcb.sndBufEnd;
        }
    }

    /**
     * A full close for socket-style applications: MAY-1 (half-duplex close, no more reading) with
     * SHLD-3: if received data is still unread, the connection is reset so the peer learns that
     * data was lost; data arriving later is answered the same way.
     *
     * <p>The application gives the connection up: once it reaches TIME-WAIT, only the host's compact
     * {@link TimeWaitEntry} follows it to CLOSED, and this object stays in TIME-WAIT (it is not kept
     * alive for 2×MSL just to be updated).
     */
    public void closeFully(long nowNs) {
        enter();
        try {
            closeFullyImpl(nowNs);
        } finally {
            leave();
        }
    }

    private void closeFullyImpl(long nowNs) {
        this.nowNs = nowNs;
        if (tcb.rcvBuf.readable() > 0 && tcb.state.isSynchronized()) {
            traceCall(nowNs, "close with unread data", "RST (SHLD-3)");
            abort(nowNs);
            return;
        }
        receiveShutdown = true;
        if (timeWaitEntry != null) {
            // Half-closed, read to the end, then closed in TIME-WAIT: the record lets go of this
            // object, as it would have had the application closed before TIME-WAIT.
            timeWaitEntry.releaseOwner();
            timeWaitEntry = null;
        }
        if (tcb.state == CLOSED) {
            return;
        }
        close(nowNs);
        if (tcb.state == FIN_WAIT_2) {
            armFinWait2(nowNs);
            timers.reschedule(this);
        }
    }

    /**
     * ABORT: sends RST where the peer has state (SYN-RECEIVED and every state until CLOSE-WAIT) and
     * deletes the TCB (§3.10.5).
     */
    public void abort(long nowNs) {
        enter();
        try {
            abortImpl(nowNs);
        } finally {
            leave();
        }
    }

    private void abortImpl(long nowNs) {
        this.nowNs = nowNs;
        traceCall(nowNs, "abort", "ok");
        switch (tcb.state) {
            case CLOSED, LISTEN -> {
                return;
            }
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> sender.sendAbortRst(nowNs, null);
            case TIME_WAIT -> {
                // §3.10.5: "respond with ok and delete the TCB". Both FINs were exchanged and the
                // close already reported, so no error and no second report; the host's TIME-WAIT
                // record still guards the 4-tuple for the rest of 2×MSL.
                setStateOnly(CLOSED, "abort() in TIME-WAIT");
                return;
            }
            default -> {
                // SYN-SENT: nothing to reset; CLOSING, LAST-ACK: respond ok, no RST.
            }
        }
        fail(TcpError.ABORTED, "abort()");
    }

    // =================================================================================================
    // ICMP errors (RFC 9293 §3.9.2.2; RFC 5927, RFC 5461)
    // =================================================================================================

    /**
     * An ICMP error the host matched to this connection, after RFC 5927's checks (MUST-54:
     * "directing it to the connection that created the error"). A hard error (port, protocol or host
     * unreachable, per the host's reading) aborts a connection still being established, SYN-SENT or
     * SYN-RECEIVED, with the error's own meaning ({@code REFUSED} for port unreachable), reported by
     * {@link TcpHandler#onClosed}. Otherwise, and for hard errors in synchronized states (Linux and
     * RFC 5461), it is a soft error: reported through {@link TcpHandler#onSoftError} when soft error
     * reports are on (SHLD-25, SHLD-20), and it never aborts the connection (MUST-56).
     *
     * @param hard whether the host classed the error as hard (RFC 1122 §4.2.3.9)
     */
    public void onIcmpError(long nowNs, TcpError error, boolean hard) {
        enter();
        try {
            onIcmpErrorImpl(nowNs, error, hard);
        } finally {
            leave();
        }
    }

    private void onIcmpErrorImpl(long nowNs, TcpError error, boolean hard) {
        this.nowNs = nowNs;
        if (cfg.failureKeepsReceived() && (tcb.state == SYN_SENT || tcb.state == SYN_RECEIVED)
                && !(tcb.fastOpenChild && listener == null)) {
            // Linux (tcp_v4_err): any error ends a connection still opening, unless it is a Fast
            // Open child the application already accepted, which counts as connected.
            hard = true;
        }
        if (hard && (tcb.state == SYN_SENT || tcb.state == SYN_RECEIVED)) {
            if (tcb.state == SYN_RECEIVED && cfg.failureKeepsReceived() && passiveOpen && !tcb.fastOpenChild) {
                // Linux (tcp_req_err): the request is dropped silently, the peer learns nothing.
                returnToListen("rcv ICMP error (" + error.message() + ")");
                return;
            }
            if (tcb.state == SYN_RECEIVED && !cfg.failureKeepsReceived()) {
                // As ABORT (§3.10.5): the peer's side holds state from our SYN,ACK.
                sender.sendRst(nowNs, tcb.sndMax, null);
            }
            fail(error, "rcv ICMP error (" + error.message() + ")");
            return;
        }
        if (options.softErrorReports && tcb.state != CLOSED) {
            softError = error;
            notify(EV_SOFT_ERROR);
        }
    }

    /**
     * The path MTU towards the peer was lowered by an ICMP error quoting this connection (RFC 1191,
     * RFC 8201). In SYN-SENT the SYN (or the SYN with data) was too big: as Linux ({@code
     * tcp_v4_mtu_reduced}, {@code tcp_simple_retransmit}) the SYN goes again at once, plain (its data
     * and cookie wait for the handshake), announcing the MSS of the new path. In the other states the
     * segment size is already lowered ({@link #maxSegmentSize(int)}, from {@code oldMss}): what is in
     * flight at the old size is resent at once at the new one, as the window allows, without a
     * congestion response ({@link LossRecovery#onPathMtuLowered}).
     */
    public void onPathMtuLowered(long nowNs, int oldMss) {
        enter();
        try {
            this.nowNs = nowNs;
            if (tcb.state != SYN_SENT) {
                if (tcb.state.isSynchronized() && SeqNum.lt(tcb.sndUna, tcb.sndMax) && tcb.effMss < oldMss) {
                    recovery.onPathMtuLowered(nowNs, oldMss, tcb.effMss);
                    output(nowNs);
                    recovery.armRetransmitTimer(nowNs);
                }
                return;
            }
            tcb.localMss = Math.min(tcb.localMss, ctx.maxSendSegmentSize(remoteAddress) - TcpPacket.HEADER_LENGTH);
            if (tcb.synDataLength > 0) {
                tcb.synDataLength = 0;
                tcb.sndNxt = tcb.iss + 1;
            }
            tcb.retransmits++;
            sender.sendSyn(nowNs, false, "retransmission (path MTU)");
        } finally {
            leave();
        }
    }

    // =================================================================================================
    // STATUS (RFC 9293 §3.10.6)
    // =================================================================================================

    public ConnectionStatus status() {
        int unsent = Math.max(0, SeqNum.diff(tcb.sndBufEnd, tcb.sndNxt));
        int urgentPending = tcb.rcvUrgent ? Math.max(0, SeqNum.diff(tcb.rcvUp, tcb.rcvReadSeq)) : 0;
        Tcb t = tcb;
        return new ConnectionStatus(t.state, key, t.iss, t.irs, t.sndUna, t.sndNxt, t.sndWnd, t.rcvNxt,
                t.receiveWindow(), t.sndWndScale, t.rcvWndScale, t.effMss, t.peerMss, t.tsOk, t.sackOk, rtt.srttNs(),
                rtt.rttvarNs(), rtt.rtoNs(), t.cc == null ? 0 : t.cc.cwnd(), t.cc == null ? 0 : t.cc.ssthresh(),
                t.rcvBuf.readable(), unsent, t.flightSize(), urgentPending, sender.segmentsSent, segmentsReceived,
                sender.bytesSent, receiver.bytesReceived, sender.retransmissionsTotal, recovery.duplicateAcks(), t.wsOk,
                t.ecnOk, receiver.ceReceived, ecnReductions, t.cc == null ? "" : t.cc.algorithm().linuxName(),
                recovery.timeouts(), recovery.spuriousRetransmissions(),
                recovery instanceof RackRecovery ? "rack" : "dupack", recovery.isInRecovery(), t.localMss,
                sender.ackPolicy.receiveMss(), sender.ackPolicy.lastTextNs(), recovery.sackedSegments(),
                recovery.lostSegments(), recovery.retransmittedOutSegments(), recovery.reordering(),
                recovery.reorderingSeen(), caState(), sender.chrono.busyNs(nowNs),
                sender.chrono.timeNs(SendChrono.RWND_LIMITED, nowNs), sender.chrono.timeNs(SendChrono.SNDBUF_LIMITED, nowNs),
                sender.chrono.type(), nowNs);
    }

    /** Linux's congestion-avoidance state: the recovery's, or CWR while an ECN-Echo's reduction is under way. */
    private int caState() {
        int s = recovery.caState();
        boolean ecnReducing = ecnReductions > 0 && SeqNum.lt(tcb.sndUna, sender.ecnRecover);
        return s < LossRecovery.CA_RECOVERY && ecnReducing ? LossRecovery.CA_CWR : s;
    }

    // =================================================================================================
    // SEGMENT ARRIVES (RFC 9293 §3.10.7)
    // =================================================================================================

    /**
     * A segment for this connection arrived (already checksummed and demultiplexed by the host).
     *
     * @return null when the segment was processed, or why it was discarded
     */
    public DropReason onSegment(long nowNs, TcpSegment seg) {
        enter();
        try {
            return onSegmentImpl(nowNs, seg);
        } finally {
            leave();
        }
    }

    private DropReason onSegmentImpl(long nowNs, TcpSegment seg) {
        this.nowNs = nowNs;
        segmentsReceived++;
        receivedTos = seg.tos;
        DropReason r = switch (tcb.state) {
            case CLOSED -> {
                respondToClosed(seg);
                yield DropReason.TCP_NO_CONNECTION;
            }
            case SYN_SENT -> onSegmentInSynSent(nowNs, seg);
            case LISTEN, TIME_WAIT -> DropReason.TCP_DISCARDED;
            default -> onSegmentSynchronized(nowNs, seg);
        };
        if (tcb.state != CLOSED) {
            timers.reschedule(this);
        }
        return r;
    }

    /** §3.10.7.1: a segment for a closed connection draws a RST unless it is one. */
    private void respondToClosed(TcpSegment seg) {
        if (seg.isRst()) {
            return;
        }
        if (seg.isAck()) {
            sender.sendRst(nowNs, seg.ack, null);
        } else {
            sender.sendRstAck(nowNs, 0, seg.seq + seg.seqLength());
        }
    }

    /** §3.10.7.3 SYN-SENT. */
    private DropReason onSegmentInSynSent(long nowNs, TcpSegment seg) {
        // First, check the ACK bit.
        if (seg.isAck() && (SeqNum.le(seg.ack, tcb.iss) || SeqNum.gt(seg.ack, tcb.sndMax))) {
            if (!seg.isRst()) {
                sender.sendRst(nowNs, seg.ack, "unacceptable ACK in SYN-SENT");
            }
            return DropReason.TCP_ACK_NOT_ACCEPTABLE;
        }
        if (cfg.synAckEchoCheck() && seg.isAck() && cfg.timestamps() && seg.options.hasTimestamps
                && seg.options.tsEcr != 0 && tcb.synSentNs >= 0
                && !(SeqNum.ge(seg.options.tsEcr, tcb.tsNow(tcb.synSentNs)) && SeqNum.le(seg.options.tsEcr, tcb.tsNow(nowNs)))) {
            // Linux: an echo of no TSval we sent is a stale or forged ACK; reset it, stay in SYN-SENT.
            if (!seg.isRst()) {
                sender.sendRst(nowNs, seg.ack, "TSecr echoes no TSval of ours in SYN-SENT");
            }
            return DropReason.TCP_ACK_NOT_ACCEPTABLE;
        }
        // Second, the RST bit: with an acceptable ACK the connection was refused.
        if (seg.isRst()) {
            if (seg.isAck()) {
                fail(TcpError.REFUSED, "rcv RST,ACK");
                return null;
            }
            return DropReason.TCP_RST_NOT_ACCEPTED;
        }
        // Fourth, the SYN bit.
        if (!seg.isSyn()) {
            return DropReason.TCP_DISCARDED;
        }
        lastReceiveNs = nowNs;
        receiver.onSyn(nowNs, seg);
        SynOptions.negotiate(ctx, tcb, options, remoteAddress, seg.options, false);
        if (seg.isAck()) {
            tcb.sndUna = seg.ack;
            tcb.sndWl2 = seg.ack;
        }
        if (SeqNum.gt(tcb.sndUna, tcb.iss) && (tcb.fastOpenCookie != null || tcb.synDataLength > 0
                || SeqNum.gt(tcb.sndUna, tcb.iss + 1))) {
            onFastOpenSynAck(seg);
        }
        if (SeqNum.gt(tcb.sndUna, tcb.iss)) {
            // RFC 3168 §6.1.1: an ECN-setup SYN,ACK has ECE without CWR (both set is a reflection of
            // our own SYN by a broken middlebox, not an agreement).
            tcb.ecnOk = tcb.ecnRequested && seg.has(TcpFlags.ECE) && !seg.has(TcpFlags.CWR);
            // Our SYN is acknowledged: ESTABLISHED. Sample the RTT unless the SYN was retransmitted (Karn).
            if (tcb.tsOk && seg.options.tsEcr != 0) {
                rtt.sample(tcb.tsTicksToNs(tcb.tsNow(nowNs) - seg.options.tsEcr));
            } else if (tcb.retransmits == 0) {
                rtt.sample(nowNs - tcb.synSentNs);
            }
            if (tcb.retransmits > 0) {
                rtt.onHandshakeWithoutSample(); // RFC 6298 §5.7
            }
            tcb.retransmits = 0;
            tcb.lastAckReceivedNs = nowNs;
            timers.disarm(nowNs, TimerKind.RETRANSMISSION);
            holdSynPayload(seg);
            setState(ESTABLISHED, "rcv SYN,ACK");
            armKeepAlive(nowNs);
            notify(EV_CONNECTED);
            sender.ackNow = true;
            processHeldSynData(nowNs);
            output(nowNs);
            return null;
        }
        // Simultaneous open (MUST-10): SYN without ACK of ours.
        if (!cfg.synDataOnlyFastOpen()) {
            holdSynPayload(seg);
        }
        setState(SYN_RECEIVED, "rcv SYN (simultaneous open)");
        // RFC 7413 §4.2.1: a client's cookie belongs on its SYN only; the SYN,ACK goes without it (as Linux's).
        tcb.fastOpenCookie = null;
        sender.sendSyn(nowNs, true, null);
        return null;
    }

    /** §3.10.7.4: SYN-RECEIVED and every later state, in the RFC's order of checks. */
    private DropReason onSegmentSynchronized(long nowNs, TcpSegment seg) {
        // RFC 7323 §5.3 R1: PAWS runs before the sequence-number check.
        if (tcb.tsOk && seg.options.hasTimestamps && !seg.isRst() && tcb.tsRecentValid(nowNs)
                && SeqNum.lt(seg.options.tsVal, tcb.tsRecent)) {
            if (!invalidAckLimited(nowNs, seg)) {
                sender.ackNow = true;
                output(nowNs);
            }
            return DropReason.TCP_PAWS;
        }

        // Retransmitted SYN or simultaneous-open SYN,ACK: the SYN itself is old (it is IRS).
        if (seg.isSyn() && seg.seq == tcb.irs && tcb.state == SYN_RECEIVED) {
            if (!seg.isAck()) {
                // Deviation, as Linux: a retransmitted SYN means our SYN,ACK may be lost; resend it.
                sender.sendSyn(nowNs, true, "retransmission (duplicate SYN)");
                return null;
            }
            // Simultaneous open (Figure 8, line 6): drop the old SYN and process the ACK. Linux
            // (synDataOnlyFastOpen) reports the duplicate SYN at once in a D-SACK (RFC 2883).
            if (tcb.sackOk && cfg.synDataOnlyFastOpen()) {
                tcb.dsackPending = true;
                tcb.dsackStart = seg.seq;
                tcb.dsackEnd = seg.seq + 1;
                sender.ackNow = true;
            }
            seg.flags &= ~TcpFlags.SYN;
            seg.seq += 1;
        }

        // First, check the sequence number.
        int segLen = seg.seqLength();
        int rcvWnd = tcb.receiveWindow();
        // Deviation from §3.10.7.4's literal acceptability test, as Linux (tcp_sequence accepts a
        // segment whose end is not before RCV.NXT): a segment that ends exactly at RCV.NXT is
        // accepted for its ACK, its old text and FIN trimmed away and a duplicate ACK owed as the
        // test would have sent one. The case that matters is the peer's retransmitted FIN that also
        // acknowledges ours in CLOSING: dropped whole, it would leave us waiting a full RTO to
        // retransmit our FIN before reaching TIME-WAIT.
        // Only segments that reach the ACK step qualify (ACK set, no SYN, no RST), and not in
        // SYN-RECEIVED (Linux's tcp_check_req keeps the strict test there); the others keep the
        // RFC's answer, an ACK for an unacceptable segment.
        boolean endsAtRcvNxt = segLen > 0 && seg.seq + segLen == tcb.rcvNxt && seg.isAck() && !seg.isSyn()
                && !seg.isRst() && tcb.state != SYN_RECEIVED;
        if (endsAtRcvNxt) {
            sender.ackNow = true;
        } else if (!receiver.acceptable(seg.seq, segLen, rcvWnd)) {
            // MUST-66: with a zero window, still process the ACK, URG and RST of a segment at RCV.NXT.
            boolean zeroWindowAllowance = rcvWnd == 0 && seg.seq == tcb.rcvNxt;
            if (!zeroWindowAllowance) {
                noteDuplicate(seg);
                if (seg.isSyn() && !seg.isRst()) {
                    // RFC 5961 §4.2, as Linux: any SYN here, in the window or not, draws a challenge ACK.
                    sender.sendChallengeAck(nowNs, "challenge ACK (SYN out of window)");
                } else if (!seg.isRst() && !invalidAckLimited(nowNs, seg)) {
                    sender.ackNow = true;
                    output(nowNs);
                }
                return DropReason.TCP_SEQ_NOT_ACCEPTABLE;
            }
            seg.payloadLength = 0;
            seg.flags &= ~TcpFlags.FIN;
            // §3.8.6.1: "it must still send an acknowledgment showing its next expected sequence
            // number and current window (zero)" — this is how a probing peer learns the window.
            sender.ackNow = true;
        }
        lastReceiveNs = nowNs;
        keepAliveProbes = 0;
        if (tcb.ecnOk) {
            receiver.noteEcnMarks(seg);
        }

        // Second, check the RST bit (RFC 5961 §3.2).
        if (seg.isRst()) {
            return onRst(nowNs, seg);
        }

        // Fourth, check the SYN bit (RFC 5961 §4): any SYN here draws a challenge ACK.
        if (seg.isSyn()) {
            if (tcb.state == SYN_RECEIVED && passiveOpen) {
                // §3.10.7.4: "If the connection was initiated with a passive OPEN, then return this
                // connection to the LISTEN state and return."
                returnToListen("rcv SYN in window");
                return null;
            }
            sender.sendChallengeAck(nowNs, "challenge ACK (SYN)");
            return DropReason.TCP_DISCARDED;
        }

        // Trim what lies outside the window (§3.10.7.4: "only the new parts are processed").
        noteDuplicate(seg);
        receiver.trim(seg);

        // Fifth, check the ACK field.
        if (!seg.isAck()) {
            return DropReason.TCP_NO_ACK;
        }
        DropReason ackResult = onAck(nowNs, seg);
        if (ackResult != null || tcb.state == CLOSED || tcb.state == TIME_WAIT || tcb.state == LISTEN) {
            return ackResult;
        }

        // RFC 7323 §4.3: update TS.Recent when the segment covers Last.ACK.sent.
        if (tcb.tsOk && seg.options.hasTimestamps && SeqNum.le(seg.seq, tcb.lastAckSent)
                && SeqNum.ge(seg.options.tsVal, tcb.tsRecent)) {
            tcb.updateTsRecent(nowNs, seg.options.tsVal);
        }

        // Sixth, check the URG bit.
        if (seg.has(TcpFlags.URG) && receiver.onUrgentPointer(seg)) {
            notify(EV_URGENT);
        }

        // Seventh, process the segment text.
        if (seg.payloadLength > 0) {
            onText(nowNs, seg);
            if (tcb.state == CLOSED) {
                return null;
            }
        }

        // Eighth, check the FIN bit.
        if (seg.isFin()) {
            int at = seg.seq + seg.payloadLength;
            if (at == tcb.rcvNxt) {
                onFin(nowNs, "rcv FIN");
            } else if (SeqNum.gt(at, tcb.rcvNxt)) {
                tcb.finPending = true;
                tcb.pendingFinSeq = at;
                sender.ackNow = true;
            }
        }
        if (tcb.state != CLOSED && tcb.state != TIME_WAIT) {
            output(nowNs);
        }
        return null;
    }

    /**
     * Whether the ACK that answers an invalid (out-of-window or PAWS-failed) segment is skipped by the
     * per-connection limit. As Linux ({@code tcp_oow_rate_limited}): a segment carrying data or FIN
     * is always answered (a retransmission whose ACK was lost needs one; it is not part of an ACK
     * loop), a bare ACK within {@link TcpConfig#invalidRateLimitNs()} of the last such answer is not.
     */
    private boolean invalidAckLimited(long nowNs, TcpSegment seg) {
        return seg.seqLength() == 0 && sender.outOfWindowRateLimited(nowNs);
    }

    /** RCV.WND: what the peer may send beyond RCV.NXT, as last advertised. */
    private int receiveWindow() {
        return Math.max(0, SeqNum.diff(tcb.rcvAdvertisedEdge, tcb.rcvNxt));
    }

    /** Second check: RST (RFC 5961 §3.2 then the per-state rules of §3.10.7.4). */
    private DropReason onRst(long nowNs, TcpSegment seg) {
        if (seg.seq != tcb.rcvNxt) {
            // In window but not exact: challenge ACK; the true peer answers with an exact RST.
            sender.sendChallengeAck(nowNs, "challenge ACK (RST in window)");
            return DropReason.TCP_RST_NOT_ACCEPTED;
        }
        switch (tcb.state) {
            case SYN_RECEIVED -> {
                if (tcb.fastOpenChild) {
                    // A Fast Open connection already belongs to the application: it is reset, not
                    // returned to LISTEN. With failureKeepsReceived (Linux) an unaccepted one stays
                    // acceptable, its SYN data readable before ECONNRESET; else it is forgotten.
                    fail(TcpError.RESET, "rcv RST");
                } else if (passiveOpen) {
                    returnToListen("rcv RST");
                } else {
                    fail(TcpError.REFUSED, "rcv RST");
                }
            }
            // CLOSING, LAST-ACK: "enter the CLOSED state, delete the TCB and return" (our FIN's fate
            // is moot). The RFC tells the user nothing there; Linux and FreeBSD report ECONNRESET
            // (SO_ERROR) as in the other synchronized states, and so do we: the application that
            // shut down its sending side may still be waiting to learn how the connection ended.
            default -> fail(TcpError.RESET, "rcv RST");
        }
        return null;
    }

    /** MUST-11: a passive connection in SYN-RECEIVED goes back to LISTEN: the listener simply forgets it. */
    private void returnToListen(String cause) {
        timers.clear();
        TcpListener l = listener;
        setStateOnly(LISTEN, cause);
        if (l != null) {
            l.forget(this);
        }
        ctx.onClosed(this);
    }

    /** Fifth check: the ACK field. Returns a drop reason, or null to go on. */
    private DropReason onAck(long nowNs, TcpSegment seg) {
        if (tcb.state == SYN_RECEIVED) {
            if (SeqNum.lt(tcb.sndUna, seg.ack) && SeqNum.le(seg.ack, tcb.sndMax)) {
                if (passiveOpen && listener != null && !tcb.fastOpenChild && !listener.hasRoomToAccept()) {
                    // Accept queue full: stay in SYN-RECEIVED and let the peer retransmit (as Linux does).
                    return DropReason.TCP_LISTEN_OVERFLOW;
                }
                tcb.sndWnd = tcb.scaledWindow(seg);
                tcb.maxSndWnd = Math.max(tcb.maxSndWnd, tcb.sndWnd);
                tcb.sndWl1 = seg.seq;
                tcb.sndWl2 = seg.ack;
                if (tcb.retransmits > 0) {
                    // RFC 6298 §5.7: our SYN,ACK timed out; unless a timestamp gives a sample below, RTO 3 s.
                    rtt.onHandshakeWithoutSample();
                }
                setState(ESTABLISHED, passiveOpen ? "rcv ACK of SYN" : "rcv ACK of SYN (simultaneous open)");
                armKeepAlive(nowNs);
                if (listener != null) {
                    listener.onEstablished(this);
                    notify(EV_ACCEPTABLE);
                } else {
                    notify(EV_CONNECTED);
                }
                processHeldSynData(nowNs);
                // The held SYN text moved RCV.NXT past the start of this segment when the peer sent
                // it again: "only the new parts are processed" (§3.10.7.4), so trim once more.
                receiver.trim(seg);
                if (tcb.finQueued) {
                    setState(FIN_WAIT_1, "queued close()");
                }
            } else {
                int cookie = passiveOpen && listener != null
                        ? listener.cookieAckIndex(nowNs, localAddress, remoteAddress, seg, tcb.irs) : -1;
                if (cookie >= 0) {
                    // The peer completed the handshake of a SYN cookie sent to an earlier copy of its
                    // SYN: it is ESTABLISHED. Give way to the connection the cookie rebuilds rather
                    // than reset a peer that did nothing wrong (a connection storm showed it).
                    TcpListener l = listener;
                    int peerIsn = tcb.irs;
                    returnToListen("ACK of an earlier SYN cookie");
                    return l.onCookieAck(nowNs, localAddress, remoteAddress, seg, cookie, peerIsn);
                }
                sender.sendRst(nowNs, seg.ack, "unacceptable ACK in SYN-RECEIVED");
                return DropReason.TCP_ACK_NOT_ACCEPTABLE;
            }
        }
        // RFC 5961 §5.2: acceptable only if SND.UNA − MAX.SND.WND <= SEG.ACK <= SND.MAX.
        if (SeqNum.gt(seg.ack, tcb.sndMax)) {
            sender.sendChallengeAck(nowNs, "ACK for unsent data");
            return DropReason.TCP_ACK_NOT_ACCEPTABLE;
        }
        if (SeqNum.lt(seg.ack, tcb.sndUna - Math.max(tcb.maxSndWnd, 1))) {
            sender.sendChallengeAck(nowNs, "challenge ACK (old ACK)");
            return DropReason.TCP_ACK_NOT_ACCEPTABLE;
        }
        tcb.lastAckReceivedNs = nowNs;
        if (tcb.sackOk && seg.options.sackBlocks > 0) {
            recovery.onSackBlocks(seg);
        }
        boolean advancesUna = SeqNum.gt(seg.ack, tcb.sndUna);
        if (advancesUna) {
            onNewAck(nowNs, seg);
        } else if (seg.ack == tcb.sndUna) {
            recovery.onPossibleDuplicateAck(nowNs, seg);
        }
        updateSendWindow(nowNs, seg, advancesUna);
        if (tcb.ecnOk && seg.has(TcpFlags.ECE)) {
            onEcnEcho();
        }

        switch (tcb.state) {
            case FIN_WAIT_1 -> {
                // A FIN in this same segment takes FIN-WAIT-1 straight to TIME-WAIT in the eighth
                // step ("if our FIN has been ACKed (perhaps in this segment)"), skipping FIN-WAIT-2.
                boolean finFollows = seg.isFin() && seg.seq == tcb.rcvNxt;
                if (tcb.finAcked() && !finFollows) {
                    setState(FIN_WAIT_2, "rcv ACK of FIN");
                    if (receiveShutdown) {
                        armFinWait2(nowNs);
                    }
                }
            }
            case CLOSING -> {
                if (tcb.finAcked()) {
                    enterTimeWait(nowNs, "rcv ACK of FIN");
                }
            }
            case LAST_ACK -> {
                if (tcb.finAcked()) {
                    setState(CLOSED, "rcv ACK of FIN");
                }
            }
            default -> {
            }
        }
        return null;
    }

    /** RFC 2883 §4: a duplicate is reported in the next ACK's first SACK block ({@link Receiver#noteDuplicate}). */
    private void noteDuplicate(TcpSegment seg) {
        receiver.noteDuplicate(seg);
    }

    private boolean finAcked() {
        return tcb.finQueued && SeqNum.gt(tcb.sndUna, tcb.finSeq);
    }

    private int scaledWindow(TcpSegment seg) {
        return seg.isSyn() ? seg.window : seg.window << tcb.sndWndScale;
    }

    /** SND.UNA < SEG.ACK <= SND.MAX: new data acknowledged. */
    private void onNewAck(long nowNs, TcpSegment seg) {
        int ack = seg.ack;
        int acked = SeqNum.diff(ack, tcb.sndUna);
        boolean synWasUnacked = tcb.sndUna == tcb.iss;
        int bufStart = tcb.sndBufEnd - tcb.sendBuf.length();
        int dataAcked = SeqNum.diff(SeqNum.min(ack, tcb.sndBufEnd), bufStart);
        if (dataAcked > 0) {
            tcb.sendBuf.consume(dataAcked);
        }
        int flightBefore = SeqNum.diff(tcb.sndMax, tcb.sndUna);
        if (dataAcked > 0) {
            boolean queued = !tcb.sendBuf.isEmpty();
            if (!queued || tcb.sendBuf.free() > 0) {
                // tcp_check_space: the buffer has room again (or the queues are empty: the clock stops).
                sender.chrono.stop(nowNs, SendChrono.SNDBUF_LIMITED, queued);
            }
        }

        // RTT sample (RFC 7323 §4 with timestamps, else Karn's rule on the one timed segment). A
        // connection rebuilt from a SYN cookie did not time its handshake, and the cookie's TSecr
        // carries option bits: no sample from that first ACK.
        boolean cookieHandshake = synWasUnacked && tcb.synSentNs < 0;
        if (!cookieHandshake) {
            if (tcb.tsOk && seg.options.hasTimestamps && seg.options.tsEcr != 0) {
                int ticks = tcb.tsNow(nowNs) - seg.options.tsEcr;
                if (ticks >= 0) {
                    rtt.sample(tcb.tsTicksToNs(ticks));
                }
            } else if (synWasUnacked && tcb.retransmits == 0) {
                rtt.sample(nowNs - tcb.synSentNs);
            } else {
                rtt.sampleTimed(ack, nowNs);
            }
        }
        tcb.sndUna = ack;
        if (SeqNum.lt(tcb.sndNxt, tcb.sndUna)) {
            tcb.sndNxt = tcb.sndUna;
        }
        tcb.retransmits = 0;
        // Karn (MUST-18, RFC 6298 §5): the backed-off RTO stays until a fresh RTT measurement, which
        // RttEstimator.sample() takes above when this ACK provides one.
        tcb.streakStartNs = nowNs;

        // Congestion control and recovery (RFC 5681 §3, RFC 6582 §3.2, RFC 6675 §5, RFC 3522).
        recovery.onNewAck(nowNs, seg, acked, dataAcked, synWasUnacked);
        // Send-buffer autotuning, Linux's tcp_sndbuf_expand: twice the congestion window in segments
        // (three times for BBR, bbr_sndbuf_expand, whose window may grow in recovery) times the memory
        // Linux charges a full-sized segment (SendBuffer.perSegmentBytes), so a sender that keeps its
        // buffer full never starves its window, also while SACKed data behind holes holds its place.
        if (tcb.cc != null && tcb.sendBuf.capacity() < tcb.sendBuf.maxCapacity()) {
            int factor = cfg.congestionControl() == TcpConfig.CongestionAlgorithm.BBR ? 3 : 2;
            long segments = Math.max(10, tcb.cc.cwnd() / Math.max(1, tcb.effMss));
            tcb.sendBuf.grow((int) Math.min(factor * segments * SendBuffer.perSegmentBytes(tcb.effMss),
                    Integer.MAX_VALUE));
        }

        // Timers (RFC 6298 §5.2, §5.3): stop when all is acknowledged, else restart.
        tlp.onAck();
        if (tcb.sndUna == tcb.sndMax) {
            timers.disarm(nowNs, TimerKind.RETRANSMISSION);
            tlp.onAllAcked();
        } else {
            recovery.armRetransmitTimer(nowNs);
        }
        if (flightBefore > 0 && dataAcked > 0 && tcb.sendBuf.free() > 0 && !tcb.finQueued) {
            notify(EV_WRITABLE);
        }
    }

    /**
     * RFC 3168 §6.1.2, the sender: an ECN-Echo halves the window as a loss would, once per window
     * of data (not again for ECE on data sent before the last reduction) and not during loss
     * recovery, which has already reduced it. Nothing is retransmitted.
     */
    private void onEcnEcho() {
        if (recovery.isInRecovery() || !SeqNum.gt(tcb.sndUna, sender.ecnRecover)) {
            return;
        }
        ecnReductions++;
        tcb.cc.onEcnEcho(SeqNum.diff(tcb.sndMax, tcb.sndUna), tcb.effMss);
        sender.windowReduced();
    }

    /**
     * §3.10.7.4: update SND.WND if the segment is newer than the last window update.
     *
     * <p>Deviation, as Linux ({@code tcp_may_update_window}): an ACK that advances SND.UNA updates
     * the window whatever its sequence number. The RFC's rule alone trusts SEG.SEQ: one forged
     * in-window segment ahead of RCV.NXT moves SND.WL1 past every sequence number the peer will
     * use for a long while, and a zero window it carries then sticks (the connection stalls for
     * good). A genuine ACK of new data is newer than any window seen before it, so it may reset
     * SND.WL1 back to its own sequence number.
     */
    private void updateSendWindow(long nowNs, TcpSegment seg, boolean advancesUna) {
        if (advancesUna || SeqNum.lt(tcb.sndWl1, seg.seq)
                || (tcb.sndWl1 == seg.seq && SeqNum.le(tcb.sndWl2, seg.ack))) {
            int wasWnd = tcb.sndWnd;
            tcb.sndWnd = tcb.scaledWindow(seg);
            tcb.sndWl1 = seg.seq;
            tcb.sndWl2 = seg.ack;
            tcb.maxSndWnd = Math.max(tcb.maxSndWnd, tcb.sndWnd);
            if (wasWnd == 0 && tcb.sndWnd > 0) {
                sender.onWindowOpened(nowNs);
            }
        }
    }

    /** Seventh step: segment text. */
    private void onText(long nowNs, TcpSegment seg) {
        if (tcb.state != ESTABLISHED && tcb.state != FIN_WAIT_1 && tcb.state != FIN_WAIT_2) {
            return;
        }
        if (receiveShutdown) {
            // SHLD-3: the application closed and will never read this; tell the peer data was lost.
            // The reset answers this segment, <SEQ=SEG.ACK><CTL=RST> (§3.10.7.1's form, and Linux's
            // tcp_v4_send_reset): exactly the peer's RCV.NXT even while our FIN is unacknowledged.
            sender.sendRst(nowNs, seg.ack, "data after close");
            fail(TcpError.ABORTED, "rcv data after close()");
            return;
        }
        if (receiver.storeText(nowNs, seg)) {
            notify(EV_READABLE);
            if (tcb.finPending && tcb.rcvNxt == tcb.pendingFinSeq) {
                tcb.finPending = false;
                onFin(nowNs, "rcv FIN (was out of order)");
            }
        }
    }

    /** Eighth step: the peer's FIN, in order. */
    private void onFin(long nowNs, String cause) {
        if (tcb.finReceived) {
            sender.ackNow = true;
            return;
        }
        tcb.finReceived = true;
        tcb.rcvNxt += 1;
        sender.ackNow = true;
        notify(EV_READABLE);
        switch (tcb.state) {
            case SYN_RECEIVED, ESTABLISHED -> setState(CLOSE_WAIT, cause);
            case FIN_WAIT_1 -> {
                if (tcb.finAcked()) {
                    sender.sendAck(nowNs, null);
                    enterTimeWait(nowNs, cause + ",ACK");
                    return;
                }
                setState(CLOSING, cause);
            }
            case FIN_WAIT_2 -> {
                sender.sendAck(nowNs, null);
                enterTimeWait(nowNs, cause);
                return;
            }
            default -> {
            }
        }
    }

    /** SYN-carried data and FIN, "queued for processing" until ESTABLISHED (§3.10.7.2, §3.10.7.3). */
    private void processHeldSynData(long nowNs) {
        byte[] data = synPayload;
        boolean fin = synFin;
        synPayload = null;
        synFin = false;
        if (data != null) {
            TcpSegment held = new TcpSegment().payload(ByteBuffer.wrap(data), 0, data.length);
            held.seq = tcb.irs + 1;
            held.flags = TcpFlags.ACK;
            if (held.seq == tcb.rcvNxt) {
                onText(nowNs, held);
            }
        }
        if (fin && tcb.state != CLOSED && tcb.rcvNxt == tcb.irs + 1 + (data == null ? 0 : data.length)) {
            onFin(nowNs, "rcv FIN (on SYN)");
        }
    }

    // =================================================================================================
    // Timers (RFC 9293 §3.10.8 timeouts and the others)
    // =================================================================================================

    /** The earliest deadline of any armed timer, or {@link Long#MAX_VALUE}. */
    public long nextDeadlineNs() {
        return timers.nextDeadlineNs();
    }

    /** Runs every timer whose deadline has passed. */
    public void onTimer(long nowNs) {
        enter();
        try {
            onTimerImpl(nowNs);
        } finally {
            leave();
        }
    }

    private void onTimerImpl(long nowNs) {
        this.nowNs = nowNs;
        for (TimerKind kind : TimerSet.kinds()) {
            if (tcb.state != CLOSED && timers.fire(nowNs, kind)) {
                switch (kind) {
                    case RETRANSMISSION -> onRetransmissionTimeout(nowNs);
                    case PERSIST -> onPersistTimeout(nowNs);
                    case DELAYED_ACK -> {
                        sender.ackPolicy.onDelayedAckTimeout();
                        sender.ackNow = true;
                        output(nowNs);
                    }
                    case KEEPALIVE -> onKeepAliveTimeout(nowNs);
                    case FIN_WAIT_2 -> fail(TcpError.TIMED_OUT, "FIN-WAIT-2 timeout");
                    case PACING -> output(nowNs);
                    case USER_TIMEOUT, TIME_WAIT -> {
                        // Not armed on a connection: R2/user timeout is checked at RTO, TIME-WAIT by the host.
                    }
                }
            }
        }
        if (tcb.state != CLOSED) {
            timers.reschedule(this);
        }
    }

    /** RETRANSMISSION TIMEOUT (§3.10.8; RFC 6298 §5.4–§5.7; RFC 5681 §3.1). */
    private void onRetransmissionTimeout(long nowNs) {
        if (tcb.sndUna == tcb.sndMax && tcb.state.isSynchronized()) {
            return;
        }
        if (recovery.onTimer(nowNs)) {
            // The timer stood for a probe timeout (RFC 8985 §7.3) or RACK's reordering timeout.
            return;
        }
        if (nowNs - tcb.streakStartNs >= options.r2Ns(tcb.state, cfg) && !sender.zeroWindowExemption(nowNs)) {
            fail(TcpError.TIMED_OUT, "retransmission timeout (R2)");
            return;
        }
        if (tcb.state == SYN_RECEIVED && passiveOpen && tcb.retransmits >= cfg.synAckRetries()) {
            // As Linux (tcp_synack_retries, 5): a half-open connection gives up after that many
            // SYN,ACK retransmissions, about 63 s after the SYN with a 1 s initial RTO, well before
            // R2 for a SYN (3 minutes, MUST-23 is about SYN-SENT's patience). Spoofed SYNs of a flood
            // then leave the SYN queue within a minute of its end, and SYN cookies stop with them.
            fail(TcpError.TIMED_OUT, "SYN,ACK retransmissions exhausted");
            return;
        }
        tcb.retransmits++;
        if (!tcb.state.isSynchronized() || tcb.state == SYN_RECEIVED) {
            sender.retransmissionsTotal++; // a SYN or SYN,ACK resent below; data resends count in sendData
        }
        if (tcb.retransmits == cfg.r1Retransmissions()) {
            // §3.8.3 (b), (e): negative advice to IP, and tell the application (SHLD-9).
            ctx.onNegativeAdvice(key);
            if (options.softErrorReports) {
                notify(EV_TROUBLE);
            }
        }
        // A timeout into a zero window is the first zero-window probe (below), whose own timer backs
        // off from the current RTO: do not back the RTO off as well.
        if (!(tcb.state.isSynchronized() && tcb.sndWnd == 0)) {
            rtt.backOff();
        }
        rtt.cancelTiming();
        switch (tcb.state) {
            case SYN_SENT -> {
                if (tcb.synDataLength > 0) {
                    // RFC 7413 §4.1.3.1: the SYN with data may have been dropped for carrying data;
                    // send a plain SYN, and the data after the handshake.
                    ctx.fastOpen().onSynDataOutcome(remoteAddress, true);
                    tcb.synDataLength = 0;
                    tcb.sndNxt = tcb.iss + 1;
                }
                sender.sendSyn(nowNs, false, "retransmission");
            }
            case SYN_RECEIVED -> sender.sendSyn(nowNs, true, "retransmission");
            default -> {
                if (recovery.keepsSndNxtOnTimeout()) {
                    // RFC 8985 §6.3: the recovery keeps the SACK scoreboard, reduces the window and
                    // resends what it deems lost; SND.NXT stays.
                    recovery.onRetransmitTimeout(nowNs);
                    if (tcb.sndWnd == 0) {
                        sender.startZeroWindowProbing(nowNs);
                        return;
                    }
                    output(nowNs);
                    sender.armRetransmit(nowNs);
                    return;
                }
                tcb.cc.onRetransmitTimeout(SeqNum.diff(tcb.sndMax, tcb.sndUna), tcb.effMss);
                sender.windowReduced();
                // Recovery ends; RFC 2018 §8: prior SACK information no longer steers retransmission.
                recovery.onRetransmitTimeout(nowNs);
                tlp.onRetransmitTimeout();
                tcb.sndNxt = tcb.sndUna;
                if (tcb.sndWnd == 0) {
                    // The window closed with data in flight: this timeout is the RTO after which the
                    // first zero-window probe goes (SHLD-29); probing continues on the persist timer.
                    sender.startZeroWindowProbing(nowNs);
                    return;
                }
                output(nowNs);
            }
        }
        sender.armRetransmit(nowNs);
    }

    /**
     * Zero-window probe (§3.8.6.1, MUST-35/36, SHLD-29/30): send one byte beyond the closed window,
     * or repeat it, with exponential backoff; never give up while the peer answers (MUST-37).
     */
    private void onPersistTimeout(long nowNs) {
        if (tcb.sndWnd != 0 && (tcb.state == ESTABLISHED || tcb.state == CLOSE_WAIT)) {
            sender.sendHeld(nowNs, recovery); // a corked piece (TCP_CORK, MSG_MORE)
            return;
        }
        if (tcb.sndWnd != 0 || !tcb.state.isSynchronized()) {
            return;
        }
        // MUST-37: never give up while the probes are answered, however far apart they are (up to
        // the maximum RTO, which may exceed R2); R2 runs from the last ACK once a probe goes unanswered.
        if (tcb.lastAckReceivedNs < sender.lastProbeNs
                && nowNs - tcb.lastAckReceivedNs >= options.r2Ns(tcb.state, cfg)) {
            fail(TcpError.TIMED_OUT, "zero-window probes unanswered (R2)");
            return;
        }
        sender.sendZeroWindowProbe(nowNs);
    }

    /** Keep-alive (§3.8.4): probe an idle connection with SEG.SEQ = SND.NXT − 1 and no data (SHLD-12). */
    private void onKeepAliveTimeout(long nowNs) {
        if (!options.keepAlive || (tcb.state != ESTABLISHED && tcb.state != CLOSE_WAIT)) {
            return;
        }
        long idleSince = lastReceiveNs;
        if (nowNs - idleSince < keepAliveIdleNs() || SeqNum.lt(tcb.sndUna, tcb.sndMax)) {
            // MUST-26: only when idle and nothing is outstanding. Check again later.
            timers.arm(nowNs, TimerKind.KEEPALIVE,
                    Math.max(idleSince + keepAliveIdleNs(), nowNs + cfg.keepAliveIntervalNs()));
            return;
        }
        if (keepAliveProbes >= cfg.keepAliveProbes()) {
            // MUST-29 is respected: one unanswered probe proves nothing; several in a row do.
            fail(TcpError.TIMED_OUT, "keep-alive probes unanswered");
            return;
        }
        keepAliveProbes++;
        sender.sendKeepAlive(nowNs);
        timers.arm(nowNs, TimerKind.KEEPALIVE, nowNs + cfg.keepAliveIntervalNs());
    }

    private void armKeepAlive(long nowNs) {
        if (options.keepAlive) {
            timers.arm(nowNs, TimerKind.KEEPALIVE, nowNs + keepAliveIdleNs());
        }
    }

    private void armFinWait2(long nowNs) {
        if (cfg.finWait2TimeoutNs() > 0) {
            timers.arm(nowNs, TimerKind.FIN_WAIT_2, nowNs + cfg.finWait2TimeoutNs());
        }
    }

    // =================================================================================================
    // Output: the parts decide and send; the connection only says when
    // =================================================================================================

    /** Runs the send loop ({@link Sender#output}) after an event that may have made sending possible. */
    private void output(long nowNs) {
        sender.output(nowNs, recovery);
    }

    // =================================================================================================
    // State changes: the one place every transition goes through
    // =================================================================================================

    /** Moves to {@code next}, traces it with its cause, and does what entering that state requires. */
    private void setState(TcpState next, String cause) {
        setStateOnly(next, cause);
        if (next == CLOSED) {
            timers.clear();
            tcb.sendBuf.release();
            if (listener != null && !(cfg.failureKeepsReceived() && error != null && listener.keepsFailed(this))) {
                listener.forget(this);
            }
            ctx.onClosed(this);
            notify(EV_CLOSED);
        }
    }

    private void setStateOnly(TcpState next, String cause) {
        TcpState prev = tcb.state;
        tcb.state = next;
        if (!recoveryChosen && next.isSynchronized()) {
            chooseRecovery();
        }
        if (next == ESTABLISHED) {
            // Data written while connecting, not Fast Open data the SYN,ACK left to send again.
            sender.ackPolicy.onEstablished(nowNs, prev == SYN_SENT && SeqNum.gt(tcb.sndBufEnd, tcb.sndNxt)
                    && tcb.sndNxt == tcb.sndMax);
        }
        if (ctx.tracer().isEnabled()) {
            trace(new TraceEvent.StateEvent(nowNs, ctx.hostName(), key, prev, next, cause));
        }
    }

    private void enterTimeWait(long nowNs, String cause) {
        timers.clear();
        setStateOnly(TIME_WAIT, cause);
        tcb.sendBuf.release();
        tcb.rcvBuf.release();
        if (listener != null) {
            // Closed from SYN-RECEIVED (§3.10.4), never accepted: free its place in the SYN queue.
            listener.forget(this);
        }
        ctx.onTimeWait(this, nowNs);
        notify(EV_CLOSED);
    }

    /** Ends the connection with an error: flushes queues, enters CLOSED, tells the application. */
    private void fail(TcpError err, String cause) {
        error = err;
        tcb.sendBuf.consume(tcb.sendBuf.length());
        tcb.sendBuf.release();
        // §3.10.7.4 on RST: "All segment queues should be flushed"; the same for aborts and timeouts.
        // Linux (tcp_done) keeps what the application may still read, until it closes the socket.
        if (!cfg.failureKeepsReceived() || err == TcpError.ABORTED) {
            tcb.rcvBuf.clear();
        }
        setState(CLOSED, cause);
    }

    // =================================================================================================
    // Notifying the application: after the event is processed, never in the middle of it
    // =================================================================================================

    private static final int EV_CONNECTED = 1;
    private static final int EV_READABLE = 2;
    private static final int EV_WRITABLE = 4;
    private static final int EV_URGENT = 8;
    private static final int EV_TROUBLE = 16;
    private static final int EV_CLOSED = 32;
    private static final int EV_ACCEPTABLE = 64;
    private static final int EV_SOFT_ERROR = 128;

    /** Notifications owed to the application, delivered when the current engine call finishes. */
    private int pendingEvents;
    /** Nesting depth of engine calls; notifications go out when the outermost one returns. */
    private int depth;

    private void notify(int event) {
        pendingEvents |= event;
    }

    private void enter() {
        depth++;
    }

    /**
     * Leaves an engine call; the outermost one delivers pending notifications. The handler may call
     * back into the connection (read, write, close): the state is consistent by now, and anything
     * those calls owe is delivered by this same loop.
     */
    private void leave() {
        if (--depth > 0) {
            return;
        }
        depth++;
        try {
            while (pendingEvents != 0) {
                int ev = pendingEvents;
                pendingEvents = 0;
                if ((ev & EV_ACCEPTABLE) != 0 && listener != null) {
                    listener.notifyAcceptable();
                }
                if ((ev & EV_CONNECTED) != 0) {
                    handler.onConnected(this);
                }
                if ((ev & EV_URGENT) != 0) {
                    handler.onUrgent(this);
                }
                if ((ev & EV_READABLE) != 0) {
                    handler.onReadable(this);
                }
                if ((ev & EV_WRITABLE) != 0 && tcb.state != CLOSED) {
                    handler.onWritable(this);
                }
                if ((ev & EV_TROUBLE) != 0) {
                    handler.onRetransmissionTrouble(this, tcb.retransmits);
                }
                if ((ev & EV_SOFT_ERROR) != 0) {
                    handler.onSoftError(this, softError);
                }
                if ((ev & EV_CLOSED) != 0) {
                    handler.onClosed(this, error);
                }
            }
        } finally {
            depth--;
        }
    }

    // =================================================================================================
    // Tracing
    // =================================================================================================

    private void trace(TraceEvent e) {
        ctx.tracer().onEvent(e);
    }

    private void traceCall(long nowNs, String call, String result) {
        Tracer t = ctx.tracer();
        if (t.isEnabled()) {
            t.onEvent(new TraceEvent.CallEvent(nowNs, ctx.hostName(), key, call, result));
        }
    }

    private TcpException call(long nowNs, String call, TcpException e) {
        traceCall(nowNs, call, e.error().errno());
        return e;
    }

    @Override
    public String toString() {
        return key + " " + tcb.state;
    }
}
