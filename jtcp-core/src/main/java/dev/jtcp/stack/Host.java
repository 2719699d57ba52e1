package dev.jtcp.stack;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.TimerKind;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.link.PacketSink;
import dev.jtcp.tcp.ChallengeAckLimiter;
import dev.jtcp.tcp.ConnectionStatus;
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
import dev.jtcp.wire.Ipv6Packet;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.SeqNum;
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
    /** The default TTL / hop limit (RFC 1700's recommendation; Linux uses the same). */
    public static final int DEFAULT_TTL = 64;
    private static final int MAX_PACKET = 65535 + 40;

    private final String name;
    private final TcpConfig config;
    private final RandomGenerator random;
    private IsnSource isn;
    private final SynCookies cookies;
    private final ChallengeAckLimiter challengeAcks;
    private final SipHash portHash;
    private final List<NetInterface> interfaces = new ArrayList<>();
    /** Every interface address, flat, for the per-packet "is it for us" check. */
    private final List<IpAddress> localAddresses = new ArrayList<>();
    private final RoutingTable routes = new RoutingTable();
    private final PathMtuCache pathMtus = new PathMtuCache();
    private final IcmpRateLimiter icmpErrorBudget = new IcmpRateLimiter(1000, 50);
    private final IcmpErrorMessage icmpError = new IcmpErrorMessage();
    private Tracer tracer = Tracer.NONE;
    /** TTL / hop limit of every packet this host sends (MUST-49: configurable). */
    private int ttl = DEFAULT_TTL;
    /** The local address an OPEN asked for, while that OPEN runs; null otherwise. */
    private IpAddress requestedLocal;
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
    /** Packets the host had to send but no route led anywhere (counted, not traced). */
    private long unroutable;
    /** The time of the call being processed, for the path-MTU cache's ageing. */
    private long nowNs;

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

    /**
     * Adds an interface named {@code name} with MTU {@code mtu} whose packets go to {@code sink}.
     * Its addresses (added with {@link #addAddress(NetInterface, InterfaceAddress)}) bring their
     * connected routes; other destinations need {@link #addRoute} or {@link #addDefaultRoute}.
     */
    public NetInterface addInterface(String name, int mtu, PacketSink sink) {
        for (NetInterface i : interfaces) {
            if (i.name().equals(name)) {
                throw new IllegalArgumentException("interface " + name + " exists");
            }
        }
        NetInterface i = new NetInterface(name, mtu).sink(sink);
        interfaces.add(i);
        return i;
    }

    /** The first interface, created (as "if0", MTU 1500) on first use by the one-link calls below. */
    private NetInterface primary() {
        if (interfaces.isEmpty()) {
            addInterface("if0", 1500, p -> {});
        }
        return interfaces.getFirst();
    }

    /** Adds an address with its prefix to the first interface, e.g. {@code "198.18.0.2/24"} or {@code "fd00::2/64"}. */
    public Host addAddress(String cidr) {
        addAddress(primary(), InterfaceAddress.parse(cidr));
        return this;
    }

    public Host addAddress(IpAddress address, int prefixLength) {
        addAddress(primary(), new InterfaceAddress(address, prefixLength));
        return this;
    }

    /** Adds {@code a} to {@code iface}, with the connected route to its subnet. */
    public void addAddress(NetInterface iface, InterfaceAddress a) {
        IpAddress address = a.address();
        if (address.isMulticast() || address.isUnspecified() || address.isLimitedBroadcast()) {
            throw new IllegalArgumentException(address + " cannot be a host address");
        }
        iface.add(a);
        localAddresses.add(address);
        routes.add(a, iface);
    }

    /** Destinations in {@code cidr} leave through {@code via}. */
    public Host addRoute(String cidr, NetInterface via) {
        routes.add(InterfaceAddress.parse(cidr), via);
        return this;
    }

    /** Every destination without a more specific route leaves through {@code via} (both families). */
    public Host addDefaultRoute(NetInterface via) {
        routes.addDefault(via);
        return this;
    }

    public RoutingTable routes() {
        return routes;
    }

    public List<NetInterface> interfaces() {
        return List.copyOf(interfaces);
    }

    /** Every address of every interface. */
    public List<IpAddress> addresses() {
        List<IpAddress> all = new ArrayList<>();
        for (NetInterface i : interfaces) {
            i.addresses().forEach(a -> all.add(a.address()));
        }
        return all;
    }

    /** The first interface's MTU; MSS and segment sizes derive from it. */
    public Host mtu(int mtu) {
        primary().mtu(mtu);
        return this;
    }

    public int mtu() {
        return primary().mtu();
    }

    /**
     * Where the first interface's packets go; for a host with one link, which is then its way to
     * everywhere: a default route through it is added.
     */
    public Host attach(PacketSink link) {
        NetInterface i = primary().sink(link);
        routes.addDefault(i);
        return this;
    }

    /** Replaces the RFC 6528 generator, e.g. with fixed ISNs so segments match a textbook figure. */
    public Host isnSource(IsnSource source) {
        this.isn = Objects.requireNonNull(source);
        return this;
    }

    /** Sets the TTL (IPv4) and hop limit (IPv6) of the packets this host sends (MUST-49). */
    public Host ttl(int ttl) {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("TTL must be 1..255, got " + ttl);
        }
        this.ttl = ttl;
        return this;
    }

    public int ttl() {
        return ttl;
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

    /** Packets not sent because no route matched their destination. */
    public long unroutable() {
        return unroutable;
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
     * Active OPEN with the optional local address of RFC 9293 §3.9.1.1 (MUST-43): {@code local}
     * must be one of this host's addresses, of the peer's family; null chooses one (MUST-44).
     */
    public TcpConnection connect(long nowNs, IpAddress local, IpAddress remote, int port, int localPort) {
        if (local != null && (!isLocal(local.hi(), local.lo()) || local.isV4() != remote.isV4())) {
            throw new TcpException(TcpError.BAD_ADDRESS, local + " is not an address of host " + name
                    + (local.isV4() != remote.isV4() ? " of " + remote + "'s family" : ""));
        }
        requestedLocal = local;
        try {
            return connect(nowNs, remote, port, localPort);
        } finally {
            requestedLocal = null;
        }
    }

    /**
     * Active OPEN from {@code localPort} (0 for an ephemeral one).
     *
     * @throws TcpException BAD_ADDRESS for broadcast/multicast (MUST-46), NO_ROUTE when no route
     *     leads to {@code remote} or no local address of its family exists, ADDRESS_IN_USE when the
     *     4-tuple is taken or a listener holds {@code localPort}
     */
    public TcpConnection connect(long nowNs, IpAddress remote, int port, int localPort) {
        this.nowNs = nowNs;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException("local port must be 0..65535, got " + localPort);
        }
        if (remote.isMulticast() || remote.isLimitedBroadcast() || remote.isUnspecified() || isSubnetBroadcast(remote)) {
            throw new TcpException(TcpError.BAD_ADDRESS,
                    "cannot open a TCP connection to " + remote + " (RFC 9293 MUST-46)");
        }
        IpAddress local = requestedLocal != null ? requestedLocal : sourceAddressFor(remote);
        int lport = localPort;
        if (lport == 0) {
            lport = allocatePort(local, remote, port);
        } else {
            TcpListener l = listenerOn(local, lport);
            if (l != null) {
                throw new TcpException(TcpError.ADDRESS_IN_USE, "port " + lport + " is in use by " + l);
            }
        }
        ConnectionKey key = new ConnectionKey(local, lport, remote, port);
        if (connections.get(key) != null || timeWait.containsKey(key)) {
            throw new TcpException(TcpError.ADDRESS_IN_USE, "connection " + key + " already exists"
                    + (timeWait.containsKey(key) ? " (in TIME-WAIT)" : ""));
        }
        TcpConnection c = new TcpConnection(this, key);
        register(c);
        c.open(nowNs);
        return c;
    }

    /**
     * Source address selection, MUST-44: "ask the IP layer to select a local IP address" (RFC 1122
     * §3.3.4.3): the route towards {@code remote} names the interface, and the interface an address
     * on the peer's subnet or else its first of the family. An interface without an address of
     * the family lends one from another interface (the weak host model of RFC 1122 §3.3.4.2).
     * MUST-45 (the same local address for the whole connection) holds because the address is part
     * of the connection's key.
     */
    private IpAddress sourceAddressFor(IpAddress remote) {
        RoutingTable.Route route = routes.lookup(remote);
        if (route == null) {
            throw new TcpException(TcpError.NO_ROUTE, "no route from host " + name + " to " + remote);
        }
        IpAddress src = route.via().sourceFor(remote);
        if (src == null) {
            for (NetInterface i : interfaces) {
                src = i.sourceFor(remote);
                if (src != null) {
                    break;
                }
            }
        }
        if (src == null) {
            throw new TcpException(TcpError.NO_ROUTE, "no " + (remote.isV4() ? "IPv4" : "IPv6")
                    + " address on host " + name + " to reach " + remote);
        }
        return src;
    }

    private boolean isSubnetBroadcast(IpAddress a) {
        return a.isV4() && isSubnetBroadcastV4(a.v4());
    }

    /** Whether {@code v4} is the directed broadcast address of one of our IPv4 subnets. Allocation-free. */
    private boolean isSubnetBroadcastV4(int v4) {
        for (int n = 0; n < interfaces.size(); n++) {
            List<InterfaceAddress> addrs = interfaces.get(n).addressesView();
            for (int i = 0; i < addrs.size(); i++) {
                InterfaceAddress mine = addrs.get(i);
                int len = mine.prefixLength();
                if (mine.address().isV4() && len < 31) {
                    int hostMask = (int) ((1L << (32 - len)) - 1);
                    if ((mine.address().v4() & ~hostMask) == (v4 & ~hostMask) && (v4 & hostMask) == hostMask) {
                        return true;
                    }
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
            if (connections.get(k) == null && !timeWait.containsKey(k) && listenerOn(local, port) == null) {
                nextEphemeral += i + 1;
                return port;
            }
        }
        throw new TcpException(TcpError.INSUFFICIENT_RESOURCES, "no ephemeral port free towards " + remote);
    }

    /** A listener on {@code port} whose address overlaps {@code local}, or null. */
    private TcpListener listenerOn(IpAddress local, int port) {
        for (TcpListener l : listeners) {
            if (l.port() == port && l.state() == TcpState.LISTEN && overlaps(l.localAddress(), local)) {
                return l;
            }
        }
        return null;
    }

    /** Two local addresses clash on a port if they are equal or either is a (dual-stack) wildcard. */
    private static boolean overlaps(IpAddress a, IpAddress b) {
        return a.equals(b) || a.isUnspecified() || b.isUnspecified();
    }

    /** Passive OPEN on every address of this host. */
    public TcpListener listen(long nowNs, int port, int backlog) {
        return listen(nowNs, IpAddress.ANY_V4, port, backlog);
    }

    /** Passive OPEN on {@code local} with SO_REUSEADDR semantics (what Java server sockets use on Linux). */
    public TcpListener listen(long nowNs, IpAddress local, int port, int backlog) {
        return listen(nowNs, local, port, backlog, true);
    }

    /**
     * Passive OPEN on {@code local}; 0.0.0.0 or :: listen on every address of the host, of both
     * families (see {@link #findListener}). Port reuse follows Linux's bind(2) rules:
     *
     * <ul>
     *   <li>a listener on the port whose address overlaps (equal, or either a wildcard) always
     *       makes the port "in use";
     *   <li>other connections on the port, TIME-WAIT included, make it "in use" only without
     *       {@code reuseAddress} (SO_REUSEADDR), so a restarted server can listen again while its
     *       old connections wait out TIME-WAIT.
     * </ul>
     *
     * @throws TcpException ADDRESS_IN_USE as above, BAD_ADDRESS if {@code local} is not an address
     *     of this host (EADDRNOTAVAIL)
     */
    public TcpListener listen(long nowNs, IpAddress local, int port, int backlog, boolean reuseAddress) {
        this.nowNs = nowNs;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (!local.isUnspecified() && !isLocal(local.hi(), local.lo())) {
            throw new TcpException(TcpError.BAD_ADDRESS, local + " is not an address of host " + name);
        }
        TcpListener clash = listenerOn(local, port);
        if (clash != null) {
            throw new TcpException(TcpError.ADDRESS_IN_USE, "port " + port + " is in use by " + clash);
        }
        if (!reuseAddress) {
            for (Slot slot : connections.values()) {
                ConnectionKey k = slot.connection.key();
                if (k.localPort() == port && overlaps(k.localAddress(), local)) {
                    throw new TcpException(TcpError.ADDRESS_IN_USE, "port " + port + " is in use by " + k);
                }
            }
            for (ConnectionKey k : timeWait.keySet()) {
                if (k.localPort() == port && overlaps(k.localAddress(), local)) {
                    throw new TcpException(TcpError.ADDRESS_IN_USE, "port " + port + " is in use by " + k
                            + " in TIME-WAIT (reuse the address to listen anyway)");
                }
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
        this.nowNs = nowNs;
        switch (ip.protocol()) {
            case IpProtocol.TCP -> onTcp(nowNs);
            case IpProtocol.ICMP, IpProtocol.ICMPV6 -> onIcmp(nowNs);
            default -> {
                drop(nowNs, DropReason.IP_UNKNOWN_PROTOCOL, length, IpProtocol.name(ip.protocol()));
                sendProtocolUnreachable(nowNs);
            }
        }
    }

    /**
     * A protocol jtcp does not implement (UDP, SCTP, ...): ICMP destination unreachable, code 2
     * "protocol unreachable" (RFC 1122 §3.2.2.1), or ICMPv6 parameter problem, code 1
     * "unrecognized Next Header", pointing at the field that named it (RFC 4443 §3.4; RFC 8200 §4).
     * Rate-limited, and never for a packet from an unusable source (RFC 1122 §3.2.2: no ICMP
     * errors about broadcasts, multicasts, or packets with unspecified sources); packets to
     * broadcast or multicast addresses never get here.
     */
    private void sendProtocolUnreachable(long nowNs) {
        if (srcIsUnusable() || !icmpErrorBudget.tryAcquire(nowNs)) {
            return;
        }
        ByteBuffer buf = ip.buffer();
        IpAddress local = ip.dst();
        IpAddress remote = ip.src();
        boolean v4 = ip.version() == 4;
        // Quote as much of the packet as fits in the minimum MTU (576 for IPv4, RFC 1812
        // §4.3.2.3; 1280 for IPv6, RFC 4443 §2.4(c)).
        int limit = (v4 ? 576 : 1280) - PacketWriter.ipHeaderLength(local) - IcmpPacket.HEADER_LENGTH;
        int quoted = Math.min(ip.packetLength(), limit);
        int n = v4
                ? writer.writeIcmp(txBuffer, 0, local, remote, ttl, IcmpPacket.V4_DEST_UNREACHABLE,
                        IcmpPacket.V4_CODE_PROTOCOL_UNREACHABLE, 0, buf, ip.offset(), quoted)
                : writer.writeIcmp(txBuffer, 0, local, remote, ttl, IcmpPacket.V6_PARAMETER_PROBLEM,
                        IcmpPacket.V6_CODE_UNRECOGNIZED_NEXT_HEADER, nextHeaderPointer(), buf, ip.offset(), quoted);
        send(nowNs, remote, n, v4 ? "ICMP protocol unreachable" : "ICMPv6 unrecognized next header");
    }

    /** Offset, from the IPv6 header, of the Next Header field that named the upper-layer protocol. */
    private int nextHeaderPointer() {
        ByteBuffer b = ip.buffer();
        int start = ip.offset();
        int pointer = 6;
        int at = start + Ipv6Packet.HEADER_LENGTH;
        int next = b.get(start + 6) & 0xFF;
        while (at < ip.payloadOffset()) {
            pointer = at - start;
            int len = next == IpProtocol.AH ? ((b.get(at + 1) & 0xFF) + 2) * 4
                    : next == IpProtocol.IPV6_FRAGMENT ? 8 : ((b.get(at + 1) & 0xFF) + 1) * 8;
            next = b.get(at) & 0xFF;
            at += len;
        }
        return pointer;
    }

    private boolean isLocal(long hi, long lo) {
        for (int i = 0; i < localAddresses.size(); i++) {
            IpAddress a = localAddresses.get(i);
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
            in.tos = ip.tos();
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
                header, payloadLength, r, (in.tos & 0b11) == 0b11 ? "ECN: congestion experienced" : null);
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

    /** ICMP: echo requests are answered (so ping works); errors go to the connection they concern. */
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
            if (srcIsUnusable()) {
                drop(nowNs, DropReason.IP_BAD_SOURCE, ip.packetLength(), "echo request from " + ip.src());
                return;
            }
            IpAddress local = ip.dst();
            IpAddress remote = ip.src();
            int rest = buf.getInt(ip.payloadOffset() + 4);
            int n = writer.writeIcmp(txBuffer, 0, local, remote, ttl,
                    v4 ? IcmpPacket.V4_ECHO_REPLY : IcmpPacket.V6_ECHO_REPLY, 0, rest, buf, icmp.bodyOffset(),
                    icmp.bodyLength());
            send(nowNs, remote, n, "echo reply");
            return;
        }
        if (icmp.isError(ip.version()) && icmpError.read(ip.version(), icmp, buf)) {
            onIcmpError(nowNs);
            return;
        }
        drop(nowNs, DropReason.ICMP_UNHANDLED_TYPE, ip.packetLength(), "ICMP type " + type);
    }

    /**
     * An ICMP error quoting one of our segments (RFC 9293 §3.9.2.2, MUST-54: "directing it to the
     * connection that created the error"). RFC 5927's checks come first: the quoted segment must
     * come from one of our addresses, belong to a connection, and carry a sequence number in
     * SND.UNA..SND.MAX (§4.1), so blind attackers cannot reset or slow connections with forged
     * errors. Then:
     *
     * <ul>
     *   <li>hard errors abort a connection that is still being established (SYN-SENT, SYN-RECEIVED)
     *       with the error's meaning (port unreachable: "connection refused"); in synchronized
     *       states they count as soft, as Linux does and RFC 5461 recommends;
     *   <li>soft errors are reported to the application (SHLD-25) and never abort (MUST-56); jtcp's
     *       socket API reports the last one instead of a later timeout;
     *   <li>packet too big lowers the path MTU towards the peer and the MSS of its connections
     *       (RFC 1191, RFC 8201).
     * </ul>
     *
     * <p>Hard and soft errors are an engine event ({@link TcpConnection#onIcmpError}): the engine
     * decides whether to abort, records the true error, and reports soft errors to its handler.
     */
    private void onIcmpError(long nowNs) {
        IcmpErrorMessage e = icmpError;
        int length = ip.packetLength();
        // The error is addressed to the source of the quoted packet (the router itself may be anyone).
        if (e.localHi != ip.dstHi() || e.localLo != ip.dstLo()) {
            drop(nowNs, DropReason.ICMP_ERROR_REJECTED, length, e.description + " quoting a packet not from "
                    + ip.dst());
            return;
        }
        Slot slot = connections.get(e.localHi, e.localLo, e.localPort, e.remoteHi, e.remoteLo, e.remotePort);
        if (slot == null) {
            drop(nowNs, DropReason.ICMP_ERROR_REJECTED, length, e.description + " for no connection");
            return;
        }
        TcpConnection c = slot.connection;
        ConnectionStatus st = c.status();
        int offset = SeqNum.diff(e.seq, st.sndUna());
        if (offset < 0 || offset >= Math.max(st.unacknowledged(), 1)) {
            drop(nowNs, DropReason.ICMP_ERROR_REJECTED, length, e.description + " quoting seq "
                    + Integer.toUnsignedString(e.seq) + " outside SND.UNA..SND.MAX of " + c.key());
            return;
        }
        if (tracer.isEnabled()) {
            tracer.onEvent(new TraceEvent.PacketEvent(nowNs, name, TraceEvent.Direction.RECEIVED, length, null,
                    e.description + " for " + c.key()));
        }
        switch (e.kind) {
            case PACKET_TOO_BIG -> onPacketTooBig(nowNs, c.key().remoteAddress(), e.mtu);
            case HARD, SOFT -> c.onIcmpError(nowNs, e.error, e.kind == IcmpErrorMessage.Kind.HARD);
            case IGNORED -> {
            }
        }
    }

    /**
     * Lowers the path MTU towards {@code remote} and, for each connection to it, the segment size.
     * MTUs below the minimum (576 for IPv4, as for the interface; 1280 for IPv6, RFC 8201 §4) are
     * raised to it rather than believed.
     */
    private void onPacketTooBig(long nowNs, IpAddress remote, int reportedMtu) {
        int floor = remote.isV4() ? 576 : 1280;
        int mtu = Math.max(reportedMtu, floor);
        NetInterface via = interfaceFor(remote);
        if (via == null || !pathMtus.lower(remote, mtu, via.mtu(), nowNs)) {
            return;
        }
        int mss = mtu - PacketWriter.ipHeaderLength(remote) - 20;
        for (Slot slot : connections.values()) {
            TcpConnection c = slot.connection;
            if (c.key().remoteAddress().equals(remote) && c.state().isSynchronized() && c.maxSegmentSize() > mss) {
                // Caps the MSS through TCP_MAXSEG: the engine re-derives Eff.snd.MSS (MUST-16) from it
                // and from maxSendSegmentSize, which now sees the lower path MTU.
                c.maxSegmentSize(mss);
            }
        }
    }

    /** The path MTU towards {@code remote}: the outgoing interface's MTU, lowered by what ICMP taught. */
    public int pathMtu(IpAddress remote) {
        NetInterface via = interfaceFor(remote);
        int linkMtu = via == null ? primary().mtu() : via.mtu();
        return pathMtus.mtu(remote, linkMtu, nowNs);
    }

    private NetInterface interfaceFor(IpAddress remote) {
        RoutingTable.Route r = routes.lookup(remote);
        return r == null ? null : r.via();
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

    /** MMS_R: the outgoing interface's MTU (the largest packet we accept back on it) minus the IP header. */
    @Override
    public int timestampOffset(IpAddress local, IpAddress remote) {
        return (int) portHash.hash(local.hi(), local.lo(), remote.hi(), remote.lo(), -1L, -1L);
    }

    @Override
    public int maxReceiveSegmentSize(IpAddress remote) {
        NetInterface via = interfaceFor(remote);
        return (via == null ? primary().mtu() : via.mtu()) - PacketWriter.ipHeaderLength(remote);
    }

    /** MMS_S: the path MTU (RFC 1191, RFC 8201) minus the IP header. */
    @Override
    public int maxSendSegmentSize(IpAddress remote) {
        return pathMtu(remote) - PacketWriter.ipHeaderLength(remote);
    }

    @Override
    public void transmit(long nowNs, IpAddress local, IpAddress remote, TcpSegment seg, String note) {
        int n = writer.writeTcp(txBuffer, 0, local, remote, ttl, seg.tos, seg);
        if (tracer.isEnabled()) {
            int ipLength = PacketWriter.ipHeaderLength(local);
            TcpHeader h = TcpHeader.of(sentTcp.wrap(txBuffer, ipLength, n - ipLength));
            engineTracer.onEvent(new TraceEvent.SegmentEvent(nowNs, name, TraceEvent.Direction.SENT, local, remote, h,
                    seg.payloadLength, null, note));
        }
        send(nowNs, remote, n, null);
    }

    /** Sends the {@code length} bytes in the transmit buffer through the route towards {@code remote}. */
    private void send(long nowNs, IpAddress remote, int length, String icmpSummary) {
        NetInterface via = interfaceFor(remote);
        if (via == null) {
            unroutable++;
            return;
        }
        txBuffer.limit(length).position(0);
        packetsSent++;
        if (icmpSummary != null && tracer.isEnabled()) {
            engineTracer.onEvent(new TraceEvent.PacketEvent(nowNs, name, TraceEvent.Direction.SENT, length, null, icmpSummary));
        }
        via.sink().transmit(txBuffer);
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
        return "host " + name + " " + addresses();
    }
}
