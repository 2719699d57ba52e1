package dev.jtcp.stack;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.TimerKind;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.link.PacketSink;
import dev.jtcp.tcp.ChallengeAckLimiter;
import dev.jtcp.tcp.IsnGenerator;
import dev.jtcp.tcp.IsnSource;
import dev.jtcp.tcp.SipHash;
import dev.jtcp.tcp.SynCookies;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpContext;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.tcp.TimeWaitEntry;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IcmpPacket;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A host: the TCP engine's surroundings on one network attachment. It owns the addresses, the
 * connection table (4-tuple → connection, hashed, allocation-free), the TIME-WAIT records, the
 * listeners, ephemeral ports, drop counters and the timer wheel, and turns raw IP packets into
 * engine calls and engine output into packets.
 *
 * <p>Path of one arriving segment: {@link #onPacket} → IP checks ({@link IpPacket#check}) → our
 * address? → TCP header and checksum (MUST-3) → options → connection by 4-tuple, else TIME-WAIT
 * record, else listener, else a RST per RFC 9293 §3.10.7.1 → the engine's SEGMENT ARRIVES → any
 * segments it sends come back through {@link TcpContext#transmit}, are written in place by {@link
 * PacketWriter} and leave through the attached {@link PacketSink}.
 *
 * <p>Sans-IO: every entry point takes the time; {@link #nextDeadlineNs()} says when to call {@link
 * #onTimer} next. The same host runs on the simulator, under the script runner and behind a TUN
 * device's event loop.
 *
 * <p>Not thread-safe: one thread drives a host and all its connections.
 */
public final class Host implements TcpContext {
    /** RFC 6056 §3.2 / Linux's default range for ephemeral ports. */
    public static final int EPHEMERAL_LOW = 32768;
    public static final int EPHEMERAL_HIGH = 60999;
    private static final int DEFAULT_TTL = 64;
    private static final int MAX_PACKET = 65535 + 40;

    private final String name;
    private final TcpConfig config;
    private final RandomGenerator random;
    private IsnSource isn;
    private final SynCookies cookies;
    private final ChallengeAckLimiter challengeAcks;
    private final SipHash portHash;
    private final List<IpAddress> addresses = new ArrayList<>();
    private final List<Integer> prefixLengths = new ArrayList<>();
    private int mtu = 1500;
    private PacketSink link = p -> {};
    private Tracer tracer = Tracer.NONE;
    /**
     * What the engine traces through: while a received segment is being processed, its events are
     * held back so that the segment's own RECEIVED/DROPPED event, known only afterwards, comes first.
     */
    private final Tracer engineTracer = new Tracer() {
        @Override
        public void onEvent(TraceEvent event) {
            if (held != null) {
                held.add(event);
            } else {
                tracer.onEvent(event);
            }
        }

        @Override
        public boolean isEnabled() {
            return tracer.isEnabled();
        }
    };
    private List<TraceEvent> held;

    private final ConnectionTable<Slot> connections = new ConnectionTable<>(64);
    /** TIME-WAIT records in expiry order: all last 2×MSL, and a restart moves an entry to the end. */
    private final LinkedHashMap<ConnectionKey, TimeWaitEntry> timeWait = new LinkedHashMap<>();
    private final List<TcpListener> listeners = new ArrayList<>();
    private final TimerWheel wheel = new TimerWheel(1_000_000L, 0);
    private final TimerWheel.Expiry expiry = (e, t) -> ((Slot) e).connection.onTimer(t);
    private final DropCounters drops = new DropCounters();
    private int nextEphemeral;

    // Reused on every packet.
    private final IpPacket ip = new IpPacket();
    private final TcpPacket tcp = new TcpPacket();
    private final TcpPacket sentTcp = new TcpPacket();
    private final IcmpPacket icmp = new IcmpPacket();
    private final TcpSegment in = new TcpSegment();
    private final TcpSegment reply = new TcpSegment();
    private final PacketWriter writer = new PacketWriter();
    private final ByteBuffer txBuffer = ByteBuffer.allocate(MAX_PACKET);

    private long packetsReceived;
    private long packetsSent;

    /** A connection's place in the host: its timer and its table entry. */
    private static final class Slot extends TimerWheel.Entry {
        final TcpConnection connection;

        Slot(TcpConnection connection) {
            this.connection = connection;
        }
    }

    /**
     * A host named {@code name} (for traces) with TCP settings {@code config}; {@code random} seeds
     * every secret (ISN key, SYN-cookie key, port offsets, timestamp offsets): seeded in simulation,
     * {@link java.security.SecureRandom} on real networks.
     */
    public Host(String name, TcpConfig config, RandomGenerator random) {
        this.name = Objects.requireNonNull(name);
        this.config = Objects.requireNonNull(config);
        this.random = Objects.requireNonNull(random);
        this.isn = new IsnGenerator(random);
        this.cookies = new SynCookies(random);
        this.challengeAcks = new ChallengeAckLimiter(config.challengeAckPerSecond());
        this.portHash = new SipHash(random.nextLong(), random.nextLong());
        this.nextEphemeral = random.nextInt(EPHEMERAL_HIGH - EPHEMERAL_LOW + 1);
    }

    // =================================================================================================
    // Configuration
    // =================================================================================================

    /** Adds an address, e.g. {@code "198.18.0.2/24"} or {@code "fd00::2/64"}. */
    public Host addAddress(String cidr) {
        int slash = cidr.indexOf('/');
        IpAddress a = IpAddress.parse(slash < 0 ? cidr : cidr.substring(0, slash));
        int len = slash < 0 ? (a.isV4() ? 32 : 128) : Integer.parseInt(cidr.substring(slash + 1));
        return addAddress(a, len);
    }

    public Host addAddress(IpAddress address, int prefixLength) {
        if (address.isMulticast() || address.isUnspecified() || address.isLimitedBroadcast()) {
            throw new IllegalArgumentException(address + " cannot be a host address");
        }
        addresses.add(address);
        prefixLengths.add(prefixLength);
        return this;
    }

    public List<IpAddress> addresses() {
        return List.copyOf(addresses);
    }

    /** The link MTU; MSS and segment sizes derive from it. */
    public Host mtu(int mtu) {
        if (mtu < 576) {
            throw new IllegalArgumentException("MTU must be at least 576, got " + mtu);
        }
        this.mtu = mtu;
        return this;
    }

    public int mtu() {
        return mtu;
    }

    /** Where this host's packets go. */
    public Host attach(PacketSink link) {
        this.link = Objects.requireNonNull(link);
        return this;
    }

    /** Replaces the RFC 6528 generator, e.g. with fixed ISNs so segments match a textbook figure. */
    public Host isnSource(IsnSource source) {
        this.isn = Objects.requireNonNull(source);
        return this;
    }

    public Host tracer(Tracer tracer) {
        this.tracer = tracer == null ? Tracer.NONE : tracer;
        return this;
    }

    public String name() {
        return name;
    }

    public DropCounters drops() {
        return drops;
    }

    public long packetsReceived() {
        return packetsReceived;
    }

    public long packetsSent() {
        return packetsSent;
    }

    /** Live connections (every state but TIME-WAIT, which {@link #timeWaitCount()} counts). */
    public int connectionCount() {
        return connections.size();
    }

    public List<TcpConnection> connections() {
        List<TcpConnection> list = new ArrayList<>();
        for (Slot s : connections.values()) {
            list.add(s.connection);
        }
        return list;
    }

    public int timeWaitCount() {
        return timeWait.size();
    }

    public List<TcpListener> listeners() {
        return List.copyOf(listeners);
    }

    /** The TIME-WAIT record for a 4-tuple, or null. */
    public TimeWaitEntry timeWait(ConnectionKey key) {
        return timeWait.get(key);
    }

    // =================================================================================================
    // User calls: connect and listen
    // =================================================================================================

    /** Active OPEN to {@code remote}:{@code port} from an ephemeral port (RFC 6056). */
    public TcpConnection connect(long nowNs, IpAddress remote, int port) {
        return connect(nowNs, remote, port, 0);
    }

    /**
     * Active OPEN from {@code localPort} (0 for an ephemeral one).
     *
     * @throws TcpException BAD_ADDRESS for broadcast/multicast (MUST-46), NO_ROUTE when no local
     *     address of the family exists, ADDRESS_IN_USE when the 4-tuple is taken
     */
    public TcpConnection connect(long nowNs, IpAddress remote, int port, int localPort) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (remote.isMulticast() || remote.isLimitedBroadcast() || remote.isUnspecified() || isSubnetBroadcast(remote)) {
            throw new TcpException(TcpError.BAD_ADDRESS,
                    "cannot open a TCP connection to " + remote + " (RFC 9293 MUST-46)");
        }
        IpAddress local = sourceAddressFor(remote);
        int lport = localPort != 0 ? localPort : allocatePort(local, remote, port);
        ConnectionKey key = new ConnectionKey(local, lport, remote, port);
        if (connections.get(key) != null || timeWait.containsKey(key)) {
            throw new TcpException(TcpError.ADDRESS_IN_USE, "connection " + key + " already exists");
        }
        TcpConnection c = new TcpConnection(this, key);
        register(c);
        c.open(nowNs);
        return c;
    }

    /**
     * Source address selection (MUST-44/45 region): an address on the same subnet as the peer if
     * one exists, else the first address of the peer's family.
     */
    private IpAddress sourceAddressFor(IpAddress remote) {
        IpAddress fallback = null;
        for (int i = 0; i < addresses.size(); i++) {
            IpAddress a = addresses.get(i);
            if (a.isV4() != remote.isV4()) {
                continue;
            }
            if (sameSubnet(a, remote, prefixLengths.get(i))) {
                return a;
            }
            if (fallback == null) {
                fallback = a;
            }
        }
        if (fallback == null) {
            throw new TcpException(TcpError.NO_ROUTE, "no " + (remote.isV4() ? "IPv4" : "IPv6")
                    + " address on host " + name + " to reach " + remote);
        }
        return fallback;
    }

    private static boolean sameSubnet(IpAddress a, IpAddress b, int prefixLength) {
        int bits = a.isV4() ? 96 + prefixLength : prefixLength;
        if (bits <= 64) {
            long m = bits == 0 ? 0 : -1L << (64 - bits);
            return (a.hi() & m) == (b.hi() & m);
        }
        long m = bits >= 128 ? -1L : -1L << (128 - bits);
        return a.hi() == b.hi() && (a.lo() & m) == (b.lo() & m);
    }

    private boolean isSubnetBroadcast(IpAddress a) {
        return a.isV4() && isSubnetBroadcastV4(a.v4());
    }

    /** Whether {@code v4} is the directed broadcast address of one of our IPv4 subnets. Allocation-free. */
    private boolean isSubnetBroadcastV4(int v4) {
        for (int i = 0; i < addresses.size(); i++) {
            IpAddress mine = addresses.get(i);
            int len = prefixLengths.get(i);
            if (mine.isV4() && len < 31) {
                int hostMask = (int) ((1L << (32 - len)) - 1);
                if ((mine.v4() & ~hostMask) == (v4 & ~hostMask) && (v4 & hostMask) == hostMask) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * RFC 6056 §3.3.3 (Algorithm 3, "simple hash-based"): start at an offset keyed on the 4-tuple's
     * fixed parts and take the first free port, so ports are hard to guess but spread per peer.
     */
    private int allocatePort(IpAddress local, IpAddress remote, int remotePort) {
        int range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
        int offset = (int) (portHash.hash(local.hi(), local.lo(), remote.hi(), remote.lo(), remotePort, 0) >>> 33);
        for (int i = 0; i < range; i++) {
            int port = EPHEMERAL_LOW + Math.floorMod(offset + nextEphemeral + i, range);
            ConnectionKey k = new ConnectionKey(local, port, remote, remotePort);
            if (connections.get(k) == null && !timeWait.containsKey(k) && listenerOn(port) == null) {
                nextEphemeral += i + 1;
                return port;
            }
        }
        throw new TcpException(TcpError.INSUFFICIENT_RESOURCES, "no ephemeral port free towards " + remote);
    }

    private TcpListener listenerOn(int port) {
        for (TcpListener l : listeners) {
            if (l.port() == port && l.state() == TcpState.LISTEN) {
                return l;
            }
        }
        return null;
    }

    /** Passive OPEN on every address of this host. */
    public TcpListener listen(long nowNs, int port, int backlog) {
        return listen(nowNs, IpAddress.ANY_V4, port, backlog);
    }

    /**
     * Passive OPEN on {@code local}; 0.0.0.0 or :: listen on every address of the host, of both
     * families (see {@link #findListener}).
     *
     * @throws TcpException ADDRESS_IN_USE if a listener already has that address and port
     */
    public TcpListener listen(long nowNs, IpAddress local, int port, int backlog) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        for (TcpListener l : listeners) {
            if (l.port() == port && l.state() == TcpState.LISTEN && l.localAddress().equals(local)) {
                throw new TcpException(TcpError.ADDRESS_IN_USE, "already listening on " + l);
            }
        }
        TcpListener l = new TcpListener(this, nowNs, local, port, backlog);
        listeners.add(l);
        return l;
    }

    /** Stops a listener and forgets it. */
    public void closeListener(long nowNs, TcpListener l) {
        l.close(nowNs);
        listeners.remove(l);
    }

    /**
     * The listener for a SYN to {@code dst}:{@code port}: one bound to that address, else a
     * wildcard one. A wildcard listener (0.0.0.0 or ::) accepts both families, like a dual-stack
     * socket.
     */
    private TcpListener findListener(IpAddress dst, int port) {
        TcpListener wildcard = null;
        for (TcpListener l : listeners) {
            if (l.port() != port || l.state() != TcpState.LISTEN) {
                continue;
            }
            if (l.localAddress().equals(dst)) {
                return l;
            }
            if (l.localAddress().isUnspecified()) {
                wildcard = l;
            }
        }
        return wildcard;
    }

    // =================================================================================================
    // Receive path
    // =================================================================================================

    /** An IP packet arrived from the link (bytes position..limit; valid only during the call). */
    public void onPacket(long nowNs, ByteBuffer packet) {
        packetsReceived++;
        // Timers due before this packet run first; this also keeps the wheel's clock current, so
        // connections rescheduling their timers on this packet land in the wheel, not its overflow.
        wheel.advance(nowNs, expiry);
        int offset = packet.position();
        int length = packet.remaining();
        DropReason r = ip.wrap(packet, offset, length).check();
        if (r != null) {
            drop(nowNs, r, length, "malformed IP packet");
            return;
        }
        if (!isLocal(ip.dstHi(), ip.dstLo())) {
            IpAddress dst = ip.dst();
            boolean broadcast = dst.isMulticast() || dst.isLimitedBroadcast() || isSubnetBroadcast(dst);
            drop(nowNs, broadcast && ip.protocol() == IpProtocol.TCP ? DropReason.IP_BROADCAST_OR_MULTICAST
                    : DropReason.IP_NOT_FOR_US, length, "to " + dst);
            return;
        }
        switch (ip.protocol()) {
            case IpProtocol.TCP -> onTcp(nowNs);
            case IpProtocol.ICMP, IpProtocol.ICMPV6 -> onIcmp(nowNs);
            default -> drop(nowNs, DropReason.IP_UNKNOWN_PROTOCOL, length, IpProtocol.name(ip.protocol()));
        }
    }

    private boolean isLocal(long hi, long lo) {
        for (int i = 0; i < addresses.size(); i++) {
            IpAddress a = addresses.get(i);
            if (a.hi() == hi && a.lo() == lo) {
                return true;
            }
        }
        return false;
    }

    private void onTcp(long nowNs) {
        ByteBuffer buf = ip.buffer();
        DropReason r = tcp.wrap(buf, ip.payloadOffset(), ip.payloadLength()).check();
        if (r == null && !tcp.verifyChecksum(ip.pseudoHeaderSum())) {
            r = DropReason.TCP_BAD_CHECKSUM;
        }
        if (r == null) {
            r = in.readFrom(tcp);
        }
        if (r == null && (in.srcPort == 0 || in.dstPort == 0)) {
            r = DropReason.TCP_BAD_PORT;
        }
        if (r == null && srcIsUnusable()) {
            r = DropReason.IP_BAD_SOURCE;
        }
        if (r != null) {
            if (tracer.isEnabled() && tcp.check() == null) {
                // The header is readable: show the segment itself as dropped, with the reason.
                drops.count(r);
                traceSegment(nowNs, TraceEvent.Direction.DROPPED, ip.src(), ip.dst(), TcpHeader.of(tcp),
                        tcp.payloadLength(), r, null);
            } else {
                drop(nowNs, r, ip.packetLength(), "bad TCP segment");
            }
            return;
        }
        if (!tracer.isEnabled()) {
            r = dispatch(nowNs);
            if (r != null) {
                drops.count(r);
            }
            return;
        }
        TcpHeader header = TcpHeader.of(tcp);
        IpAddress src = ip.src();
        IpAddress dst = ip.dst();
        int payloadLength = in.payloadLength;
        List<TraceEvent> during = new ArrayList<>();
        held = during;
        try {
            r = dispatch(nowNs);
        } finally {
            held = null;
        }
        if (r != null) {
            drops.count(r);
        }
        traceSegment(nowNs, r == null ? TraceEvent.Direction.RECEIVED : TraceEvent.Direction.DROPPED, src, dst,
                header, payloadLength, r, null);
        during.forEach(tracer::onEvent);
    }

    /** MUST-57 neighbourhood: a segment from a broadcast, multicast or unspecified source is bogus. */
    private boolean srcIsUnusable() {
        long hi = ip.srcHi();
        long lo = ip.srcLo();
        // RFC 1122 §3.2.1.3 (MUST-63): a directed broadcast of our own subnets is no source either.
        return IpAddress.isUnusableSource(hi, lo) || (hi == 0 && (lo >>> 32) == 0xFFFF && isSubnetBroadcastV4((int) lo));
    }

    /** Finds who takes the segment in {@link #in}; returns the engine's verdict. */
    private DropReason dispatch(long nowNs) {
        long dHi = ip.dstHi();
        long dLo = ip.dstLo();
        long sHi = ip.srcHi();
        long sLo = ip.srcLo();
        Slot slot = connections.get(dHi, dLo, in.dstPort, sHi, sLo, in.srcPort);
        if (slot != null) {
            return slot.connection.onSegment(nowNs, in);
        }
        IpAddress local = ip.dst();
        IpAddress remote = ip.src();
        boolean reopen = false;
        int isnFloor = 0;
        if (!timeWait.isEmpty()) {
            ConnectionKey key = new ConnectionKey(local, in.dstPort, remote, in.srcPort);
            TimeWaitEntry tw = timeWait.get(key);
            if (tw != null) {
                TimeWaitEntry.Verdict v = tw.onSegment(nowNs, in, this, reply, findListener(local, in.dstPort) != null);
                switch (v) {
                    case HANDLED -> {
                        return in.isRst() ? DropReason.TCP_RST_NOT_ACCEPTED : null;
                    }
                    case RESTART_TIMER -> {
                        timeWait.remove(key);
                        timeWait.put(key, tw);
                        traceTimer(nowNs, key, TraceEvent.TimerAction.SET, tw.expiryNs());
                        return null;
                    }
                    case REOPEN -> {
                        timeWait.remove(key);
                        endTimeWait(nowNs, tw, "rcv SYN (new incarnation)");
                        reopen = true;
                        isnFloor = tw.isnFloor();
                    }
                }
            }
        }
        TcpListener l = findListener(local, in.dstPort);
        if (l != null) {
            return l.onSegment(nowNs, local, remote, in, reopen, isnFloor);
        }
        // §3.10.7.1: no connection; answer with a RST unless this is one.
        if (!in.isRst()) {
            reply.clear();
            reply.srcPort = in.dstPort;
            reply.dstPort = in.srcPort;
            if (in.isAck()) {
                reply.seq = in.ack;
                reply.flags = TcpFlags.RST;
            } else {
                reply.seq = 0;
                reply.ack = in.seq + in.seqLength();
                reply.flags = TcpFlags.RST | TcpFlags.ACK;
            }
            transmit(nowNs, local, remote, reply, "no such connection");
        }
        return DropReason.TCP_NO_CONNECTION;
    }

    /** ICMP: echo replies (so ping works); other messages are counted for now. */
    private void onIcmp(long nowNs) {
        ByteBuffer buf = ip.buffer();
        long pseudo = ip.version() == 6 ? ip.pseudoHeaderSum() : 0;
        DropReason r = icmp.wrap(buf, ip.payloadOffset(), ip.payloadLength()).check(pseudo);
        if (r != null) {
            drop(nowNs, r, ip.packetLength(), "bad ICMP");
            return;
        }
        boolean v4 = ip.version() == 4;
        int type = icmp.type();
        if (type == (v4 ? IcmpPacket.V4_ECHO_REQUEST : IcmpPacket.V6_ECHO_REQUEST)) {
            IpAddress local = ip.dst();
            IpAddress remote = ip.src();
            int rest = buf.getInt(ip.payloadOffset() + 4);
            int n = writer.writeIcmp(txBuffer, 0, local, remote, DEFAULT_TTL,
                    v4 ? IcmpPacket.V4_ECHO_REPLY : IcmpPacket.V6_ECHO_REPLY, 0, rest, buf, icmp.bodyOffset(),
                    icmp.bodyLength());
            send(nowNs, n, "echo reply");
            return;
        }
        drop(nowNs, DropReason.ICMP_UNHANDLED_TYPE, ip.packetLength(), "ICMP type " + type);
    }

    private void drop(long nowNs, DropReason reason, int length, String summary) {
        drops.count(reason);
        if (tracer.isEnabled()) {
            tracer.onEvent(new TraceEvent.PacketEvent(nowNs, name, TraceEvent.Direction.DROPPED, length, reason,
                    summary));
        }
    }

    // =================================================================================================
    // Timers
    // =================================================================================================

    /** The earliest time this host needs {@link #onTimer}: a connection timer or a TIME-WAIT expiry. */
    public long nextDeadlineNs() {
        long d = wheel.nextDeadlineNs();
        if (!timeWait.isEmpty()) {
            d = Math.min(d, timeWait.firstEntry().getValue().expiryNs());
        }
        return d;
    }

    /** Runs every due timer. */
    public void onTimer(long nowNs) {
        wheel.advance(nowNs, expiry);
        Iterator<TimeWaitEntry> it = timeWait.values().iterator();
        while (it.hasNext()) {
            TimeWaitEntry tw = it.next();
            if (tw.expiryNs() > nowNs) {
                break;
            }
            it.remove();
            if (tracer.isEnabled()) {
                tracer.onEvent(new TraceEvent.TimerEvent(nowNs, name, tw.key(), TimerKind.TIME_WAIT,
                        TraceEvent.TimerAction.FIRED, tw.expiryNs()));
            }
            endTimeWait(nowNs, tw, "2MSL timeout");
        }
    }

    private void endTimeWait(long nowNs, TimeWaitEntry tw, String cause) {
        tw.onExpired();
        if (tracer.isEnabled()) {
            tracer.onEvent(new TraceEvent.StateEvent(nowNs, name, tw.key(), TcpState.TIME_WAIT, TcpState.CLOSED, cause));
        }
    }

    private void traceTimer(long nowNs, ConnectionKey key, TraceEvent.TimerAction action, long deadlineNs) {
        if (tracer.isEnabled()) {
            engineTracer.onEvent(new TraceEvent.TimerEvent(nowNs, name, key, TimerKind.TIME_WAIT, action, deadlineNs));
        }
    }

    // =================================================================================================
    // TcpContext: what the engine asks of the host
    // =================================================================================================

    @Override
    public TcpConfig config() {
        return config;
    }

    @Override
    public String hostName() {
        return name;
    }

    @Override
    public Tracer tracer() {
        return engineTracer;
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public IsnSource isnGenerator() {
        return isn;
    }

    @Override
    public SynCookies synCookies() {
        return cookies;
    }

    @Override
    public ChallengeAckLimiter challengeAcks() {
        return challengeAcks;
    }

    @Override
    public int timestampOffset(IpAddress local, IpAddress remote) {
        return (int) portHash.hash(local.hi(), local.lo(), remote.hi(), remote.lo(), -1L, -1L);
    }

    @Override
    public int maxReceiveSegmentSize(IpAddress remote) {
        return mtu - PacketWriter.ipHeaderLength(remote);
    }

    @Override
    public int maxSendSegmentSize(IpAddress remote) {
        return mtu - PacketWriter.ipHeaderLength(remote);
    }

    @Override
    public void transmit(long nowNs, IpAddress local, IpAddress remote, TcpSegment seg, String note) {
        int n = writer.writeTcp(txBuffer, 0, local, remote, DEFAULT_TTL, 0, seg);
        if (tracer.isEnabled()) {
            int ipLength = PacketWriter.ipHeaderLength(local);
            TcpHeader h = TcpHeader.of(sentTcp.wrap(txBuffer, ipLength, n - ipLength));
            engineTracer.onEvent(new TraceEvent.SegmentEvent(nowNs, name, TraceEvent.Direction.SENT, local, remote, h,
                    seg.payloadLength, null, note));
        }
        send(nowNs, n, null);
    }

    private void send(long nowNs, int length, String icmpSummary) {
        txBuffer.limit(length).position(0);
        packetsSent++;
        if (icmpSummary != null && tracer.isEnabled()) {
            engineTracer.onEvent(new TraceEvent.PacketEvent(nowNs, name, TraceEvent.Direction.SENT, length, null, icmpSummary));
        }
        link.transmit(txBuffer);
        txBuffer.clear();
    }

    private void traceSegment(long nowNs, TraceEvent.Direction dir, IpAddress src, IpAddress dst, TcpHeader h,
                              int payloadLength, DropReason reason, String note) {
        tracer.onEvent(new TraceEvent.SegmentEvent(nowNs, name, dir, src, dst, h, payloadLength, reason, note));
    }

    @Override
    public void schedule(TcpConnection connection, long deadlineNs) {
        Slot s = connections.get(connection.key());
        if (s != null && s.connection == connection) {
            wheel.schedule(s, deadlineNs);
        }
    }

    @Override
    public void register(TcpConnection connection) {
        Slot s = new Slot(connection);
        Slot old = connections.put(connection.key(), s);
        if (old != null) {
            wheel.schedule(old, Long.MAX_VALUE);
        }
    }

    @Override
    public void onTimeWait(TcpConnection connection, long nowNs) {
        Slot s = connections.remove(connection.key());
        if (s != null) {
            wheel.schedule(s, Long.MAX_VALUE);
        }
        TimeWaitEntry tw = TimeWaitEntry.of(connection, nowNs, config.timeWaitNs());
        timeWait.remove(connection.key());
        timeWait.put(connection.key(), tw);
        traceTimer(nowNs, connection.key(), TraceEvent.TimerAction.SET, tw.expiryNs());
    }

    @Override
    public void onClosed(TcpConnection connection) {
        Slot s = connections.get(connection.key());
        if (s != null && s.connection == connection) {
            connections.remove(connection.key());
            wheel.schedule(s, Long.MAX_VALUE);
        }
    }

    @Override
    public String toString() {
        return "host " + name + " " + addresses;
    }
}
