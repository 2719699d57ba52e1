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
import dev.jtcp.wire.TcpOptions;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One TCP connection: the transmission control block (TCB) and the state machine of RFC 9293.
 *
 * <p>Read first: RFC 9293 §3.3 (states and the TCB), §3.10 (event processing, which this class
 * follows step by step), then RFC 5961 (blind-attack defences), RFC 6298 (RTO), RFC 5681 and RFC
 * 6582 (congestion control), RFC 3042 (Limited Transmit), RFC 7323 (window scale, timestamps,
 * PAWS), RFC 2018 and RFC 6675 (SACK blocks; SACK-based loss recovery), RFC 6093 (urgent pointer).
 *
 * <p>The class is sans-IO. Each RFC 9293 §3.10 event is one method taking the current time: {@link
 * #open} (active OPEN; passive OPEN is {@link TcpListener}), {@link #send}, {@link #receive},
 * {@link #close}, {@link #abort}, {@link #status}, {@link #onSegment} (SEGMENT ARRIVES) and {@link
 * #onTimer} (RETRANSMISSION, USER and TIME-WAIT TIMEOUT and the other timers). Segments leave
 * through {@link TcpContext#transmit}, the next deadline through {@link TcpContext#schedule}, and
 * every state change goes through {@link #setState}, which traces its cause.
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
 * in flight, as Linux does, instead of after an override timeout; ECN (SHLD-8) is not implemented.
 *
 * <p>Not thread-safe: driven by the one thread that runs its host.
 */
public final class TcpConnection {
    private static final int MAX_WINDOW = 65535;
    private static final int MAX_WINDOW_SCALE = TcpOptions.MAX_WINDOW_SCALE;
    private static final long NONE = Long.MAX_VALUE;
    /** The ECN field: the low two bits of the TOS / traffic-class octet (RFC 3168 §5). */
    private static final int ECN_MASK = 0b11;
    private static final int ECN_ECT0 = 0b10;
    private static final int ECN_CE = 0b11;
    private static final TimerKind[] TIMERS = TimerKind.values();
    /** RFC 7323 §5.5: TS.Recent is invalid after 24 days idle. */
    private static final long TS_RECENT_MAX_IDLE_NS = 24L * 24 * 3600 * 1_000_000_000L;

    // ---- identity and environment ----
    private final TcpContext ctx;
    private final TcpConfig cfg;
    private final ConnectionKey key;
    private final IpAddress localAddress;
    private final IpAddress remoteAddress;
    /** The reusable outgoing segment. */
    private final TcpSegment out = new TcpSegment();
    private TcpHandler handler = TcpHandler.NONE;
    private TcpState state = CLOSED;
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

    // ---- send sequence variables (RFC 9293 §3.3.1) ----
    /** ISS: our initial sequence number. */
    private int iss;
    /** SND.UNA: oldest unacknowledged sequence number. */
    private int sndUna;
    /** SND.NXT: next sequence number to send; pulled back to SND.UNA after a timeout (go-back-N). */
    private int sndNxt;
    /** The highest sequence number sent so far plus one; SND.NXT never exceeds it. */
    private int sndMax;
    /** SND.WND: the peer's offered window, scaled, in bytes. */
    private int sndWnd;
    /** SND.WL1, SND.WL2: segment seq and ack of the last window update. */
    private int sndWl1;
    private int sndWl2;
    /** The largest window the peer has offered (RFC 5961 §5.2 MAX.SND.WND; sender SWS avoidance). */
    private int maxSndWnd;
    /** SND.UP: sequence number after the last urgent byte; valid while {@link #sndUrgent}. */
    private int sndUp;
    private boolean sndUrgent;
    /** Sequence number after the last byte the application wrote (iss + 1 + bytes written). */
    private int sndBufEnd;
    /** Whether the application has called CLOSE: a FIN follows the data at {@link #finSeq}. */
    private boolean finQueued;
    private int finSeq;

    // ---- receive sequence variables ----
    /** IRS: the peer's initial sequence number. */
    private int irs;
    /** RCV.NXT: next sequence number expected. */
    private int rcvNxt;
    /** RCV.NXT + RCV.WND as last advertised: the right edge never moves left (SHLD-14). */
    private int rcvAdvertisedEdge;
    /** RCV.UP: sequence number after the peer's last urgent byte; valid while {@link #rcvUrgent}. */
    private int rcvUp;
    private boolean rcvUrgent;
    /** Sequence number of the first byte not yet read by the application. */
    private int rcvReadSeq;
    /** The peer's FIN has been received and processed. */
    private boolean finReceived;
    /** An out-of-order FIN waits at {@link #pendingFinSeq} for the data before it. */
    private boolean finPending;
    private int pendingFinSeq;
    /** Payload carried on the peer's SYN, held until ESTABLISHED (§3.10.7.2: "queued for processing later"). */
    private byte[] synPayload;
    private boolean synFin;
    /** MAY-1 half-duplex close: the application will read no more; new data is answered with RST (SHLD-3). */
    private boolean receiveShutdown;

    // ---- options negotiated in the handshake ----
    /** The MSS we advertised (MUST-67, from MMS_R). */
    private int localMss;
    /** The peer's MSS option, or the default when absent (MUST-15). */
    private int peerMss;
    /** Eff.snd.MSS: payload per full segment after options (MUST-16). */
    private int effMss;
    /** TCP_MAXSEG set by the application, 0 when unset. */
    private int userMss;
    private int sndWndScale;
    private int rcvWndScale;
    /** The shift we offered on our SYN, or -1 when we offered no window scaling. */
    private int offeredRcvWndScale = -1;
    /** Window scaling in use: both SYNs carried the option (RFC 7323 §2.2). */
    private boolean wsOk;
    private boolean tsOk;
    private boolean sackOk;
    /** TS.Recent and when it was last updated (RFC 7323 §4.3, §5.5). */
    private int tsRecent;
    private long tsRecentNs;
    /** Last.ACK.sent (RFC 7323 §4.3). */
    private int lastAckSent;
    /** Offset of our TSval clock, per address pair (RFC 7323 §5.4, see {@link TcpContext#timestampOffset}). */
    private int tsOffset;

    /** Our SYN asked for ECN (RFC 3168 §6.1.1: ECE and CWR set). */
    private boolean ecnRequested;
    /** ECN is in use: both ends agreed in the handshake. */
    private boolean ecnOk;

    // ---- buffers ----
    private final SendBuffer sendBuf;
    private final ReceiveBuffer rcvBuf;

    // ---- retransmission and congestion control ----
    private final RttEstimator rtt;
    private CongestionControl cc;
    /** Consecutive retransmission timeouts of the current oldest segment. */
    private int retransmits;
    /** When the oldest unacknowledged segment was first sent: R2 and the user timeout count from here. */
    private long streakStartNs;
    /** When our SYN or SYN,ACK was first sent, for the handshake's RTT sample; -1 when unknown (SYN cookie). */
    private long synSentNs = -1;
    private boolean rttTiming;
    private int rttSeq;
    private long rttStartNs;
    private int dupAcks;
    /**
     * Eifel detection (RFC 3522): the TSval our fast retransmit carried, and the window before the
     * reduction, kept until the first ACK of new data tells whether the retransmission was needed.
     */
    private boolean eifelPending;
    private int eifelTsVal;
    private int undoCwnd;
    private int undoSsthresh;
    private long spuriousRetransmits;
    /** The retransmission timer currently stands for a tail loss probe (RFC 8985 §7), not an RTO. */
    private boolean probeArmed;
    /** A tail loss probe is out; {@link #probeSeq} is where it starts. */
    private boolean probePending;
    private int probeSeq;
    /** RFC 3042 Limited Transmit: bytes beyond cwnd allowed by the first duplicate ACKs. */
    private int limitedTransmit;
    private boolean inRecovery;
    /** RFC 6582 "recover": SND.MAX when fast recovery began. */
    private int recover;
    /** What the peer has selectively acknowledged (RFC 6675), when SACK is in use. */
    private final SackScoreboard sacked = new SackScoreboard();
    /** Recovery is driven by the SACK scoreboard (RFC 6675) instead of NewReno's partial ACKs. */
    private boolean sackRecovery;
    /** RFC 6675 HighRxt: the highest sequence number retransmitted in this SACK recovery. */
    private int highRxt;
    /**
     * SND.MAX when the current round of hole retransmissions began: data SACKed beyond it was sent
     * after those retransmissions, so if enough of it arrives while a retransmitted hole is still
     * missing, the retransmission itself was lost (the idea of RACK, RFC 8985, in sequence terms).
     */
    private int rxtRoundMark;
    private long lastSendNs;
    /** When data (not a bare ACK) was last sent; RFC 5681 §4.1 idle restart counts from here. */
    private long lastDataSendNs;
    private long lastReceiveNs;
    private long lastAckReceivedNs;
    private int persistBackoff;
    /** When the last zero-window probe left: an ACK since then means the peer answers its probes. */
    private long lastProbeNs;
    private int keepAliveProbes;
    /** RFC 3168 §6.1.2: the next new data segment carries CWR, telling the peer we reduced. */
    private boolean cwrPending;
    /** SND.MAX at the last window reduction: ECN-Echo for data sent before it draws no second one. */
    private int ecnRecover;
    private long ecnReductions;

    // ---- acknowledgment policy ----
    private boolean ackNow;
    private int rcvBytesSinceAck;
    /** Largest payload received: what the peer considers a full-sized segment. */
    private int rcvMssEstimate;
    /** RFC 3168 §6.1.3: a CE mark arrived; every ACK carries ECE until the peer's CWR. */
    private boolean ecnEcho;
    private long ceReceived;

    // ---- per-connection options (setsockopt-like) ----
    private boolean noDelay;
    private boolean keepAlive;
    /** The Diffserv/TOS octet the application chose for this connection's packets (MUST-48). */
    private int tos;
    /** The TOS / traffic-class octet of the last segment received (MAY-9). */
    private int receivedTos;
    /** Whether soft errors are reported to the handler (SHLD-20: the application may turn them off). */
    private boolean softErrorReports = true;
    /** R2 for this connection (MUST-21), 0 = the configured default. */
    private long r2Ns;

    // ---- timers: one deadline per kind, NONE when disarmed ----
    private final long[] deadlines = new long[TIMERS.length];
    private long scheduledNs = NONE;

    // ---- counters ----
    private long segmentsSent;
    private long segmentsReceived;
    private long bytesSent;
    private long bytesReceived;
    private long retransmissionsTotal;
    private int dupAcksTotal;

    /**
     * A connection for {@code key}, in CLOSED. The host calls this; users go through the host.
     */
    public TcpConnection(TcpContext ctx, ConnectionKey key) {
        this.ctx = ctx;
        this.cfg = ctx.config();
        this.key = key;
        this.localAddress = key.localAddress();
        this.remoteAddress = key.remoteAddress();
        this.sendBuf = new SendBuffer(cfg.sendBufferBytes());
        this.rcvBuf = new ReceiveBuffer(cfg.receiveBufferBytes());
        this.rtt = new RttEstimator(cfg.initialRtoNs(), cfg.minRtoNs(), cfg.maxRtoNs());
        Arrays.fill(deadlines, NONE);
        this.tsOffset = ctx.timestampOffset(localAddress, remoteAddress);
    }

    // =================================================================================================
    // Accessors
    // =================================================================================================

    public ConnectionKey key() {
        return key;
    }

    public TcpState state() {
        return state;
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
        return rcvBuf.readable();
    }

    /** Bytes the application can write now without blocking. */
    public int writable() {
        return finQueued || error != null ? 0 : sendBuf.free();
    }

    /** The peer's FIN has arrived and every byte before it has been read. */
    public boolean isEndOfStream() {
        return finReceived && rcvBuf.readable() == 0;
    }

    /** Whether unsent or unacknowledged data remains. */
    public boolean hasUnackedData() {
        return !sendBuf.isEmpty() || SeqNum.lt(sndUna, sndMax);
    }

    int iss() {
        return iss;
    }

    int sndNxt() {
        return sndNxt;
    }

    int rcvNxt() {
        return rcvNxt;
    }

    int tsRecent() {
        return tsRecent;
    }

    boolean timestampsEnabled() {
        return tsOk;
    }

    int tsOffset() {
        return tsOffset;
    }

    int rcvWndScale() {
        return rcvWndScale;
    }

    TcpListener listener() {
        return listener;
    }

    void detachFromListener() {
        listener = null;
    }

    /** Whether the application has given the connection up (full close): nobody will read it again. */
    boolean isOrphaned() {
        return receiveShutdown;
    }

    /** The host's TIME-WAIT record for this connection expired: the connection is now CLOSED. */
    void onTimeWaitEnded() {
        state = CLOSED;
    }

    int sndMax() {
        return sndMax;
    }

    int advertisedWindowField() {
        return advertiseWindow(false);
    }

    // ---- per-connection options ----

    /** Disables Nagle's algorithm (RFC 9293 §3.7.4, SHLD-7 allows an application to do so). */
    public void noDelay(boolean on) {
        noDelay = on;
    }

    public boolean noDelay() {
        return noDelay;
    }

    /**
     * Sets the Diffserv field (the whole TOS / traffic-class octet) of the packets this connection
     * sends, passed to IP unchanged (MUST-48, SHLD-22); it may change at any time (SHLD-21).
     */
    public void tos(int tos) {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("TOS must be 0..255, got " + tos);
        }
        this.tos = tos;
    }

    public int tos() {
        return tos;
    }

    /** Whether ECN (RFC 3168) was agreed in the handshake. */
    public boolean ecn() {
        return ecnOk;
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
        softErrorReports = on;
    }

    public boolean softErrorReports() {
        return softErrorReports;
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

    private void keepAliveImpl(long nowNs, boolean on) {
        this.nowNs = nowNs;
        keepAlive = on;
        if (on && (state == ESTABLISHED || state == CLOSE_WAIT)) {
            arm(nowNs, TimerKind.KEEPALIVE, lastReceiveNs + cfg.keepAliveIdleNs());
        } else if (!on) {
            disarm(nowNs, TimerKind.KEEPALIVE);
        }
        reschedule();
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    /**
     * Sets R2 for this connection, the time retransmissions may go on before it is aborted (MUST-21;
     * also the socket option TCP_USER_TIMEOUT). 0 restores the default.
     */
    public void userTimeout(long timeoutNs) {
        if (timeoutNs < 0) {
            throw new IllegalArgumentException("user timeout must not be negative");
        }
        r2Ns = timeoutNs;
    }

    public long userTimeoutNs() {
        return r2Ns;
    }

    /** TCP_MAXSEG: caps the segment size this end sends and advertises; 0 removes the cap. */
    public void maxSegmentSize(int mss) {
        if (mss != 0 && (mss < 88 || mss > 65495)) {
            throw new IllegalArgumentException("MSS must be 0 or between 88 and 65495, got " + mss);
        }
        userMss = mss;
        if (state.isSynchronized()) {
            updateEffectiveMss();
        }
    }

    public int maxSegmentSize() {
        return state.isSynchronized() ? effMss : userMss;
    }

    /** Resizes the send buffer (SO_SNDBUF); may not shrink below buffered data. */
    public void sendBufferSize(int bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("send buffer must be at least 1024 bytes");
        }
        sendBuf.resize(bytes);
    }

    public int sendBufferSize() {
        return sendBuf.capacity();
    }

    /** Resizes the receive buffer (SO_RCVBUF); only before the handshake, as the window scale depends on it. */
    public void receiveBufferSize(int bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("receive buffer must be at least 1024 bytes");
        }
        if (state != CLOSED && state != LISTEN) {
            throw new IllegalStateException("the receive buffer can only be sized before the connection opens");
        }
        rcvBuf.resize(bytes);
    }

    public int receiveBufferSize() {
        return rcvBuf.capacity();
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
            openImpl(nowNs);
        } finally {
            leave();
        }
    }

    private void openImpl(long nowNs) {
        this.nowNs = nowNs;
        if (state != CLOSED) {
            throw call(nowNs, "open", new TcpException(TcpError.ALREADY_OPEN));
        }
        if (remoteAddress.isMulticast() || remoteAddress.isLimitedBroadcast() || remoteAddress.isUnspecified()) {
            throw call(nowNs, "open", new TcpException(TcpError.BAD_ADDRESS,
                    "cannot open a TCP connection to " + remoteAddress + " (RFC 9293 MUST-46)"));
        }
        traceCall(nowNs, "open (active)", "ok");
        iss = ctx.isnGenerator().isn(nowNs, localAddress.hi(), localAddress.lo(), key.localPort(),
                remoteAddress.hi(), remoteAddress.lo(), key.remotePort());
        initSendSequence(nowNs);
        localMss = computeLocalMss();
        setState(SYN_SENT, "open()");
        sendSyn(nowNs, false, null);
        streakStartNs = nowNs;
        armRetransmit(nowNs);
        reschedule();
    }

    private void initSendSequence(long nowNs) {
        sndUna = iss;
        sndNxt = iss + 1;
        sndMax = iss + 1;
        sndBufEnd = iss + 1;
        // RFC 6582 §3.2 step 1: "recover" starts at the ISS, so the first fast retransmit is allowed
        // whatever half of the sequence space the ISS lies in.
        recover = iss;
        ecnRecover = iss;
        lastSendNs = nowNs;
        lastReceiveNs = nowNs;
        lastAckReceivedNs = nowNs;
    }

    /**
     * Passive OPEN, second half: the listener hands over a SYN (RFC 9293 §3.10.7.2, third check).
     * Sets RCV.NXT = SEG.SEQ + 1, IRS = SEG.SEQ, negotiates options, sends SYN,ACK and enters
     * SYN-RECEIVED.
     */
    void acceptSyn(long nowNs, TcpListener from, TcpSegment syn, int chosenIss) {
        this.nowNs = nowNs;
        listener = from;
        passiveOpen = true;
        state = LISTEN;
        iss = chosenIss;
        initSendSequence(nowNs);
        receiveSynFields(nowNs, syn);
        negotiate(syn.options, true);
        // RFC 3168 §6.1.1: an ECN-setup SYN has both ECE and CWR; we agree with ECE on the SYN,ACK.
        ecnOk = cfg.ecn() != TcpConfig.EcnMode.OFF && syn.has(TcpFlags.ECE) && syn.has(TcpFlags.CWR);
        holdSynPayload(syn);
        setState(SYN_RECEIVED, "rcv SYN");
        sendSyn(nowNs, true, null);
        streakStartNs = nowNs;
        armRetransmit(nowNs);
        reschedule();
    }

    /**
     * Builds an ESTABLISHED connection from an ACK that carried a valid SYN cookie (RFC 4987 §3.6):
     * the SYN was answered without state, so everything comes from the cookie and the ACK.
     */
    void acceptCookie(long nowNs, TcpListener from, TcpSegment ack, int cookieIss, int peerMssFromCookie,
                      int peerWindowScale, boolean peerSack, boolean peerTs, int listenerTsOffset) {
        this.nowNs = nowNs;
        listener = from;
        tsOffset = listenerTsOffset;
        passiveOpen = true;
        state = LISTEN;
        iss = cookieIss;
        initSendSequence(nowNs);
        irs = ack.seq - 1;
        rcvNxt = ack.seq;
        rcvReadSeq = rcvNxt;
        localMss = computeLocalMss();
        peerMss = peerMssFromCookie;
        tsOk = peerTs && cfg.timestamps();
        if (tsOk) {
            updateTsRecent(nowNs, ack.options.tsVal);
        }
        sackOk = peerSack && cfg.sack();
        wsOk = peerWindowScale >= 0 && cfg.windowScaling();
        if (wsOk) {
            sndWndScale = Math.min(peerWindowScale, MAX_WINDOW_SCALE);
            rcvWndScale = chooseWindowScale();
        }
        updateEffectiveMss();
        cc = new NewReno(initialWindow());
        rcvAdvertisedEdge = rcvNxt + Math.min(rcvBuf.window(), MAX_WINDOW);
        setState(SYN_RECEIVED, "rcv ACK with valid SYN cookie");
    }

    private void receiveSynFields(long nowNs, TcpSegment syn) {
        irs = syn.seq;
        rcvNxt = syn.seq + 1;
        rcvReadSeq = rcvNxt;
        sndWl1 = syn.seq;
        sndWnd = syn.window;
        maxSndWnd = sndWnd;
        if (syn.options.hasTimestamps) {
            updateTsRecent(nowNs, syn.options.tsVal);
        }
    }

    private void holdSynPayload(TcpSegment syn) {
        if (syn.payloadLength > 0) {
            synPayload = syn.payloadBytes();
        }
        synFin = syn.isFin();
    }

    /** Option negotiation from the peer's SYN or SYN,ACK (MUST-14..16, RFC 7323 §1.3, RFC 2018 §2). */
    private void negotiate(TcpOptions peer, boolean passive) {
        boolean v6 = !remoteAddress.isV4();
        peerMss = peer.mss >= 0 ? Math.max(peer.mss, 64) : (v6 ? cfg.defaultMssV6() : cfg.defaultMssV4());
        if (passive) {
            localMss = computeLocalMss();
        }
        boolean weOfferScale = passive ? cfg.windowScaling() : offeredRcvWndScale >= 0;
        wsOk = weOfferScale && peer.windowScale >= 0;
        if (wsOk) {
            sndWndScale = peer.windowScale;
            rcvWndScale = passive ? chooseWindowScale() : offeredRcvWndScale;
        } else {
            sndWndScale = 0;
            rcvWndScale = 0;
        }
        tsOk = cfg.timestamps() && peer.hasTimestamps;
        sackOk = cfg.sack() && peer.sackPermitted;
        updateEffectiveMss();
        cc = new NewReno(initialWindow());
        rcvAdvertisedEdge = rcvNxt + Math.min(rcvBuf.window(), MAX_WINDOW);
    }

    /** MUST-67: the MSS option is MMS_R minus the TCP header, capped by TCP_MAXSEG. */
    private int computeLocalMss() {
        int mss = ctx.maxReceiveSegmentSize(remoteAddress) - TcpPacket.HEADER_LENGTH;
        return userMss > 0 ? Math.min(mss, userMss) : mss;
    }

    /**
     * MUST-16: Eff.snd.MSS = min(SendMSS + 20, MMS_S) − TCPhdrsize − IPoptionsize, where TCPhdrsize
     * includes the options every segment carries (timestamps: 12 bytes).
     */
    private void updateEffectiveMss() {
        int mmsS = ctx.maxSendSegmentSize(remoteAddress);
        int eff = Math.min(peerMss + TcpPacket.HEADER_LENGTH, mmsS) - TcpPacket.HEADER_LENGTH;
        if (tsOk) {
            eff -= 12;
        }
        if (userMss > 0) {
            eff = Math.min(eff, userMss);
        }
        effMss = Math.max(eff, 1);
    }

    /** The smallest shift that lets the whole receive buffer be advertised (RFC 7323 §2.3). */
    private int chooseWindowScale() {
        int shift = 0;
        while (shift < MAX_WINDOW_SCALE && (rcvBuf.capacity() >> shift) > MAX_WINDOW) {
            shift++;
        }
        return shift;
    }

    private int initialWindow() {
        return cfg.initialWindowSegments() * Math.max(effMss, 1);
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
        switch (state) {
            case CLOSED, LISTEN -> throw call(nowNs, "send", new TcpException(
                    error != null ? error : TcpError.NOT_CONNECTED));
            case FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT -> throw call(nowNs, "send",
                    new TcpException(TcpError.CLOSING));
            default -> {
                if (finQueued) {
                    throw call(nowNs, "send", new TcpException(TcpError.CLOSING));
                }
            }
        }
        int n = sendBuf.write(src, src.remaining());
        sndBufEnd += n;
        if (urgent && n > 0) {
            sndUp = sndBufEnd;
            sndUrgent = true;
        }
        if (ctx.tracer().isEnabled()) {
            traceCall(nowNs, "send " + n + (urgent ? " urgent" : ""), n + " queued");
        }
        if (n > 0 && (state == ESTABLISHED || state == CLOSE_WAIT)) {
            output(nowNs);
        }
        reschedule();
        return n;
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
        if (error != null) {
            throw call(nowNs, "receive", new TcpException(error));
        }
        int n = rcvBuf.read(dst, Integer.MAX_VALUE);
        if (n == 0) {
            if (finReceived) {
                return -1;
            }
            if (state == CLOSED) {
                throw call(nowNs, "receive", new TcpException(error != null ? error : TcpError.NOT_CONNECTED));
            }
            return 0;
        }
        rcvReadSeq += n;
        if (rcvUrgent && SeqNum.ge(rcvReadSeq, rcvUp)) {
            rcvUrgent = false;
        }
        if (state.isSynchronized() && !finReceived) {
            maybeSendWindowUpdate(nowNs);
        }
        reschedule();
        return n;
    }

    /**
     * After a read: RFC 9293 §3.8.6.2.2 receiver SWS avoidance, as Linux applies it: announce the
     * larger window at once only if it at least doubles what the peer currently sees and that was
     * at most half the buffer; otherwise the next ACK carries it.
     */
    private void maybeSendWindowUpdate(long nowNs) {
        // The largest window the field can offer: the buffer, or 65535 << scale if that is smaller.
        int offerable = Math.min(rcvBuf.capacity(), MAX_WINDOW << rcvWndScale);
        int current = SeqNum.diff(rcvAdvertisedEdge, rcvNxt);
        if (2 * current > offerable) {
            return;
        }
        int possible = Math.min(rcvBuf.window(), offerable);
        if (possible >= 2 * current && possible - current >= Math.min(offerable / 2, localMss)) {
            ackNow = true;
            output(nowNs);
        }
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
        switch (state) {
            case CLOSED -> throw new TcpException(error != null ? error : TcpError.NOT_CONNECTED);
            case LISTEN, SYN_SENT -> {
                // SYN-SENT: "Delete the TCB and return 'error: closing' responses to any queued SENDs."
                setState(CLOSED, "close() in " + state);
                return;
            }
            case SYN_RECEIVED -> {
                // Queue the FIN; it leaves once the handshake completes, or now if no data is queued.
                queueFin();
                if (sendBuf.isEmpty()) {
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
        reschedule();
    }

    private void queueFin() {
        if (!finQueued) {
            finQueued = true;
            finSeq = sndBufEnd;
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
        if (rcvBuf.readable() > 0 && state.isSynchronized()) {
            traceCall(nowNs, "close with unread data", "RST (SHLD-3)");
            abort(nowNs);
            return;
        }
        receiveShutdown = true;
        if (state == CLOSED) {
            return;
        }
        close(nowNs);
        if (state == FIN_WAIT_2) {
            armFinWait2(nowNs);
            reschedule();
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
        switch (state) {
            case CLOSED, LISTEN -> {
                return;
            }
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> sendRst(sndMax, null);
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
        if (hard && (state == SYN_SENT || state == SYN_RECEIVED)) {
            if (state == SYN_RECEIVED) {
                // As ABORT (§3.10.5): the peer's side holds state from our SYN,ACK.
                sendRst(sndMax, null);
            }
            fail(error, "rcv ICMP error (" + error.message() + ")");
            return;
        }
        if (softErrorReports && state != CLOSED) {
            softError = error;
            notify(EV_SOFT_ERROR);
        }
    }

    // =================================================================================================
    // STATUS (RFC 9293 §3.10.6)
    // =================================================================================================

    public ConnectionStatus status() {
        int unsent = Math.max(0, SeqNum.diff(sndBufEnd, sndNxt));
        int urgentPending = rcvUrgent ? Math.max(0, SeqNum.diff(rcvUp, rcvReadSeq)) : 0;
        return new ConnectionStatus(state, key, iss, irs, sndUna, sndNxt, sndWnd, rcvNxt, receiveWindow(),
                sndWndScale, rcvWndScale, effMss, peerMss, tsOk, sackOk, rtt.srttNs(), rtt.rttvarNs(), rtt.rtoNs(),
                cc == null ? 0 : cc.cwnd(), cc == null ? 0 : cc.ssthresh(), rcvBuf.readable(), unsent,
                SeqNum.diff(sndMax, sndUna), urgentPending, segmentsSent, segmentsReceived, bytesSent, bytesReceived,
                retransmissionsTotal, dupAcksTotal, wsOk, ecnOk, ceReceived, ecnReductions);
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
        DropReason r = switch (state) {
            case CLOSED -> {
                respondToClosed(seg);
                yield DropReason.TCP_NO_CONNECTION;
            }
            case SYN_SENT -> onSegmentInSynSent(nowNs, seg);
            case LISTEN, TIME_WAIT -> DropReason.TCP_DISCARDED;
            default -> onSegmentSynchronized(nowNs, seg);
        };
        if (state != CLOSED) {
            reschedule();
        }
        return r;
    }

    /** §3.10.7.1: a segment for a closed connection draws a RST unless it is one. */
    private void respondToClosed(TcpSegment seg) {
        if (seg.isRst()) {
            return;
        }
        if (seg.isAck()) {
            sendRst(seg.ack, null);
        } else {
            sendRstAck(0, seg.seq + seg.seqLength());
        }
    }

    /** §3.10.7.3 SYN-SENT. */
    private DropReason onSegmentInSynSent(long nowNs, TcpSegment seg) {
        // First, check the ACK bit.
        if (seg.isAck() && (SeqNum.le(seg.ack, iss) || SeqNum.gt(seg.ack, sndMax))) {
            if (!seg.isRst()) {
                sendRst(seg.ack, "unacceptable ACK in SYN-SENT");
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
        receiveSynFields(nowNs, seg);
        negotiate(seg.options, false);
        if (seg.isAck()) {
            sndUna = seg.ack;
            sndWl2 = seg.ack;
        }
        if (SeqNum.gt(sndUna, iss)) {
            // RFC 3168 §6.1.1: an ECN-setup SYN,ACK has ECE without CWR (both set is a reflection of
            // our own SYN by a broken middlebox, not an agreement).
            ecnOk = ecnRequested && seg.has(TcpFlags.ECE) && !seg.has(TcpFlags.CWR);
            // Our SYN is acknowledged: ESTABLISHED. Sample the RTT unless the SYN was retransmitted (Karn).
            if (tsOk && seg.options.tsEcr != 0) {
                rtt.sample(tsTicksToNs(tsNow(nowNs) - seg.options.tsEcr));
            } else if (retransmits == 0) {
                rtt.sample(nowNs - synSentNs);
            }
            if (retransmits > 0) {
                rtt.onHandshakeWithoutSample(); // RFC 6298 §5.7
            }
            retransmits = 0;
            lastAckReceivedNs = nowNs;
            disarm(nowNs, TimerKind.RETRANSMISSION);
            holdSynPayload(seg);
            setState(ESTABLISHED, "rcv SYN,ACK");
            armKeepAlive(nowNs);
            notify(EV_CONNECTED);
            ackNow = true;
            processHeldSynData(nowNs);
            output(nowNs);
            return null;
        }
        // Simultaneous open (MUST-10): SYN without ACK of ours.
        holdSynPayload(seg);
        setState(SYN_RECEIVED, "rcv SYN (simultaneous open)");
        sendSyn(nowNs, true, null);
        return null;
    }

    /** §3.10.7.4: SYN-RECEIVED and every later state, in the RFC's order of checks. */
    private DropReason onSegmentSynchronized(long nowNs, TcpSegment seg) {
        // RFC 7323 §5.3 R1: PAWS runs before the sequence-number check.
        if (tsOk && seg.options.hasTimestamps && !seg.isRst() && tsRecentValid(nowNs)
                && SeqNum.lt(seg.options.tsVal, tsRecent)) {
            ackNow = true;
            output(nowNs);
            return DropReason.TCP_PAWS;
        }

        // Retransmitted SYN or simultaneous-open SYN,ACK: the SYN itself is old (it is IRS).
        if (seg.isSyn() && seg.seq == irs && state == SYN_RECEIVED) {
            if (!seg.isAck()) {
                // Deviation, as Linux: a retransmitted SYN means our SYN,ACK may be lost; resend it.
                sendSyn(nowNs, true, "retransmission (duplicate SYN)");
                return null;
            }
            // Simultaneous open (Figure 8, line 6): drop the old SYN and process the ACK.
            seg.flags &= ~TcpFlags.SYN;
            seg.seq += 1;
        }

        // First, check the sequence number.
        int segLen = seg.seqLength();
        int rcvWnd = receiveWindow();
        if (!acceptable(seg.seq, segLen, rcvWnd)) {
            // MUST-66: with a zero window, still process the ACK, URG and RST of a segment at RCV.NXT.
            boolean zeroWindowAllowance = rcvWnd == 0 && seg.seq == rcvNxt;
            if (!zeroWindowAllowance) {
                if (!seg.isRst()) {
                    ackNow = true;
                    output(nowNs);
                }
                return DropReason.TCP_SEQ_NOT_ACCEPTABLE;
            }
            seg.payloadLength = 0;
            seg.flags &= ~TcpFlags.FIN;
            // §3.8.6.1: "it must still send an acknowledgment showing its next expected sequence
            // number and current window (zero)" — this is how a probing peer learns the window.
            ackNow = true;
        }
        lastReceiveNs = nowNs;
        keepAliveProbes = 0;
        if (ecnOk) {
            noteEcnMarks(seg);
        }

        // Second, check the RST bit (RFC 5961 §3.2).
        if (seg.isRst()) {
            return onRst(nowNs, seg);
        }

        // Fourth, check the SYN bit (RFC 5961 §4): any SYN here draws a challenge ACK.
        if (seg.isSyn()) {
            if (state == SYN_RECEIVED && passiveOpen) {
                // §3.10.7.4: "If the connection was initiated with a passive OPEN, then return this
                // connection to the LISTEN state and return."
                returnToListen("rcv SYN in window");
                return null;
            }
            sendChallengeAck(nowNs, "challenge ACK (SYN)");
            return DropReason.TCP_DISCARDED;
        }

        // Trim what lies outside the window (§3.10.7.4: "only the new parts are processed").
        trim(seg);

        // Fifth, check the ACK field.
        if (!seg.isAck()) {
            return DropReason.TCP_NO_ACK;
        }
        DropReason ackResult = onAck(nowNs, seg);
        if (ackResult != null || state == CLOSED || state == TIME_WAIT) {
            return ackResult;
        }

        // RFC 7323 §4.3: update TS.Recent when the segment covers Last.ACK.sent.
        if (tsOk && seg.options.hasTimestamps && SeqNum.le(seg.seq, lastAckSent)
                && SeqNum.ge(seg.options.tsVal, tsRecent)) {
            updateTsRecent(nowNs, seg.options.tsVal);
        }

        // Sixth, check the URG bit.
        if (seg.has(TcpFlags.URG)) {
            onUrgentPointer(seg);
        }

        // Seventh, process the segment text.
        if (seg.payloadLength > 0) {
            onText(nowNs, seg);
            if (state == CLOSED) {
                return null;
            }
        }

        // Eighth, check the FIN bit.
        if (seg.isFin()) {
            int at = seg.seq + seg.payloadLength;
            if (at == rcvNxt) {
                onFin(nowNs, "rcv FIN");
            } else if (SeqNum.gt(at, rcvNxt)) {
                finPending = true;
                pendingFinSeq = at;
                ackNow = true;
            }
        }
        if (state != CLOSED && state != TIME_WAIT) {
            output(nowNs);
        }
        return null;
    }

    /** The four cases of §3.10.7.4's acceptability table. */
    private boolean acceptable(int seq, int len, int wnd) {
        if (len == 0) {
            return wnd == 0 ? seq == rcvNxt : SeqNum.inWindow(seq, rcvNxt, wnd);
        }
        if (wnd == 0) {
            return false;
        }
        return SeqNum.inWindow(seq, rcvNxt, wnd) || SeqNum.inWindow(seq + len - 1, rcvNxt, wnd);
    }

    /** RCV.WND: what the peer may send beyond RCV.NXT, as last advertised. */
    private int receiveWindow() {
        return Math.max(0, SeqNum.diff(rcvAdvertisedEdge, rcvNxt));
    }

    /** Cuts the parts of an acceptable segment before RCV.NXT and beyond the window (§3.10.7.4). */
    private void trim(TcpSegment seg) {
        int before = SeqNum.diff(rcvNxt, seg.seq);
        if (before > 0) {
            if (seg.isSyn()) {
                seg.flags &= ~TcpFlags.SYN;
                seg.seq += 1;
                before--;
            }
            int cut = Math.min(before, seg.payloadLength);
            seg.payloadOffset += cut;
            if (seg.payloadBuffer != null && seg.payloadOffset >= seg.payloadBuffer.capacity()) {
                seg.payloadOffset -= seg.payloadBuffer.capacity();
            }
            seg.payloadLength -= cut;
            seg.seq += cut;
            if (seg.urgentPointer < cut) {
                // The pointer lies in data already received: RCV.UP = max(RCV.UP, SEG.UP) cannot move
                // (§3.10.7.4 sixth step), so there is nothing urgent to process (Linux likewise).
                seg.flags &= ~TcpFlags.URG;
                seg.urgentPointer = 0;
            } else {
                seg.urgentPointer -= cut;
            }
        }
        int room = Math.min(receiveWindow(), rcvBuf.window()) - SeqNum.diff(seg.seq, rcvNxt);
        if (seg.payloadLength > Math.max(room, 0)) {
            seg.payloadLength = Math.max(room, 0);
            seg.flags &= ~TcpFlags.FIN;
        }
    }

    /** Second check: RST (RFC 5961 §3.2 then the per-state rules of §3.10.7.4). */
    private DropReason onRst(long nowNs, TcpSegment seg) {
        if (seg.seq != rcvNxt) {
            // In window but not exact: challenge ACK; the true peer answers with an exact RST.
            sendChallengeAck(nowNs, "challenge ACK (RST in window)");
            return DropReason.TCP_RST_NOT_ACCEPTED;
        }
        switch (state) {
            case SYN_RECEIVED -> {
                if (passiveOpen) {
                    returnToListen("rcv RST");
                } else {
                    fail(TcpError.REFUSED, "rcv RST");
                }
            }
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> fail(TcpError.RESET, "rcv RST");
            default -> {
                // CLOSING, LAST-ACK: "enter the CLOSED state, delete the TCB" (our FIN's fate is moot).
                setState(CLOSED, "rcv RST");
            }
        }
        return null;
    }

    /** MUST-11: a passive connection in SYN-RECEIVED goes back to LISTEN: the listener simply forgets it. */
    private void returnToListen(String cause) {
        clearTimers();
        TcpListener l = listener;
        setStateOnly(LISTEN, cause);
        if (l != null) {
            l.forget(this);
        }
        ctx.onClosed(this);
    }

    /** Fifth check: the ACK field. Returns a drop reason, or null to go on. */
    private DropReason onAck(long nowNs, TcpSegment seg) {
        if (state == SYN_RECEIVED) {
            if (SeqNum.lt(sndUna, seg.ack) && SeqNum.le(seg.ack, sndMax)) {
                if (passiveOpen && listener != null && !listener.hasRoomToAccept()) {
                    // Accept queue full: stay in SYN-RECEIVED and let the peer retransmit (as Linux does).
                    return DropReason.TCP_LISTEN_OVERFLOW;
                }
                sndWnd = scaledWindow(seg);
                maxSndWnd = Math.max(maxSndWnd, sndWnd);
                sndWl1 = seg.seq;
                sndWl2 = seg.ack;
                if (retransmits > 0) {
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
                trim(seg);
                if (finQueued) {
                    setState(FIN_WAIT_1, "queued close()");
                }
            } else {
                sendRst(seg.ack, "unacceptable ACK in SYN-RECEIVED");
                return DropReason.TCP_ACK_NOT_ACCEPTABLE;
            }
        }
        // RFC 5961 §5.2: acceptable only if SND.UNA − MAX.SND.WND <= SEG.ACK <= SND.MAX.
        if (SeqNum.gt(seg.ack, sndMax)) {
            sendChallengeAck(nowNs, "ACK for unsent data");
            return DropReason.TCP_ACK_NOT_ACCEPTABLE;
        }
        if (SeqNum.lt(seg.ack, sndUna - Math.max(maxSndWnd, 1))) {
            sendChallengeAck(nowNs, "challenge ACK (old ACK)");
            return DropReason.TCP_ACK_NOT_ACCEPTABLE;
        }
        lastAckReceivedNs = nowNs;
        if (sackOk && seg.options.sackBlocks > 0) {
            sacked.update(seg.options, SeqNum.max(seg.ack, sndUna), sndMax);
        }
        if (SeqNum.gt(seg.ack, sndUna)) {
            onNewAck(nowNs, seg);
        } else if (seg.ack == sndUna) {
            onPossibleDuplicateAck(nowNs, seg);
        }
        updateSendWindow(nowNs, seg);
        if (ecnOk && seg.has(TcpFlags.ECE)) {
            onEcnEcho();
        }

        switch (state) {
            case FIN_WAIT_1 -> {
                // A FIN in this same segment takes FIN-WAIT-1 straight to TIME-WAIT in the eighth
                // step ("if our FIN has been ACKed (perhaps in this segment)"), skipping FIN-WAIT-2.
                boolean finFollows = seg.isFin() && seg.seq == rcvNxt;
                if (finAcked() && !finFollows) {
                    setState(FIN_WAIT_2, "rcv ACK of FIN");
                    if (receiveShutdown) {
                        armFinWait2(nowNs);
                    }
                }
            }
            case CLOSING -> {
                if (finAcked()) {
                    enterTimeWait(nowNs, "rcv ACK of FIN");
                }
            }
            case LAST_ACK -> {
                if (finAcked()) {
                    setState(CLOSED, "rcv ACK of FIN");
                }
            }
            default -> {
            }
        }
        return null;
    }

    private boolean finAcked() {
        return finQueued && SeqNum.gt(sndUna, finSeq);
    }

    private int scaledWindow(TcpSegment seg) {
        return seg.isSyn() ? seg.window : seg.window << sndWndScale;
    }

    /** SND.UNA < SEG.ACK <= SND.MAX: new data acknowledged. */
    private void onNewAck(long nowNs, TcpSegment seg) {
        int ack = seg.ack;
        int acked = SeqNum.diff(ack, sndUna);
        boolean synWasUnacked = sndUna == iss;
        int bufStart = sndBufEnd - sendBuf.length();
        int dataAcked = SeqNum.diff(SeqNum.min(ack, sndBufEnd), bufStart);
        if (dataAcked > 0) {
            sendBuf.consume(dataAcked);
        }
        int flightBefore = SeqNum.diff(sndMax, sndUna);

        // RTT sample (RFC 7323 §4 with timestamps, else Karn's rule on the one timed segment). A
        // connection rebuilt from a SYN cookie did not time its handshake, and the cookie's TSecr
        // carries option bits: no sample from that first ACK.
        boolean cookieHandshake = synWasUnacked && synSentNs < 0;
        if (!cookieHandshake) {
            if (tsOk && seg.options.hasTimestamps && seg.options.tsEcr != 0) {
                int ticks = tsNow(nowNs) - seg.options.tsEcr;
                if (ticks >= 0) {
                    rtt.sample(tsTicksToNs(ticks));
                }
            } else if (synWasUnacked && retransmits == 0) {
                rtt.sample(nowNs - synSentNs);
            } else if (rttTiming && SeqNum.ge(ack, rttSeq)) {
                rtt.sample(nowNs - rttStartNs);
                rttTiming = false;
            }
        }
        sndUna = ack;
        sacked.advance(sndUna);
        if (SeqNum.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        retransmits = 0;
        // Karn (MUST-18, RFC 6298 §5): the backed-off RTO stays until a fresh RTT measurement, which
        // RttEstimator.sample() takes above when this ACK provides one.
        streakStartNs = nowNs;

        // Congestion control and NewReno recovery (RFC 5681 §3, RFC 6582 §3.2).
        int smss = effMss;
        if (eifelPending && inRecovery) {
            eifelPending = false;
            if (seg.options.hasTimestamps && SeqNum.lt(seg.options.tsEcr, eifelTsVal)) {
                // RFC 3522 §3.2: the ACK echoes a timestamp older than the retransmission's, so the
                // original arrived: the loss was a reordering. RFC 4015 §3: restore the window and
                // leave recovery; the retransmitted data is simply acknowledged twice.
                spuriousRetransmits++;
                inRecovery = false;
                sackRecovery = false;
                cc.undo(undoCwnd, undoSsthresh);
            }
        }
        if (inRecovery) {
            if (SeqNum.ge(ack, recover)) {
                inRecovery = false;
                sackRecovery = false;
                cc.onRecoveryEnd(SeqNum.diff(sndMax, sndUna), smss);
            } else if (!sackRecovery) {
                cc.onPartialAck(acked, smss);
                retransmitHead(nowNs, "retransmission (partial ACK)");
            }
            // In SACK recovery a partial ACK changes no window (RFC 6675 §5 step (C)): the send loop
            // run after this segment fills cwnd − pipe with holes and new data.
        } else if (!synWasUnacked) {
            cc.onAck(dataAcked, smss);
        }
        dupAcks = 0;
        limitedTransmit = 0;

        // Timers (RFC 6298 §5.2, §5.3): stop when all is acknowledged, else restart.
        if (probePending && SeqNum.gt(sndUna, probeSeq)) {
            probePending = false;
        }
        if (sndUna == sndMax) {
            disarm(nowNs, TimerKind.RETRANSMISSION);
            probeArmed = false;
        } else {
            armRetransmitOrProbe(nowNs);
        }
        if (flightBefore > 0 && dataAcked > 0 && sendBuf.free() > 0 && !finQueued) {
            notify(EV_WRITABLE);
        }
    }

    /**
     * RFC 3168 §6.1.3, the receiver: a CWR ends the echo, and a Congestion Experienced mark starts
     * it (again, if the CWR segment is itself marked). The first mark is acknowledged at once, so
     * the sender learns of it within one RTT.
     */
    private void noteEcnMarks(TcpSegment seg) {
        if (seg.has(TcpFlags.CWR)) {
            ecnEcho = false;
        }
        if ((seg.tos & ECN_MASK) == ECN_CE) {
            ceReceived++;
            if (!ecnEcho) {
                ecnEcho = true;
                ackNow = true;
            }
        }
    }

    /**
     * RFC 3168 §6.1.2, the sender: an ECN-Echo halves the window as a loss would, once per window
     * of data (not again for ECE on data sent before the last reduction) and not during loss
     * recovery, which has already reduced it. Nothing is retransmitted.
     */
    private void onEcnEcho() {
        if (inRecovery || !SeqNum.gt(sndUna, ecnRecover)) {
            return;
        }
        ecnReductions++;
        cc.onEcnEcho(SeqNum.diff(sndMax, sndUna), effMss);
        windowReduced();
    }

    /** RFC 3168 §6.1.2: after any window reduction, the next new data segment carries CWR. */
    private void windowReduced() {
        if (ecnOk) {
            cwrPending = true;
            ecnRecover = sndMax;
        }
    }

    /** RFC 5681 §2's definition of a duplicate ACK, then fast retransmit and recovery. */
    private void onPossibleDuplicateAck(long nowNs, TcpSegment seg) {
        // Not while the offered window is zero: the ACKs that answer zero-window probes (RFC 9293
        // §3.8.6.1) match the definition but signal no loss, and fast retransmit would then send a
        // full segment into a closed window.
        boolean duplicate = seg.payloadLength == 0 && !seg.isSyn() && !seg.isFin()
                && SeqNum.lt(sndUna, sndMax) && scaledWindow(seg) == sndWnd && sndWnd > 0;
        if (!duplicate) {
            return;
        }
        dupAcksTotal++;
        dupAcks++;
        int smss = effMss;
        if (inRecovery) {
            if (!sackRecovery) {
                cc.onDupAckInRecovery(smss);
            }
            return;
        }
        // RFC 6675 §5: with SACK, recovery also starts as soon as the scoreboard shows SND.UNA lost.
        boolean lost = sackOk && !sacked.isEmpty()
                && (SeqNum.lt(sndUna, sacked.lostBoundary(sndUna, smss, cfg.dupAckThreshold()))
                        || probeRevealsLoss());
        if (dupAcks < cfg.dupAckThreshold() && !lost) {
            // RFC 3042: each of the first DupThresh − 1 duplicate ACKs lets one new segment go beyond
            // cwnd, so a small window still gathers enough duplicate ACKs for fast retransmit.
            limitedTransmit = dupAcks * smss;
        }
        if ((dupAcks == cfg.dupAckThreshold() || lost) && SeqNum.gt(seg.ack, recover - 1)) {
            limitedTransmit = 0;
            probePending = false;
            probeArmed = false;
            // RFC 6582 §3.2 step 2: enter fast recovery only if the ACK covers more than "recover".
            inRecovery = true;
            recover = sndMax;
            rttTiming = false;
            // Eifel (RFC 3522): remember what to restore should this retransmit prove spurious.
            eifelPending = tsOk;
            eifelTsVal = tsNow(nowNs);
            undoCwnd = cc.cwnd();
            undoSsthresh = cc.ssthresh();
            if (sackOk && !sacked.isEmpty()) {
                // RFC 6675 §5 step (4): cwnd = ssthresh (no inflation); the send loop retransmits the
                // first lost hole, then whatever cwnd − pipe allows.
                sackRecovery = true;
                highRxt = sndUna;
                rxtRoundMark = sndMax;
                cc.onFastRetransmit(SeqNum.diff(sndMax, sndUna), smss, 0);
                windowReduced();
                // Step (4.3): the first segment presumed lost goes out at once, whatever the pipe.
                int dataEnd = SeqNum.min(sndBufEnd, sndMax);
                if (SeqNum.lt(sndUna, dataEnd)) {
                    retransmitRange(nowNs, sndUna, sacked.holeEnd(sndUna, dataEnd), "fast retransmit (SACK)");
                }
            } else {
                cc.onFastRetransmit(SeqNum.diff(sndMax, sndUna), smss, dupAcks);
                windowReduced();
                retransmitHead(nowNs, "fast retransmit");
            }
            armRetransmit(nowNs);
        }
    }

    /** §3.10.7.4: update SND.WND if the segment is newer than the last window update. */
    private void updateSendWindow(long nowNs, TcpSegment seg) {
        if (SeqNum.lt(sndWl1, seg.seq) || (sndWl1 == seg.seq && SeqNum.le(sndWl2, seg.ack))) {
            int wasWnd = sndWnd;
            sndWnd = scaledWindow(seg);
            sndWl1 = seg.seq;
            sndWl2 = seg.ack;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            if (wasWnd == 0 && sndWnd > 0) {
                disarm(nowNs, TimerKind.PERSIST);
                if (persistBackoff > 0 && SeqNum.gt(sndNxt, sndUna)) {
                    // §3.8.6.1: the window opened without covering the probe octet, which the peer had
                    // no room for; no timer is waiting for it, so send again from SND.UNA.
                    sndNxt = sndUna;
                }
                persistBackoff = 0;
            }
        }
    }

    /** Sixth check: URG (RFC 9293 §3.8.5, RFC 6093: the pointer is the seq after the last urgent byte). */
    private void onUrgentPointer(TcpSegment seg) {
        if (state != ESTABLISHED && state != FIN_WAIT_1 && state != FIN_WAIT_2) {
            return;
        }
        int up = seg.seq + seg.urgentPointer;
        if (!rcvUrgent || SeqNum.gt(up, rcvUp)) {
            rcvUp = up;
            rcvUrgent = SeqNum.gt(rcvUp, rcvReadSeq);
            if (rcvUrgent) {
                notify(EV_URGENT);
            }
        }
    }

    /** Seventh step: segment text. */
    private void onText(long nowNs, TcpSegment seg) {
        if (state != ESTABLISHED && state != FIN_WAIT_1 && state != FIN_WAIT_2) {
            return;
        }
        if (receiveShutdown) {
            // SHLD-3: the application closed and will never read this; tell the peer data was lost.
            sendRst(sndMax, "data after close");
            fail(TcpError.ABORTED, "rcv data after close()");
            return;
        }
        int len = seg.payloadLength;
        rcvMssEstimate = Math.max(rcvMssEstimate, Math.min(len, localMss));
        boolean inOrder = seg.seq == rcvNxt;
        boolean hadHoles = rcvBuf.hasOutOfOrder();
        int before = rcvNxt;
        rcvNxt = rcvBuf.store(rcvNxt, seg.seq, seg, 0, len);
        bytesReceived += SeqNum.diff(rcvNxt, before);
        if (!inOrder || hadHoles) {
            // RFC 9293 §3.8.6.3 (and RFC 5681 §4.2): ACK out-of-order data and hole fills at once.
            ackNow = true;
        } else {
            rcvBytesSinceAck += len;
            if (rcvBytesSinceAck >= 2 * Math.max(rcvMssEstimate, 1)) {
                ackNow = true;
            } else {
                arm(nowNs, TimerKind.DELAYED_ACK, nowNs + cfg.delayedAckNs());
            }
        }
        if (rcvNxt != before) {
            notify(EV_READABLE);
            if (finPending && rcvNxt == pendingFinSeq) {
                finPending = false;
                onFin(nowNs, "rcv FIN (was out of order)");
            }
        }
    }

    /** Eighth step: the peer's FIN, in order. */
    private void onFin(long nowNs, String cause) {
        if (finReceived) {
            ackNow = true;
            return;
        }
        finReceived = true;
        rcvNxt += 1;
        ackNow = true;
        notify(EV_READABLE);
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> setState(CLOSE_WAIT, cause);
            case FIN_WAIT_1 -> {
                if (finAcked()) {
                    sendAck(nowNs, null);
                    enterTimeWait(nowNs, cause + ",ACK");
                    return;
                }
                setState(CLOSING, cause);
            }
            case FIN_WAIT_2 -> {
                sendAck(nowNs, null);
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
            held.seq = irs + 1;
            held.flags = TcpFlags.ACK;
            if (held.seq == rcvNxt) {
                onText(nowNs, held);
            }
        }
        if (fin && state != CLOSED && rcvNxt == irs + 1 + (data == null ? 0 : data.length)) {
            onFin(nowNs, "rcv FIN (on SYN)");
        }
    }

    // =================================================================================================
    // Timers (RFC 9293 §3.10.8 timeouts and the others)
    // =================================================================================================

    /** The earliest deadline of any armed timer, or {@link Long#MAX_VALUE}. */
    public long nextDeadlineNs() {
        long min = NONE;
        for (long d : deadlines) {
            min = Math.min(min, d);
        }
        return min;
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
        for (TimerKind kind : TIMERS) {
            long d = deadlines[kind.ordinal()];
            if (d != NONE && d <= nowNs && state != CLOSED) {
                deadlines[kind.ordinal()] = NONE;
                if (ctx.tracer().isEnabled()) {
                    trace(new TraceEvent.TimerEvent(nowNs, ctx.hostName(), key, kind,
                            TraceEvent.TimerAction.FIRED, d));
                }
                switch (kind) {
                    case RETRANSMISSION -> onRetransmissionTimeout(nowNs);
                    case PERSIST -> onPersistTimeout(nowNs);
                    case DELAYED_ACK -> {
                        ackNow = true;
                        output(nowNs);
                    }
                    case KEEPALIVE -> onKeepAliveTimeout(nowNs);
                    case FIN_WAIT_2 -> fail(TcpError.TIMED_OUT, "FIN-WAIT-2 timeout");
                    case USER_TIMEOUT, TIME_WAIT -> {
                        // Not armed on a connection: R2/user timeout is checked at RTO, TIME-WAIT by the host.
                    }
                }
            }
        }
        if (state != CLOSED) {
            reschedule();
        }
    }

    /** R2 for the current state: SYN (MUST-23) or data (SHLD-11), or the application's (MUST-21). */
    private long r2() {
        if (r2Ns > 0) {
            return r2Ns;
        }
        return state == SYN_SENT || state == SYN_RECEIVED ? cfg.synRetransmitTimeoutNs() : cfg.r2TimeoutNs();
    }

    /** RETRANSMISSION TIMEOUT (§3.10.8; RFC 6298 §5.4–§5.7; RFC 5681 §3.1). */
    private void onRetransmissionTimeout(long nowNs) {
        if (sndUna == sndMax && state.isSynchronized()) {
            return;
        }
        if (probeArmed) {
            probeArmed = false;
            sendTailLossProbe(nowNs);
            armRetransmit(nowNs);
            return;
        }
        if (nowNs - streakStartNs >= r2() && !zeroWindowExemption(nowNs)) {
            fail(TcpError.TIMED_OUT, "retransmission timeout (R2)");
            return;
        }
        retransmits++;
        if (!state.isSynchronized() || state == SYN_RECEIVED) {
            retransmissionsTotal++; // a SYN or SYN,ACK resent below; data resends count in sendData
        }
        if (retransmits == cfg.r1Retransmissions()) {
            // §3.8.3 (b), (e): negative advice to IP, and tell the application (SHLD-9).
            ctx.onNegativeAdvice(key);
            if (softErrorReports) {
                notify(EV_TROUBLE);
            }
        }
        // A timeout into a zero window is the first zero-window probe (below), whose own timer backs
        // off from the current RTO: do not back the RTO off as well.
        if (!(state.isSynchronized() && sndWnd == 0)) {
            rtt.backOff();
        }
        rttTiming = false;
        switch (state) {
            case SYN_SENT -> sendSyn(nowNs, false, "retransmission");
            case SYN_RECEIVED -> sendSyn(nowNs, true, "retransmission");
            default -> {
                cc.onRetransmitTimeout(SeqNum.diff(sndMax, sndUna), effMss);
                windowReduced();
                inRecovery = false;
                eifelPending = false;
                probePending = false;
                // RFC 2018 §8: after a timeout, prior SACK information no longer steers retransmission;
                // the peer's next ACKs rebuild it.
                sackRecovery = false;
                sacked.clear();
                recover = sndMax;
                dupAcks = 0;
                sndNxt = sndUna;
                if (sndWnd == 0) {
                    // The window closed with data in flight: this timeout is the RTO after which the
                    // first zero-window probe goes (SHLD-29); probing continues on the persist timer.
                    persistBackoff = 0;
                    sendZeroWindowProbe(nowNs);
                    return;
                }
                output(nowNs);
            }
        }
        armRetransmit(nowNs);
    }

    /**
     * SHLD-17 / MUST-34: a peer that shrank its window to zero but still acknowledges is not dead;
     * our retransmissions are then zero-window probes and must not time the connection out.
     */
    private boolean zeroWindowExemption(long nowNs) {
        return state.isSynchronized() && sndWnd == 0 && lastAckReceivedNs >= lastProbeNs;
    }

    /**
     * Zero-window probe (§3.8.6.1, MUST-35/36, SHLD-29/30): send one byte beyond the closed window,
     * or repeat it, with exponential backoff; never give up while the peer answers (MUST-37).
     */
    private void onPersistTimeout(long nowNs) {
        if (sndWnd != 0 || !state.isSynchronized()) {
            return;
        }
        // MUST-37: never give up while the probes are answered, however far apart they are (up to
        // the maximum RTO, which may exceed R2); R2 runs from the last ACK once a probe goes unanswered.
        if (lastAckReceivedNs < lastProbeNs && nowNs - lastAckReceivedNs >= r2()) {
            fail(TcpError.TIMED_OUT, "zero-window probes unanswered (R2)");
            return;
        }
        sendZeroWindowProbe(nowNs);
    }

    /** One probe octet (or the FIN) into the closed window, then the next probe on the backed-off persist timer. */
    private void sendZeroWindowProbe(long nowNs) {
        disarm(nowNs, TimerKind.RETRANSMISSION);
        int unsent = SeqNum.diff(sndBufEnd, sndNxt);
        prepare(TcpFlags.ACK);
        if (sndNxt == sndUna && unsent > 0) {
            out.seq = sndNxt;
            sendBuf.lend(SeqNum.diff(sndNxt, sndBufEnd - sendBuf.length()), 1, out);
            transmit(nowNs, "zero-window probe");
            sndNxt += 1;
            sndMax = SeqNum.max(sndMax, sndNxt);
        } else if (sndNxt != sndUna && SeqNum.lt(sndUna, sndBufEnd)) {
            out.seq = sndUna;
            sendBuf.lend(0, 1, out);
            transmit(nowNs, "zero-window probe");
        } else if (finQueued && sndUna == finSeq) {
            // Only the FIN is left: probe with it, and again while the peer has no room for it.
            out.seq = finSeq;
            out.flags |= TcpFlags.FIN;
            transmit(nowNs, "zero-window probe (FIN)");
            sndNxt = finSeq + 1;
            sndMax = SeqNum.max(sndMax, sndNxt);
        } else {
            return;
        }
        lastProbeNs = nowNs;
        persistBackoff++;
        armPersist(nowNs);
    }

    private void armPersist(long nowNs) {
        long interval = rtt.rtoNs();
        for (int i = 0; i < persistBackoff && interval < cfg.maxRtoNs(); i++) {
            interval *= 2;
        }
        arm(nowNs, TimerKind.PERSIST, nowNs + Math.min(interval, cfg.maxRtoNs()));
    }

    /** Keep-alive (§3.8.4): probe an idle connection with SEG.SEQ = SND.NXT − 1 and no data (SHLD-12). */
    private void onKeepAliveTimeout(long nowNs) {
        if (!keepAlive || (state != ESTABLISHED && state != CLOSE_WAIT)) {
            return;
        }
        long idleSince = lastReceiveNs;
        if (nowNs - idleSince < cfg.keepAliveIdleNs() || SeqNum.lt(sndUna, sndMax)) {
            // MUST-26: only when idle and nothing is outstanding. Check again later.
            arm(nowNs, TimerKind.KEEPALIVE, Math.max(idleSince + cfg.keepAliveIdleNs(), nowNs + cfg.keepAliveIntervalNs()));
            return;
        }
        if (keepAliveProbes >= cfg.keepAliveProbes()) {
            // MUST-29 is respected: one unanswered probe proves nothing; several in a row do.
            fail(TcpError.TIMED_OUT, "keep-alive probes unanswered");
            return;
        }
        keepAliveProbes++;
        prepare(TcpFlags.ACK);
        out.seq = sndMax - 1;
        transmit(nowNs, "keep-alive");
        arm(nowNs, TimerKind.KEEPALIVE, nowNs + cfg.keepAliveIntervalNs());
    }

    private void armKeepAlive(long nowNs) {
        if (keepAlive) {
            arm(nowNs, TimerKind.KEEPALIVE, nowNs + cfg.keepAliveIdleNs());
        }
    }

    private void armFinWait2(long nowNs) {
        if (cfg.finWait2TimeoutNs() > 0) {
            arm(nowNs, TimerKind.FIN_WAIT_2, nowNs + cfg.finWait2TimeoutNs());
        }
    }

    /**
     * RFC 8985 §7.2: while data is in flight outside recovery, wait first for a probe timeout (PTO
     * = 2 × SRTT, at least 10 ms, plus a worst-case delayed ACK when a single segment is out); if no
     * ACK comes, {@link #sendTailLossProbe} turns a tail loss that would wait for the RTO into one the
     * SACK of the probe reveals. The RTO applies when the PTO would not come first.
     */
    private void armRetransmitOrProbe(long nowNs) {
        boolean dataState = state == ESTABLISHED || state == CLOSE_WAIT;
        if (dataState && sackOk && !inRecovery && !probePending && retransmits == 0 && rtt.hasSample()) {
            long pto = Math.max(2 * rtt.srttNs(), 10_000_000L);
            if (SeqNum.diff(sndMax, sndUna) <= effMss) {
                pto += 200_000_000L;
            }
            if (pto < rtt.rtoNs()) {
                probeArmed = true;
                arm(nowNs, TimerKind.RETRANSMISSION, nowNs + pto);
                return;
            }
        }
        probeArmed = false;
        armRetransmit(nowNs);
    }

    /** RFC 8985 §7.3: one segment of new data if the window allows, else the last segment again. */
    private void sendTailLossProbe(long nowNs) {
        probePending = true;
        int unsent = SeqNum.diff(sndBufEnd, sndNxt);
        int room = SeqNum.diff(sndUna + sndWnd, sndNxt);
        if (unsent > 0 && room > 0 && sndNxt == sndMax) {
            int len = Math.min(effMss, Math.min(unsent, room));
            probeSeq = sndNxt;
            sendData(nowNs, sndNxt, len, false, len == unsent);
            sndNxt += len;
            sndMax = SeqNum.max(sndMax, sndNxt);
            return;
        }
        int dataEnd = SeqNum.min(sndBufEnd, sndMax);
        int len = Math.min(effMss, SeqNum.diff(dataEnd, sndUna));
        if (len <= 0) {
            probePending = false;
            return;
        }
        probeSeq = dataEnd - len;
        prepare(TcpFlags.ACK);
        out.seq = probeSeq;
        sendBuf.lend(SeqNum.diff(probeSeq, sndBufEnd - sendBuf.length()), len, out);
        retransmissionsTotal++;
        transmit(nowNs, "tail loss probe");
    }

    /** The peer SACKed our probe while data below it is still missing: that data is lost. */
    private boolean probeRevealsLoss() {
        return probePending && SeqNum.lt(sndUna, probeSeq) && sacked.isSacked(probeSeq);
    }

    private void armRetransmit(long nowNs) {
        long deadline = nowNs + rtt.rtoNs();
        // Do not sleep past the moment R2 runs out, so a timeout is reported on time.
        long giveUp = streakStartNs + r2();
        if (giveUp > nowNs && giveUp < deadline && !zeroWindowExemption(nowNs)) {
            deadline = giveUp;
        }
        arm(nowNs, TimerKind.RETRANSMISSION, deadline);
    }

    private void arm(long nowNs, TimerKind kind, long deadlineNs) {
        deadlines[kind.ordinal()] = deadlineNs;
        if (ctx.tracer().isEnabled()) {
            trace(new TraceEvent.TimerEvent(nowNs, ctx.hostName(), key, kind, TraceEvent.TimerAction.SET, deadlineNs));
        }
    }

    private void disarm(long nowNs, TimerKind kind) {
        long d = deadlines[kind.ordinal()];
        if (d != NONE) {
            deadlines[kind.ordinal()] = NONE;
            if (ctx.tracer().isEnabled()) {
                trace(new TraceEvent.TimerEvent(nowNs, ctx.hostName(), key, kind,
                        TraceEvent.TimerAction.CANCELLED, d));
            }
        }
    }

    private void clearTimers() {
        Arrays.fill(deadlines, NONE);
    }

    /** Tells the host when to call {@link #onTimer} next, if that changed. */
    private void reschedule() {
        long next = nextDeadlineNs();
        if (next != scheduledNs) {
            scheduledNs = next;
            ctx.schedule(this, next);
        }
    }

    // =================================================================================================
    // Output: deciding what to send (RFC 9293 §3.7.4 Nagle, §3.8.6.2.1 sender SWS, RFC 5681 windows)
    // =================================================================================================

    /**
     * Sends whatever the windows, Nagle and SWS avoidance allow: data from SND.NXT, then the FIN;
     * or a bare ACK if one is owed. Called after every event that may have made sending possible.
     */
    private void output(long nowNs) {
        if (state == CLOSED || state == TIME_WAIT) {
            return;
        }
        boolean sent = false;
        if (state != SYN_SENT && state != SYN_RECEIVED && state != LISTEN) {
            sent = sackRecovery ? sackRecoverySend(nowNs) : outputData(nowNs);
        }
        if (!sent && ackNow && state != SYN_SENT && state != LISTEN) {
            sendAck(nowNs, null);
        }
    }

    private boolean outputData(long nowNs) {
        boolean sentAny = false;
        while (true) {
            if (finQueued && SeqNum.gt(sndNxt, finSeq)) {
                break;
            }
            int inFlight = SeqNum.diff(sndNxt, sndUna);
            int unsent = SeqNum.diff(sndBufEnd, sndNxt);
            if (inFlight == 0 && unsent > 0 && nowNs - lastDataSendNs > rtt.rtoNs()) {
                // RFC 5681 §4.1: after an idle period longer than the RTO, restart from the initial window.
                cc.onIdleRestart(effMss, initialWindow());
            }
            int window = Math.min(sndWnd, cc.cwnd() + limitedTransmit);
            int usable = window - inFlight;
            int len = Math.min(unsent, Math.min(effMss, Math.max(usable, 0)));
            boolean fin = finQueued && len == unsent && usable > len;
            if (len == 0 && !fin) {
                break;
            }
            if (len > 0 && len < effMss && !fin) {
                // Nagle (§3.7.4): hold the last small piece while data is unacknowledged, unless no-delay.
                // Sender SWS (§3.8.6.2.1): a window-limited piece goes only if it is at least half the
                // largest window offered, or nothing is in flight to bring a window update (deviation:
                // the override timeout is zero then, as in Linux).
                boolean allQueued = len == unsent;
                boolean hold = allQueued ? !noDelay && inFlight > 0 : len < maxSndWnd / 2 && inFlight > 0;
                if (hold) {
                    break;
                }
            }
            boolean isNew = SeqNum.ge(sndNxt, sndMax);
            if (sndUna == sndMax) {
                streakStartNs = nowNs;
            }
            sendData(nowNs, sndNxt, len, fin, len == unsent);
            if (isNew && !rttTiming && !tsOk) {
                rttTiming = true;
                rttSeq = sndNxt + len + (fin ? 1 : 0);
                rttStartNs = nowNs;
            }
            sndNxt += len + (fin ? 1 : 0);
            sndMax = SeqNum.max(sndMax, sndNxt);
            if (deadlines[TimerKind.RETRANSMISSION.ordinal()] == NONE) {
                // RFC 6298 §5.1: start the timer when sending data if it is not running.
                armRetransmitOrProbe(nowNs);
            }
            sentAny = true;
        }
        // §3.8.6.1: data waiting, window closed, nothing in flight to elicit an ACK: probe it.
        boolean waiting = SeqNum.lt(sndNxt, sndBufEnd) || (finQueued && SeqNum.le(sndNxt, finSeq));
        if (waiting && sndWnd == 0 && sndNxt == sndUna && deadlines[TimerKind.PERSIST.ordinal()] == NONE) {
            armPersist(nowNs);
        }
        return sentAny;
    }

    /**
     * RFC 6675 §5 step (C): while cwnd − pipe ≥ SMSS, send NextSeg(): the first lost hole not yet
     * retransmitted (rule 1), else new data (rule 2), else the first un-SACKed hole below the highest
     * SACK not yet retransmitted (rule 3).
     */
    private boolean sackRecoverySend(long nowNs) {
        boolean sentAny = false;
        int smss = effMss;
        int dataEnd = SeqNum.min(sndBufEnd, sndMax);
        if (SeqNum.lt(sndUna, highRxt) && SeqNum.diff(sacked.highestSacked(sndUna), rxtRoundMark)
                > cfg.dupAckThreshold() * smss) {
            // Data sent after our retransmissions is arriving but a retransmitted hole is still
            // missing: the retransmission was lost too. Start another round from SND.UNA rather than
            // waiting for the retransmission timer.
            highRxt = sndUna;
            rxtRoundMark = sndMax;
        }
        while (true) {
            int boundary = sacked.lostBoundary(sndUna, smss, cfg.dupAckThreshold());
            int pipe = sacked.pipe(sndUna, sndMax, boundary, highRxt);
            if (cc.cwnd() - pipe < smss) {
                break;
            }
            int from = SeqNum.max(highRxt, sndUna);
            int lostLimit = SeqNum.min(boundary, dataEnd);
            int hole = sacked.nextHole(from, lostLimit);
            if (SeqNum.lt(hole, lostLimit)) {
                retransmitRange(nowNs, hole, sacked.holeEnd(hole, dataEnd), "retransmission (SACK: lost)");
                sentAny = true;
                continue;
            }
            if (sendNewInRecovery(nowNs)) {
                sentAny = true;
                continue;
            }
            int sackedLimit = SeqNum.min(sacked.highestSacked(sndUna), dataEnd);
            hole = sacked.nextHole(from, sackedLimit);
            if (SeqNum.lt(hole, sackedLimit)) {
                retransmitRange(nowNs, hole, sacked.holeEnd(hole, dataEnd), "retransmission (SACK)");
                sentAny = true;
                continue;
            }
            break;
        }
        return sentAny;
    }

    /** Retransmits up to one segment of the hole [seq, holeEnd) and moves HighRxt past it. */
    private void retransmitRange(long nowNs, int seq, int holeEnd, String note) {
        int len = Math.min(effMss, SeqNum.diff(holeEnd, seq));
        prepare(TcpFlags.ACK);
        out.seq = seq;
        sendBuf.lend(SeqNum.diff(seq, sndBufEnd - sendBuf.length()), len, out);
        retransmissionsTotal++;
        transmit(nowNs, note);
        highRxt = seq + len;
    }

    /** NextSeg rule 2: one segment of new data, if the peer's window has room. */
    private boolean sendNewInRecovery(long nowNs) {
        int unsent = SeqNum.diff(sndBufEnd, sndNxt);
        int room = SeqNum.diff(sndUna + sndWnd, sndNxt);
        int len = Math.min(effMss, Math.min(unsent, room));
        boolean fin = finQueued && len == unsent && room > len && !SeqNum.gt(sndNxt, finSeq);
        if (len <= 0 && !fin) {
            return false;
        }
        len = Math.max(len, 0);
        sendData(nowNs, sndNxt, len, fin, len == unsent);
        sndNxt += len + (fin ? 1 : 0);
        sndMax = SeqNum.max(sndMax, sndNxt);
        return true;
    }

    /** Sends {@code len} bytes from {@code seq} (and FIN), as a new transmission or a retransmission. */
    private void sendData(long nowNs, int seq, int len, boolean fin, boolean push) {
        prepare(TcpFlags.ACK | (fin ? TcpFlags.FIN : 0) | (push && len > 0 ? TcpFlags.PSH : 0));
        out.seq = seq;
        int bufStart = sndBufEnd - sendBuf.length();
        sendBuf.lend(SeqNum.diff(seq, bufStart), len, out);
        if (sndUrgent) {
            int up = SeqNum.diff(sndUp, seq);
            if (up > 0 && up <= 0xFFFF) {
                out.flags |= TcpFlags.URG;
                out.urgentPointer = up;
            } else if (up <= 0) {
                sndUrgent = SeqNum.gt(sndUp, sndUna);
            }
        }
        boolean retransmission = SeqNum.lt(seq, sndMax);
        if (retransmission) {
            retransmissionsTotal++;
        } else {
            bytesSent += len;
            if (ecnOk && len > 0) {
                // RFC 3168 §6.1.5: new data is ECN-capable (ECT(0)); retransmissions, pure ACKs and
                // window probes are not. The first new segment after a reduction carries CWR.
                out.tos = (tos & ~ECN_MASK) | ECN_ECT0;
                if (cwrPending) {
                    out.flags |= TcpFlags.CWR;
                    cwrPending = false;
                }
            }
        }
        lastDataSendNs = nowNs;
        transmit(nowNs, retransmission ? "retransmission" : null);
    }

    /** Resends the oldest unacknowledged segment (fast retransmit, NewReno partial ACK). */
    private void retransmitHead(long nowNs, String note) {
        int avail = SeqNum.diff(sndBufEnd, sndUna);
        int len = Math.max(0, Math.min(effMss, avail));
        boolean fin = finQueued && SeqNum.lt(finSeq, sndMax) && sndUna + len == finSeq;
        prepare(TcpFlags.ACK | (fin ? TcpFlags.FIN : 0));
        out.seq = sndUna;
        sendBuf.lend(0, len, out);
        retransmissionsTotal++;
        transmit(nowNs, note);
    }

    /**
     * SYN (active open) or SYN,ACK (passive and simultaneous open) with our options: MSS always
     * (MUST-14); on a SYN, every option we support; on a SYN,ACK, window scale, SACK-permitted and
     * timestamps only if the peer's SYN carried them (RFC 7323 §2.2, §3.2; RFC 2018 §2).
     */
    private void sendSyn(long nowNs, boolean withAck, String note) {
        if (synSentNs < 0) {
            synSentNs = nowNs;
        }
        prepare(withAck ? TcpFlags.SYN | TcpFlags.ACK : TcpFlags.SYN);
        out.seq = iss;
        out.options.mss = localMss;
        if (withAck) {
            if (ecnOk) {
                out.flags |= TcpFlags.ECE;
            }
            out.options.windowScale = wsOk ? rcvWndScale : -1;
            out.options.sackPermitted = sackOk;
            if (tsOk) {
                out.options.timestamps(tsNow(nowNs), tsRecent);
            }
        } else {
            // RFC 3168 §6.1.1: ask for ECN with ECE and CWR. §6.1.1.1: a SYN sent again goes
            // without them, in case the first was dropped for its ECN bits; an ECN-setup SYN,ACK
            // still means the peer saw the first one, so it still counts (Linux does the same).
            if (retransmits == 0) {
                ecnRequested = cfg.ecn() == TcpConfig.EcnMode.ON;
            }
            if (ecnRequested && retransmits == 0) {
                out.flags |= TcpFlags.ECE | TcpFlags.CWR;
            }
            if (cfg.windowScaling()) {
                offeredRcvWndScale = chooseWindowScale();
                out.options.windowScale = offeredRcvWndScale;
            }
            out.options.sackPermitted = cfg.sack();
            if (cfg.timestamps()) {
                out.options.timestamps(tsNow(nowNs), 0);
            }
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
    private void sendAck(long nowNs, String note) {
        prepare(TcpFlags.ACK);
        out.seq = sndMax;
        transmit(nowNs, note);
    }

    /** RFC 5961 §7: a challenge ACK, within the host-wide budget. */
    private void sendChallengeAck(long nowNs, String note) {
        if (ctx.challengeAcks().tryAcquire(nowNs)) {
            sendAck(nowNs, note);
        }
    }

    /** <SEQ=seq><CTL=RST>. */
    private void sendRst(int seq, String note) {
        out.clear();
        out.tos = tos;
        out.srcPort = key.localPort();
        out.dstPort = key.remotePort();
        out.seq = seq;
        out.flags = TcpFlags.RST;
        segmentsSent++;
        ctx.transmit(nowNs, localAddress, remoteAddress, out, note);
    }

    /** <SEQ=seq><ACK=ack><CTL=RST,ACK>. */
    private void sendRstAck(int seq, int ack) {
        out.clear();
        out.tos = tos;
        out.srcPort = key.localPort();
        out.dstPort = key.remotePort();
        out.seq = seq;
        out.ack = ack;
        out.flags = TcpFlags.RST | TcpFlags.ACK;
        segmentsSent++;
        ctx.transmit(nowNs, localAddress, remoteAddress, out, null);
    }

    /** Fills the common fields of {@link #out}: ports, ACK, window, timestamps, SACK blocks. */
    private void prepare(int flags) {
        out.clear();
        out.tos = tos;
        out.srcPort = key.localPort();
        out.dstPort = key.remotePort();
        out.flags = flags;
        boolean syn = (flags & TcpFlags.SYN) != 0;
        if ((flags & TcpFlags.ACK) != 0) {
            out.ack = rcvNxt;
            if (ecnEcho && !syn) {
                out.flags |= TcpFlags.ECE;
            }
        }
        out.window = advertiseWindow(syn);
        if (tsOk && !syn) {
            out.options.timestamps(0, tsRecent);
        }
        if (sackOk && !syn && rcvBuf.hasOutOfOrder()) {
            rcvBuf.fillSackBlocks(out.options, TcpOptions.MAX_SACK_BLOCKS);
        }
    }

    /**
     * The window field to send (§3.8.6.2.2 receiver SWS avoidance; SHLD-14: the right edge never
     * moves left). Moves the advertised right edge only by at least min(buffer/2, MSS).
     */
    private int advertiseWindow(boolean syn) {
        int free = rcvBuf.window();
        if (syn) {
            // RFC 7323 §2.2: the window in a SYN is never scaled.
            return Math.min(free, MAX_WINDOW);
        }
        int candidateEdge = rcvNxt + free;
        int current = SeqNum.diff(rcvAdvertisedEdge, rcvNxt);
        int step = Math.min(rcvBuf.capacity() / 2, Math.max(localMss, 1));
        // The 16-bit field, scaled, bounds what can be offered: without window scaling a buffer larger
        // than 64 KiB still offers 65535 (RFC 7323 §2.2), and RCV.WND must not pass what was sent.
        int expressible = MAX_WINDOW << rcvWndScale;
        if (SeqNum.diff(candidateEdge, rcvNxt) > expressible) {
            candidateEdge = rcvNxt + expressible;
        }
        if (SeqNum.diff(candidateEdge, rcvAdvertisedEdge) >= step || current < 0) {
            rcvAdvertisedEdge = candidateEdge;
        }
        int wnd = Math.max(0, SeqNum.diff(rcvAdvertisedEdge, rcvNxt));
        int field = Math.min(wnd >>> rcvWndScale, MAX_WINDOW);
        // Round up so the scaled window never ends left of the edge already promised.
        if ((field << rcvWndScale) < wnd && field < MAX_WINDOW) {
            field++;
        }
        return field;
    }

    /** Hands {@link #out} to the host, with a fresh TSval, and does the bookkeeping of any sent segment. */
    private void transmit(long nowNs, String note) {
        if (out.options.hasTimestamps && !out.isSyn()) {
            out.options.tsVal = tsNow(nowNs);
        }
        if (out.isAck()) {
            lastAckSent = rcvNxt;
            ackNow = false;
            rcvBytesSinceAck = 0;
            if (deadlines[TimerKind.DELAYED_ACK.ordinal()] != NONE) {
                deadlines[TimerKind.DELAYED_ACK.ordinal()] = NONE;
            }
        }
        lastSendNs = nowNs;
        segmentsSent++;
        ctx.transmit(nowNs, localAddress, remoteAddress, out, note);
    }

    // =================================================================================================
    // Timestamps (RFC 7323)
    // =================================================================================================

    private int tsNow(long nowNs) {
        return (int) (nowNs / (1_000_000_000L / cfg.timestampHz())) + tsOffset;
    }

    private long tsTicksToNs(int ticks) {
        return (long) ticks * (1_000_000_000L / cfg.timestampHz());
    }

    private void updateTsRecent(long nowNs, int tsVal) {
        tsRecent = tsVal;
        tsRecentNs = nowNs;
    }

    private boolean tsRecentValid(long nowNs) {
        return nowNs - tsRecentNs < TS_RECENT_MAX_IDLE_NS;
    }

    // =================================================================================================
    // State changes: the one place every transition goes through
    // =================================================================================================

    /** Moves to {@code next}, traces it with its cause, and does what entering that state requires. */
    private void setState(TcpState next, String cause) {
        setStateOnly(next, cause);
        if (next == CLOSED) {
            clearTimers();
            sendBuf.release();
            if (listener != null) {
                listener.forget(this);
            }
            ctx.onClosed(this);
            notify(EV_CLOSED);
        }
    }

    private void setStateOnly(TcpState next, String cause) {
        TcpState prev = state;
        state = next;
        if (ctx.tracer().isEnabled()) {
            trace(new TraceEvent.StateEvent(nowNs, ctx.hostName(), key, prev, next, cause));
        }
    }

    private void enterTimeWait(long nowNs, String cause) {
        clearTimers();
        setStateOnly(TIME_WAIT, cause);
        sendBuf.release();
        rcvBuf.release();
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
        sendBuf.consume(sendBuf.length());
        sendBuf.release();
        // §3.10.7.4 on RST: "All segment queues should be flushed"; the same for aborts and timeouts.
        rcvBuf.clear();
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
                if ((ev & EV_WRITABLE) != 0 && state != CLOSED) {
                    handler.onWritable(this);
                }
                if ((ev & EV_TROUBLE) != 0) {
                    handler.onRetransmissionTrouble(this, retransmits);
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
        return key + " " + state;
    }
}
