package dev.jtcp.tcp;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A passive OPEN: a socket in LISTEN (RFC 9293 §3.10.7.2) with the two queues every real stack keeps.
 *
 * <ul>
 *   <li>The SYN queue: connections in SYN-RECEIVED, one per SYN answered. At most {@code backlog}.
 *   <li>The accept queue: connections that reached ESTABLISHED and wait for {@link #accept()}. At
 *       most {@code backlog}; while it is full, new SYNs are dropped and completing handshakes wait
 *       (the peer retransmits), as Linux does.
 * </ul>
 *
 * <p>When the SYN queue is full, SYNs are answered with SYN cookies ({@link SynCookies}, RFC 4987)
 * if {@link TcpConfig#synCookies()} allows, so a flood of spoofed SYNs can neither exhaust memory
 * nor lock out real clients; without cookies they are dropped. Memory is bounded either way.
 *
 * <p>TCP Fast Open (RFC 7413 §4.2): with a Fast Open queue ({@link #fastOpen(int)}, Linux's {@code
 * setsockopt(TCP_FASTOPEN, qlen)}, or every listener when {@link FastOpen#SERVER_ALL_LISTENERS} is
 * set) and the host's {@link FastOpen#SERVER} bit, a SYN with a valid cookie creates a connection
 * that takes the SYN's data at once and goes straight to the accept queue, in SYN-RECEIVED; a SYN
 * that asks for a cookie, or brings a wrong one, gets one in the SYN,ACK and its data is left for
 * the peer to send again. At most {@code qlen} such connections may still be in SYN-RECEIVED
 * (RFC 7413 §5.1); beyond that SYNs are handled as if Fast Open were off. Deviation: Linux counts a
 * Fast Open connection against the queue until its handshake completes even once accepted; jtcp
 * stops counting it when it is accepted.
 *
 * <p>Not thread-safe: driven by the host's thread.
 */
public final class TcpListener {
    /** Notified when a connection can be accepted. */
    public interface Handler {
        Handler NONE = l -> {};

        void onAcceptable(TcpListener listener);
    }

    private final TcpContext ctx;
    private final IpAddress localAddress;
    private final int port;
    private final int backlog;
    private final ConnectionKey key;
    private final Set<TcpConnection> synQueue = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    /** The listener's own Fast Open key ({@link #fastOpenKey}), or null for the host's. */
    private FastOpen ownKey;
    private final TcpSegment reply = new TcpSegment();
    private Handler handler = Handler.NONE;
    private TcpState state = TcpState.LISTEN;
    /** When the SYN queue last overflowed; cookie ACKs are only checked soon after (Linux does likewise). */
    private long lastOverflowNs = Long.MIN_VALUE;
    private long cookiesSent;
    private long cookiesAccepted;
    private long synsDropped;
    /** The Fast Open queue limit set on this listener (0: none; see {@link #fastOpenQueueLimit()}). */
    private int fastOpenQueue;
    /** Fast Open connections still in SYN-RECEIVED and not yet accepted (RFC 7413 §5.1). */
    private final Set<TcpConnection> fastOpenPending = Collections.newSetFromMap(new IdentityHashMap<>());
    private long fastOpenAccepted;
    /** TCP_MAXSEG set on this listener, which every child inherits before its SYN,ACK (0: none). */
    private int userMss;
    private final byte[] cookieScratch = new byte[FastOpen.COOKIE_BYTES];

    /**
     * A listener on {@code localAddress} (unspecified for every address) and {@code port}.
     *
     * @param backlog bound on each of the SYN queue and the accept queue
     */
    public TcpListener(TcpContext ctx, long nowNs, IpAddress localAddress, int port, int backlog) {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
        }
        this.ctx = ctx;
        this.localAddress = localAddress;
        this.port = port;
        this.backlog = backlog;
        this.key = new ConnectionKey(localAddress, port,
                localAddress.isV4() ? IpAddress.ANY_V4 : IpAddress.ANY_V6, 0);
        if (ctx.tracer().isEnabled()) {
            ctx.tracer().onEvent(new TraceEvent.StateEvent(nowNs, ctx.hostName(), key, TcpState.CLOSED,
                    TcpState.LISTEN, "listen(backlog " + backlog + ")"));
        }
    }

    public IpAddress localAddress() {
        return localAddress;
    }

    public int port() {
        return port;
    }

    public int backlog() {
        return backlog;
    }

    public TcpState state() {
        return state;
    }

    public void handler(Handler handler) {
        this.handler = handler == null ? Handler.NONE : handler;
    }

    /** Connections in SYN-RECEIVED. */
    public int synQueueLength() {
        return synQueue.size();
    }

    /** Connections waiting for {@link #accept()}. */
    public int acceptQueueLength() {
        return acceptQueue.size();
    }

    public long cookiesSent() {
        return cookiesSent;
    }

    public long cookiesAccepted() {
        return cookiesAccepted;
    }

    /** SYNs dropped because a queue was full and cookies were off (or the accept queue was full). */
    public long synsDropped() {
        return synsDropped;
    }

    /**
     * TCP_MAXSEG on a listener (Linux's {@code user_mss}, which children inherit): connections it
     * creates from now on advertise at most {@code mss} in their SYN,ACK and send no larger
     * segments; 0 removes the cap. SYN-cookie connections keep the MSS their cookie encodes.
     */
    public void maxSegmentSize(int mss) {
        if (mss != 0 && (mss < 88 || mss > 65495)) {
            throw new IllegalArgumentException("MSS must be 0 or between 88 and 65495, got " + mss);
        }
        userMss = mss;
    }

    /** The TCP_MAXSEG cap children inherit, or 0. */
    public int maxSegmentSize() {
        return userMss;
    }

    /** Enables TCP Fast Open on this listener with at most {@code qlen} pending connections (0: off). */
    public void fastOpen(int qlen) {
        if (qlen < 0) {
            throw new IllegalArgumentException("Fast Open queue length must not be negative, got " + qlen);
        }
        fastOpenQueue = qlen;
    }

    /**
     * Gives this listener a Fast Open server key of its own, 16 bytes ({@code setsockopt(TCP_FASTOPEN_KEY)}
     * on the socket, as Linux keeps one per listener): its cookies are made and checked with it
     * instead of the host's key.
     */
    public void fastOpenKey(byte[] sixteen) {
        FastOpen own = new FastOpen(0, 0);
        own.key(sixteen);
        ownKey = own;
    }

    /** The keys of this listener's cookies: its own, or the host's. */
    private FastOpen cookieKeys(FastOpen host) {
        return ownKey != null ? ownKey : host;
    }

    /**
     * The Fast Open queue limit in force: the one set, or the backlog when the host does Fast Open
     * on every listener ({@link FastOpen#SERVER_ALL_LISTENERS}); 0 when Fast Open is off here.
     */
    public int fastOpenQueueLimit() {
        FastOpen fo = ctx.fastOpen();
        if (!fo.has(FastOpen.SERVER)) {
            return 0;
        }
        return fastOpenQueue > 0 ? fastOpenQueue : fo.has(FastOpen.SERVER_ALL_LISTENERS) ? backlog : 0;
    }

    /** Connections Fast Open created (valid cookie, or none needed). */
    public long fastOpenAccepted() {
        return fastOpenAccepted;
    }

    /** The next established connection, or null if none waits. */
    public TcpConnection accept() {
        TcpConnection c = acceptQueue.poll();
        if (c != null) {
            fastOpenPending.remove(c);
            c.detachFromListener();
        }
        return c;
    }

    boolean hasRoomToAccept() {
        return acceptQueue.size() < backlog;
    }

    /** A child finished its handshake: move it from the SYN queue to the accept queue. */
    void onEstablished(TcpConnection child) {
        fastOpenPending.remove(child);
        if (synQueue.remove(child)) {
            acceptQueue.add(child);
        }
    }

    /** Tells the application a connection waits in the accept queue (called once the child's event is done). */
    void notifyAcceptable() {
        if (!acceptQueue.isEmpty()) {
            handler.onAcceptable(this);
        }
    }

    /**
     * Whether a child that failed stays acceptable ({@link TcpConfig#failureKeepsReceived}): one in
     * the accept queue (established, or Fast Open) does, with its data and error for the application.
     */
    boolean keepsFailed(TcpConnection child) {
        fastOpenPending.remove(child);
        return acceptQueue.contains(child);
    }

    /** A child died or went back to LISTEN before being accepted. */
    void forget(TcpConnection child) {
        fastOpenPending.remove(child);
        synQueue.remove(child);
        acceptQueue.remove(child);
    }

    /**
     * SEGMENT ARRIVES in LISTEN (§3.10.7.2), for a segment from {@code remote} to {@code local} that
     * matched no connection.
     *
     * @param isnFloor when a SYN reopens a TIME-WAIT 4-tuple, the ISN must exceed this (MAY-2); else 0
     * @param reopen   whether {@code isnFloor} applies
     * @return null when handled, or why the segment was discarded
     */
    public DropReason onSegment(long nowNs, IpAddress local, IpAddress remote, TcpSegment seg, boolean reopen,
                                int isnFloor) {
        if (state != TcpState.LISTEN) {
            return DropReason.TCP_NO_CONNECTION;
        }
        // First, check for a RST: ignore it.
        if (seg.isRst()) {
            return DropReason.TCP_DISCARDED;
        }
        // Second, check for an ACK: a SYN cookie, or "any acknowledgment is bad" → RST (SYN,ACK too).
        if (seg.isAck()) {
            if (!seg.isSyn() && ctx.config().synCookies() != TcpConfig.SynCookieMode.OFF
                    && cookiesRecentlyUsed(nowNs)) {
                int mssIndex = validateCookie(nowNs, local, remote, seg);
                if (mssIndex >= 0 && !hasRoomToAccept()) {
                    // A good cookie but the accept queue is full: drop it like a stateful handshake's
                    // last ACK, so the peer sends again (as Linux does), rather than reset it.
                    return DropReason.TCP_LISTEN_OVERFLOW;
                }
                if (mssIndex >= 0) {
                    return acceptCookieAck(nowNs, local, remote, seg, mssIndex, seg.seq - 1).onSegment(nowNs, seg);
                }
            }
            if (!seg.isSyn() && seg.payloadLength == 0 && !seg.isFin() && cookiesRecentlyUsed(nowNs)) {
                // Deviation from §3.10.7.2 (and Linux), while cookies are in use: a bare ACK that is
                // no valid cookie is dropped, not reset. In a burst it is the duplicate ACK of a
                // peer that holds a cookie's connection as established but whose ACK and data were
                // lost before we saw them (its sequence number has moved past the ISN, so the cookie
                // cannot be checked); its data comes again at the ISN and validates. A RST would
                // kill a connection the peer did nothing wrong with. Data or a FIN still draws one.
                return DropReason.TCP_BAD_COOKIE;
            }
            sendRst(nowNs, local, remote, seg.ack, seg);
            return DropReason.TCP_NO_CONNECTION;
        }
        // Third, check for a SYN.
        if (!seg.isSyn()) {
            return DropReason.TCP_DISCARDED;
        }
        if (!hasRoomToAccept()) {
            synsDropped++;
            return DropReason.TCP_LISTEN_OVERFLOW;
        }
        TcpConfig.SynCookieMode cookies = ctx.config().synCookies();
        if (synQueue.size() >= backlog || cookies == TcpConfig.SynCookieMode.ALWAYS) {
            lastOverflowNs = nowNs;
            if (cookies == TcpConfig.SynCookieMode.OFF) {
                synsDropped++;
                return DropReason.TCP_LISTEN_OVERFLOW;
            }
            sendCookie(nowNs, local, remote, seg);
            return null;
        }
        ConnectionKey childKey = new ConnectionKey(local, port, remote, seg.srcPort);
        TcpConnection child = new TcpConnection(ctx, childKey);
        if (userMss > 0) {
            child.maxSegmentSize(userMss);
        }
        int iss = ctx.isnGenerator().isn(nowNs, local.hi(), local.lo(), port, remote.hi(), remote.lo(), seg.srcPort);
        if (reopen && SeqNum.lt(iss, isnFloor)) {
            iss = isnFloor;
        }
        synQueue.add(child);
        ctx.register(child);
        int verdict = fastOpenVerdict(local, remote, seg);
        byte[] offer = verdict == FO_OFFER ? java.util.Arrays.copyOf(cookieScratch, FastOpen.COOKIE_BYTES) : null;
        child.acceptSyn(nowNs, this, seg, iss, verdict == FO_ACCEPT, offer, seg.options.fastOpenExperimental);
        if (verdict == FO_ACCEPT && child.state() == TcpState.SYN_RECEIVED) {
            // RFC 7413 §4.2.2: the connection is the application's now, before the handshake completes.
            fastOpenAccepted++;
            synQueue.remove(child);
            acceptQueue.add(child);
            fastOpenPending.add(child);
            handler.onAcceptable(this);
        }
        return null;
    }

    private static final int FO_NONE = 0;
    private static final int FO_OFFER = 1;
    private static final int FO_ACCEPT = 2;

    /**
     * RFC 7413 §4.2.2 in Linux's order: no Fast Open without the server bit and room in the Fast
     * Open queue; SYN data without a cookie when none is needed ({@link FastOpen#SERVER_NO_COOKIE});
     * a valid cookie; otherwise a cookie offered to a SYN that asked (empty option) or brought a
     * wrong one. The cookie to offer is left in {@code cookieScratch}.
     */
    private int fastOpenVerdict(IpAddress local, IpAddress remote, TcpSegment syn) {
        int qlen = fastOpenQueueLimit();
        int asked = syn.options.fastOpenLength;
        if (qlen == 0 || (asked < 0 && syn.payloadLength == 0) || fastOpenPending.size() >= qlen) {
            return FO_NONE;
        }
        FastOpen fo = ctx.fastOpen();
        if (syn.payloadLength > 0 && fo.has(FastOpen.SERVER_NO_COOKIE)) {
            return FO_ACCEPT;
        }
        if (asked < 0) {
            return FO_NONE;
        }
        if (asked > 0 && cookieKeys(fo).isValid(remote, local, syn.options.fastOpenCookie, asked)) {
            return FO_ACCEPT;
        }
        cookieKeys(fo).cookie(remote, local, cookieScratch);
        return FO_OFFER;
    }

    /**
     * For a child in SYN-RECEIVED that received an ACK of some other SYN,ACK than its own: whether
     * that ACK completes a handshake this listener answered with a SYN cookie. It happens in a
     * storm: a SYN found the SYN queue full and drew a cookie, the peer's retransmitted copy then
     * found room and made a child with an ISN of its own; the peer took whichever SYN,ACK came first.
     * The child knows the peer's ISN ({@code peerIsn}), so even a later segment of the peer (a
     * duplicate ACK after data the child never saw) can be checked. Returns the cookie's MSS index,
     * or -1 when {@code ack} is no valid cookie ACK (the child then resets it as §3.10.7.4 says).
     */
    int cookieAckIndex(long nowNs, IpAddress local, IpAddress remote, TcpSegment ack, int peerIsn) {
        if (state != TcpState.LISTEN || ack.isSyn() || ack.isRst() || !ack.isAck()
                || ctx.config().synCookies() == TcpConfig.SynCookieMode.OFF || !cookiesRecentlyUsed(nowNs)) {
            return -1;
        }
        return ctx.synCookies().decode(nowNs, local.hi(), local.lo(), port, remote.hi(), remote.lo(), ack.srcPort,
                peerIsn, ack.ack - 1);
    }

    /**
     * Takes a valid cookie ACK for a 4-tuple whose child just gave way ({@link #cookieAckIndex}):
     * the connection the cookie rebuilds takes the segment, or, with the accept queue full, the
     * segment is dropped for the peer to send again.
     */
    DropReason onCookieAck(long nowNs, IpAddress local, IpAddress remote, TcpSegment ack, int mssIndex, int peerIsn) {
        if (!hasRoomToAccept()) {
            return DropReason.TCP_LISTEN_OVERFLOW;
        }
        return acceptCookieAck(nowNs, local, remote, ack, mssIndex, peerIsn).onSegment(nowNs, ack);
    }

    private boolean cookiesRecentlyUsed(long nowNs) {
        return ctx.config().synCookies() == TcpConfig.SynCookieMode.ALWAYS
                || (lastOverflowNs != Long.MIN_VALUE && nowNs - lastOverflowNs < 2 * SynCookies.PERIOD_NS);
    }

    /** Answers a SYN statelessly with a cookie ISN (RFC 4987 §3.6). */
    private void sendCookie(long nowNs, IpAddress local, IpAddress remote, TcpSegment syn) {
        boolean v6 = !remote.isV4();
        int peerMss = syn.options.mss >= 0 ? syn.options.mss : (v6 ? ctx.config().defaultMssV6() : ctx.config().defaultMssV4());
        int mssIndex = SynCookies.mssIndex(peerMss, v6);
        int cookie = ctx.synCookies().encode(nowNs, local.hi(), local.lo(), port, remote.hi(), remote.lo(),
                syn.srcPort, syn.seq, mssIndex);
        TcpConfig cfg = ctx.config();
        reply.clear();
        reply.srcPort = port;
        reply.dstPort = syn.srcPort;
        reply.seq = cookie;
        reply.ack = syn.seq + 1;
        reply.flags = TcpFlags.SYN | TcpFlags.ACK;
        reply.window = Math.min(cfg.receiveBufferBytes(), 65535);
        reply.options.mss = ctx.maxReceiveSegmentSize(remote) - 20;
        boolean ts = cfg.timestamps() && syn.options.hasTimestamps;
        if (ts) {
            // Without timestamps there is nowhere to keep window scale and SACK; leave them out (RFC 4987).
            boolean ws = cfg.windowScaling() && syn.options.windowScale >= 0;
            boolean sack = cfg.sack() && syn.options.sackPermitted;
            if (ws) {
                // The scale a connection rebuilt from the cookie will use (SynOptions.chooseWindowScale).
                reply.options.windowScale = windowScaleFor(cfg.receiveBufferCeilingBytes());
            }
            reply.options.sackPermitted = sack;
            int tsNow = (int) (nowNs / (1_000_000_000L / cfg.timestampHz())) + ctx.timestampOffset(local, remote);
            reply.options.timestamps(SynCookies.encodeTsVal(tsNow, ws ? syn.options.windowScale : -1, sack),
                    syn.options.tsVal);
        }
        cookiesSent++;
        ctx.transmit(nowNs, local, remote, reply, "SYN cookie");
    }

    private static int windowScaleFor(int bufferBytes) {
        int shift = 0;
        while (shift < 14 && (bufferBytes >> shift) > 65535) {
            shift++;
        }
        return shift;
    }

    /** Validates a returning cookie ACK: the MSS index it carries, or -1 when it is not a valid cookie. */
    private int validateCookie(long nowNs, IpAddress local, IpAddress remote, TcpSegment ack) {
        return ctx.synCookies().decode(nowNs, local.hi(), local.lo(), port, remote.hi(), remote.lo(),
                ack.srcPort, ack.seq - 1, ack.ack - 1);
    }

    /** Builds the connection a valid cookie ACK completes, in SYN-RECEIVED; the peer's ISN is {@code peerIsn}. */
    private TcpConnection acceptCookieAck(long nowNs, IpAddress local, IpAddress remote, TcpSegment ack, int index,
                                          int peerIsn) {
        int cookie = ack.ack - 1;
        boolean v6 = !remote.isV4();
        boolean ts = ack.options.hasTimestamps;
        int peerScale = ts ? SynCookies.windowScaleFromTsEcr(ack.options.tsEcr) : -1;
        boolean sack = ts && SynCookies.sackFromTsEcr(ack.options.tsEcr);
        ConnectionKey childKey = new ConnectionKey(local, port, remote, ack.srcPort);
        TcpConnection child = new TcpConnection(ctx, childKey);
        cookiesAccepted++;
        synQueue.add(child);
        ctx.register(child);
        child.acceptCookie(nowNs, this, ack, peerIsn, cookie, SynCookies.mssFor(index, v6), peerScale, sack, ts,
                ctx.timestampOffset(local, remote));
        return child;
    }

    private void sendRst(long nowNs, IpAddress local, IpAddress remote, int seq, TcpSegment cause) {
        reply.clear();
        reply.srcPort = port;
        reply.dstPort = cause.srcPort;
        reply.seq = seq;
        reply.flags = TcpFlags.RST;
        ctx.transmit(nowNs, local, remote, reply, null);
    }

    /**
     * Stops listening: connections not yet accepted are reset, the listener enters CLOSED (§3.10.4
     * LISTEN: "any outstanding RECEIVEs are returned with 'error: closing'").
     */
    public void close(long nowNs) {
        if (state == TcpState.CLOSED) {
            return;
        }
        for (TcpConnection c : new ArrayList<>(synQueue)) {
            c.abort(nowNs);
        }
        for (TcpConnection c : new ArrayList<>(acceptQueue)) {
            c.abort(nowNs);
        }
        synQueue.clear();
        acceptQueue.clear();
        state = TcpState.CLOSED;
        if (ctx.tracer().isEnabled()) {
            ctx.tracer().onEvent(new TraceEvent.StateEvent(nowNs, ctx.hostName(), key, TcpState.LISTEN,
                    TcpState.CLOSED, "close()"));
        }
    }

    @Override
    public String toString() {
        return ConnectionKey.endpoint(localAddress, port) + " LISTEN";
    }
}
