package dev.jtcp.stack;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.link.PacketSink;
import dev.jtcp.tcp.ChallengeAckLimiter;
import dev.jtcp.tcp.FastOpen;
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
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A host: the TCP engine's surroundings on one network attachment. The host itself keeps the
 * configuration (interfaces and addresses in {@link Interfaces}, routes, TTL, secrets), the checks
 * on arriving IP packets, the timer wheel, and the {@link TcpContext} face the engine sees; the
 * rest lives in rooms of their own, each handed the parts it uses (never the host):
 *
 * <ul>
 *   <li>{@link TcpDemux}: TCP input, connections by 4-tuple, TIME-WAIT records, listeners, and
 *       the RST for a segment that matches nothing;
 *   <li>{@link PortAllocator}: RFC 6056 ephemeral ports and the bind rules for port reuse;
 *   <li>{@link IcmpInput}: echo replies, received ICMP errors, protocol unreachable;
 *   <li>{@link IpOutput}: every packet the host sends, written in place and handed to a link;
 *   <li>{@link RoutingTable}: the outgoing interface and the source address (MUST-44);
 *   <li>{@link TraceRelay}: the host's tracer, holding the engine's events back during a segment.
 * </ul>
 *
 * <p>Path of one arriving segment: {@link #onPacket} → IP checks ({@link IpPacket#check}) → our
 * address? → {@link TcpDemux#onSegment}: TCP header and checksum (MUST-3), options, then connection
 * by 4-tuple, else TIME-WAIT record, else listener, else a RST per RFC 9293 §3.10.7.1 → the
 * engine's SEGMENT ARRIVES → any segments it sends come back through {@link TcpContext#transmit}
 * and leave through {@link IpOutput}.
 *
 * <p>Sans-IO: every entry point takes the time; {@link #nextDeadlineNs()} says when to call {@link
 * #onTimer} next. The same host runs on the simulator, under the script runner and behind a TUN
 * device's event loop.
 *
 * <p>Not thread-safe: one thread drives a host and all its connections.
 */
public final class Host implements TcpContext {
    /** RFC 6056 §3.2 / Linux's default range for ephemeral ports. */
    public static final int EPHEMERAL_LOW = PortAllocator.EPHEMERAL_LOW;
    public static final int EPHEMERAL_HIGH = PortAllocator.EPHEMERAL_HIGH;
    /** The default TTL / hop limit (RFC 1700's recommendation; Linux uses the same). */
    public static final int DEFAULT_TTL = IpOutput.DEFAULT_TTL;

    private final String name;
    private TcpConfig config;
    private final RandomGenerator random;
    private IsnSource isn;
    private final SynCookies cookies;
    private final FastOpen fastOpen;
    private final ChallengeAckLimiter challengeAcks;
    /** Keys timestamp offsets here and ephemeral ports in {@link #ports}. */
    private final SipHash portHash;
    /** Hashed with the port key to seed the challenge-ACK budget ("challack" in ASCII). */
    private static final long CHALLENGE_ACK_SEED = 0x636861_6c6c61636bL;
    private final Interfaces interfaces = new Interfaces();
    private final RoutingTable routes = new RoutingTable();
    private final PathMtuCache pathMtus = new PathMtuCache();
    private final TraceRelay trace = new TraceRelay();
    private final TimerWheel wheel = new TimerWheel(1_000_000L, 0);
    private final DropCounters drops = new DropCounters();
    private final IpOutput output;
    private final TcpDemux demux;
    private final PortAllocator ports;
    private final IcmpInput icmp;
    private final UdpDemux udp;
    /** Flows to addresses not ours, once {@link #acceptAnyAddress} installed a hook; else null. */
    private AnyAddressFlows forward;
    /** UDP sessions to other addresses, with {@link #forward}; else null. */
    private UdpSessions udpSessions;
    /** The wheel's timers: a connection's, or a forwarded UDP session's idle timer. */
    private static final TimerWheel.Expiry EXPIRY = (e, t) -> {
        if (e instanceof UdpSessions.Session s) {
            s.owner.expire(s, t);
        } else {
            TcpDemux.EXPIRY.onExpired(e, t);
        }
    };

    // Reused on every packet.
    private final IpPacket ip = new IpPacket();

    private long packetsReceived;
    /** The time of the call being processed, for the path-MTU cache's ageing. */
    private long nowNs;

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
        this.portHash = new SipHash(random.nextLong(), random.nextLong());
        // The Fast Open key comes from the port hash, so the random stream is what it was before.
        this.fastOpen = new FastOpen(portHash.hash(0x7f0, 1, 0, 0, 0, 0), portHash.hash(0x7f0, 2, 0, 0, 0, 0));
        // The budget's random source comes from a secret already drawn, so adding it moved no other draw.
        this.challengeAcks = new ChallengeAckLimiter(config.challengeAckPerSecond(),
                portHash.hash(CHALLENGE_ACK_SEED, 0, 0, 0, 0, 0));
        this.output = new IpOutput(name, trace.engine, routes);
        this.demux = new TcpDemux(name, trace, drops, interfaces, this, output, wheel);
        this.ports = new PortAllocator(demux, portHash, PortAllocator.randomStart(random));
        this.icmp = new IcmpInput(name, trace.direct, drops, demux, routes, pathMtus, output);
        this.udp = new UdpDemux(name, trace, drops, interfaces, icmp, PortAllocator.randomStart(random));
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
        return interfaces.add(name, mtu, sink);
    }

    /** Adds an address with its prefix to the first interface, e.g. {@code "198.18.0.2/24"} or {@code "fd00::2/64"}. */
    public Host addAddress(String cidr) {
        addAddress(interfaces.primary(), InterfaceAddress.parse(cidr));
        return this;
    }

    public Host addAddress(IpAddress address, int prefixLength) {
        addAddress(interfaces.primary(), new InterfaceAddress(address, prefixLength));
        return this;
    }

    /** Adds {@code a} to {@code iface}, with the connected route to its subnet. */
    public void addAddress(NetInterface iface, InterfaceAddress a) {
        interfaces.addAddress(iface, a);
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
        return List.copyOf(interfaces.list());
    }

    /** Every address of every interface. */
    public List<IpAddress> addresses() {
        return interfaces.addresses();
    }

    /** The first interface's MTU; MSS and segment sizes derive from it. */
    public Host mtu(int mtu) {
        interfaces.primary().mtu(mtu);
        return this;
    }

    public int mtu() {
        return interfaces.primary().mtu();
    }

    /**
     * Where the first interface's packets go; for a host with one link, which is then its way to
     * everywhere: a default route through it is added.
     */
    public Host attach(PacketSink link) {
        NetInterface i = interfaces.primary().sink(link);
        routes.addDefault(i);
        return this;
    }

    /**
     * Makes this host shard {@code shard} of a stack of {@code shards.count()} hosts, one per event
     * loop: it opens connections only from the ephemeral ports of its slice and from ports whose
     * flows {@link FlowShards#ownerOf} gives it, so that the flows it owns are the ones the stack
     * steers to it. A host alone is shard 0 of {@link FlowShards#ONE}.
     */
    public Host shard(FlowShards shards, int shard) {
        ports.shard(Objects.requireNonNull(shards), shard);
        return this;
    }

    /** Replaces the RFC 6528 generator, e.g. with fixed ISNs so segments match a textbook figure. */
    public Host isnSource(IsnSource source) {
        this.isn = Objects.requireNonNull(source);
        return this;
    }

    /** Sets the TTL (IPv4) and hop limit (IPv6) of the packets this host sends (MUST-49). */
    public Host ttl(int ttl) {
        output.ttl(ttl);
        return this;
    }

    public int ttl() {
        return output.ttl();
    }

    public Host tracer(Tracer tracer) {
        trace.target(tracer);
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
        return output.packetsSent();
    }

    /** Packets not sent because no route matched their destination. */
    public long unroutable() {
        return output.unroutable();
    }

    /** Live connections (every state but TIME-WAIT, which {@link #timeWaitCount()} counts). */
    public int connectionCount() {
        return demux.connectionCount();
    }

    public List<TcpConnection> connections() {
        return demux.connections();
    }

    public int timeWaitCount() {
        return demux.timeWaitCount();
    }

    public List<TcpListener> listeners() {
        return List.copyOf(demux.listeners());
    }

    /** The TIME-WAIT record for a 4-tuple, or null. */
    public TimeWaitEntry timeWait(ConnectionKey key) {
        return demux.timeWait(key);
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
        if (local != null && (!interfaces.isLocal(local.hi(), local.lo()) || local.isV4() != remote.isV4())) {
            throw new TcpException(TcpError.BAD_ADDRESS, local + " is not an address of host " + name
                    + (local.isV4() != remote.isV4() ? " of " + remote + "'s family" : ""));
        }
        return open(nowNs, local, remote, port, localPort, null);
    }

    /**
     * Active OPEN from {@code localPort} (0 for an ephemeral one).
     *
     * @throws TcpException BAD_ADDRESS for broadcast/multicast (MUST-46), NO_ROUTE when no route
     *     leads to {@code remote} or no local address of its family exists, ADDRESS_IN_USE when the
     *     4-tuple is taken or a listener holds {@code localPort}
     */
    public TcpConnection connect(long nowNs, IpAddress remote, int port, int localPort) {
        return open(nowNs, null, remote, port, localPort, null);
    }

    /**
     * Active OPEN with TCP Fast Open (RFC 7413; Linux's {@code sendto(MSG_FASTOPEN)}): with a cookie
     * cached for {@code remote}, the SYN carries it and the first bytes of {@code data} (its position
     * moves past them); without one, the SYN asks for a cookie and {@code data} is left alone. The
     * host's {@link FastOpen#CLIENT} bit must be set ({@link #fastOpen()}), else this is a plain OPEN.
     *
     * @throws TcpException as {@link #connect(long, IpAddress, int, int)}
     */
    public TcpConnection connectFastOpen(long nowNs, IpAddress remote, int port, int localPort, ByteBuffer data) {
        return open(nowNs, null, remote, port, localPort, Objects.requireNonNull(data));
    }

    /** Active OPEN from {@code requestedLocal}, or from the address {@link RoutingTable#sourceFor} picks if null. */
    private TcpConnection open(long nowNs, IpAddress requestedLocal, IpAddress remote, int port, int localPort,
                               ByteBuffer fastOpenData) {
        this.nowNs = nowNs;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException("local port must be 0..65535, got " + localPort);
        }
        if (remote.isMulticast() || remote.isLimitedBroadcast() || remote.isUnspecified()
                || interfaces.isSubnetBroadcast(remote)) {
            throw new TcpException(TcpError.BAD_ADDRESS,
                    "cannot open a TCP connection to " + remote + " (RFC 9293 MUST-46)");
        }
        IpAddress local = requestedLocal != null ? requestedLocal
                : routes.sourceFor(remote, interfaces.list(), name);
        TcpConnection c = new TcpConnection(this, ports.bindForConnect(local, remote, port, localPort));
        register(c);
        if (fastOpenData != null) {
            c.openFastOpen(nowNs, fastOpenData);
        } else {
            c.open(nowNs);
        }
        return c;
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
     * families. Port reuse follows Linux's bind(2) rules (see {@link PortAllocator}): an
     * overlapping listener always holds the port; other connections on it, TIME-WAIT included,
     * only without {@code reuseAddress} (SO_REUSEADDR).
     *
     * @throws TcpException ADDRESS_IN_USE as above, BAD_ADDRESS if {@code local} is not an address
     *     of this host (EADDRNOTAVAIL)
     */
    public TcpListener listen(long nowNs, IpAddress local, int port, int backlog, boolean reuseAddress) {
        this.nowNs = nowNs;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (!local.isUnspecified() && !interfaces.isLocal(local.hi(), local.lo())) {
            throw new TcpException(TcpError.BAD_ADDRESS, local + " is not an address of host " + name);
        }
        ports.checkListen(local, port, reuseAddress);
        TcpListener l = new TcpListener(this, nowNs, local, port, backlog);
        demux.addListener(l);
        return l;
    }

    // =================================================================================================
    // Forwarding: flows to any address
    // =================================================================================================

    /**
     * Accepts TCP flows to addresses this host does not own, as {@code acceptor} decides (a VPN's or
     * transparent proxy's stack); at most {@code maxFlows} at once (held, handshaking or open),
     * beyond which new SYNs get a RST. Without this, such packets are dropped as not ours.
     */
    public Host acceptAnyAddress(AnyAddressAcceptor acceptor, int maxFlows) {
        return acceptAnyAddress(acceptor, maxFlows, maxFlows, DEFAULT_UDP_IDLE_NS);
    }

    /** How long a forwarded UDP session lives without a datagram, unless configured: 60 s. */
    public static final long DEFAULT_UDP_IDLE_NS = 60_000_000_000L;

    /**
     * As {@link #acceptAnyAddress(AnyAddressAcceptor, int)}, and UDP sessions (by 5-tuple) to such
     * addresses: at most {@code maxUdpSessions} at once (beyond, a new session's datagram is
     * dropped), each ended after {@code udpIdleNs} without a datagram either way, on the host's
     * timer wheel ({@link AnyAddressAcceptor#onUdpSessionEnded}).
     */
    public Host acceptAnyAddress(AnyAddressAcceptor acceptor, int maxFlows, int maxUdpSessions, long udpIdleNs) {
        UdpSessions sessions = new UdpSessions(acceptor, wheel, maxUdpSessions, udpIdleNs);
        forward = new AnyAddressFlows(acceptor, maxFlows, this, icmp::sendHostUnreachable);
        demux.anyAddress(forward);
        udp.anyAddress(sessions);
        udpSessions = sessions;
        return this;
    }

    /** Ends a forwarded UDP session now (without {@link AnyAddressAcceptor#onUdpSessionEnded}); whether it existed. */
    public boolean endUdpSession(ConnectionKey session) {
        return udpSessions != null && udpSessions.end(session);
    }

    /** Forwarded UDP sessions now open. */
    public int udpSessionCount() {
        return udpSessions == null ? 0 : udpSessions.size();
    }

    /**
     * The verdict for a flow whose SYN {@link AnyAddressAcceptor#onSyn} held: the held SYN is
     * processed again and meets it. Returns false if {@code flow} is not a held flow (any more).
     */
    public boolean decideFlow(long nowNs, ConnectionKey flow, AnyAddressAcceptor.Verdict verdict) {
        byte[] held = forward == null ? null : forward.decide(flow, verdict);
        if (held == null) {
            return false;
        }
        // Its checksum was checked (or vouched for by the link) before it was held.
        input(nowNs, ByteBuffer.wrap(held), true);
        return true;
    }

    /** Flows to other addresses now in the table (held, handshaking or open). */
    public int forwardedFlowCount() {
        return forward == null ? 0 : forward.flowCount();
    }

    // =================================================================================================
    // UDP
    // =================================================================================================

    /**
     * Binds UDP {@code port} (0: an ephemeral one) on {@code local} (0.0.0.0 or :: for every
     * address) to {@code receiver}; returns the port.
     *
     * @throws TcpException ADDRESS_IN_USE, or BAD_ADDRESS if {@code local} is not ours
     */
    public int bindUdp(IpAddress local, int port, UdpReceiver receiver) {
        return udp.bind(local, port, receiver);
    }

    /** Releases {@code port} if {@code receiver} holds it. */
    public void unbindUdp(int port, UdpReceiver receiver) {
        udp.unbind(port, receiver);
    }

    /**
     * Sends a UDP datagram ({@code data}'s remaining bytes, left untouched) from {@code
     * local}:{@code localPort} to {@code remote}:{@code remotePort}; a null {@code local} is chosen
     * by the routing table (MUST-44's rule, as for TCP). {@code local} may be an address not ours
     * only for a forwarder's replies. jtcp does not fragment: a datagram must fit the path MTU.
     *
     * @throws TcpException NO_ROUTE without a route or source; INSUFFICIENT_RESOURCES (EMSGSIZE) if too long
     */
    public void sendUdp(long nowNs, IpAddress local, int localPort, IpAddress remote, int remotePort,
                        ByteBuffer data) {
        this.nowNs = nowNs;
        IpAddress from = local != null && !local.isUnspecified() ? local
                : routes.sourceFor(remote, interfaces.list(), name);
        int room = pathMtu(remote) - PacketWriter.ipHeaderLength(remote) - dev.jtcp.wire.UdpPacket.HEADER_LENGTH;
        if (data.remaining() > room) {
            throw new TcpException(TcpError.INSUFFICIENT_RESOURCES,
                    "UDP datagram of " + data.remaining() + " bytes exceeds the " + room + " the path MTU allows");
        }
        output.sendUdp(nowNs, from, localPort, remote, remotePort, data, data.position(), data.remaining());
        if (udpSessions != null && local != null && !interfaces.isLocal(local.hi(), local.lo())) {
            udpSessions.onSent(nowNs, local, localPort, remote, remotePort);
        }
    }

    /** Stops a listener and forgets it. */
    public void closeListener(long nowNs, TcpListener l) {
        l.close(nowNs);
        demux.removeListener(l);
    }

    // =================================================================================================
    // Receive path
    // =================================================================================================

    /** An IP packet arrived from the link (bytes position..limit; valid only during the call). */
    public void onPacket(long nowNs, ByteBuffer packet) {
        packetsReceived++;
        input(nowNs, packet, false);
    }

    /**
     * As {@link #onPacket}, for a TCP packet whose checksum the link vouches for ({@code
     * Link.Receiver#onVerifiedTcp}): TCP input does not sum it (the field may hold only the
     * pseudo-header sum, as a locally made packet with a partial checksum does). Anything that
     * turns out not to be TCP is treated as {@link #onPacket} treats it.
     */
    public void onVerifiedTcp(long nowNs, ByteBuffer packet) {
        packetsReceived++;
        input(nowNs, packet, true);
    }

    private void input(long nowNs, ByteBuffer packet, boolean tcpVerified) {
        // Timers due before this packet run first; this also keeps the wheel's clock current, so
        // connections rescheduling their timers on this packet land in the wheel, not its overflow.
        wheel.advance(nowNs, EXPIRY);
        int offset = packet.position();
        int length = packet.remaining();
        DropReason r = ip.wrap(packet, offset, length).check();
        if (r != null) {
            drop(nowNs, r, length, "malformed IP packet");
            return;
        }
        if (!interfaces.isLocal(ip.dstHi(), ip.dstLo()) && !isForwarded(ip)) {
            IpAddress dst = ip.dst();
            boolean broadcast = dst.isMulticast() || dst.isLimitedBroadcast() || interfaces.isSubnetBroadcast(dst);
            drop(nowNs, broadcast && ip.protocol() == IpProtocol.TCP ? DropReason.IP_BROADCAST_OR_MULTICAST
                    : DropReason.IP_NOT_FOR_US, length, "to " + dst);
            return;
        }
        this.nowNs = nowNs;
        switch (ip.protocol()) {
            case IpProtocol.TCP -> demux.onSegment(nowNs, ip, tcpVerified);
            case IpProtocol.UDP -> udp.onDatagram(nowNs, ip, interfaces.isLocal(ip.dstHi(), ip.dstLo()));
            case IpProtocol.ICMP, IpProtocol.ICMPV6 ->
                    icmp.onIcmp(nowNs, ip, interfaces.isUnusableSource(ip.srcHi(), ip.srcLo()));
            default -> {
                drop(nowNs, DropReason.IP_UNKNOWN_PROTOCOL, length, IpProtocol.name(ip.protocol()));
                // RFC 1122 §3.2.2: no ICMP error about a packet from an unusable source (MUST-57, MUST-63).
                if (!interfaces.isUnusableSource(ip.srcHi(), ip.srcLo())) {
                    icmp.sendProtocolUnreachable(nowNs, ip);
                }
            }
        }
    }

    /**
     * Whether {@code ip}, for an address not ours, goes to the forwarder: TCP or UDP to a unicast address
     * (MUST-57 still holds: never to broadcast, multicast, unspecified or loopback). Allocation-free.
     */
    private boolean isForwarded(IpPacket ip) {
        if (forward == null || (ip.protocol() != IpProtocol.TCP && ip.protocol() != IpProtocol.UDP)) {
            return false;
        }
        long hi = ip.dstHi();
        long lo = ip.dstLo();
        boolean loopback = hi == 0 && (lo == 1 || ((lo >>> 32) == 0xFFFF && ((int) lo >>> 24) == 127));
        return !loopback && !interfaces.isUnusableSource(hi, lo);
    }

    /** The path MTU towards {@code remote}: the outgoing interface's MTU, lowered by what ICMP taught. */
    public int pathMtu(IpAddress remote) {
        return pathMtus.mtu(remote, linkMtu(remote), nowNs);
    }

    /** The MTU of the interface towards {@code remote}, or of the first one if no route leads there. */
    private int linkMtu(IpAddress remote) {
        NetInterface via = routes.interfaceFor(remote);
        return via == null ? interfaces.primary().mtu() : via.mtu();
    }

    private void drop(long nowNs, DropReason reason, int length, String summary) {
        drops.count(reason);
        if (trace.isEnabled()) {
            trace.direct.onEvent(new TraceEvent.PacketEvent(nowNs, name, TraceEvent.Direction.DROPPED, length, reason,
                    summary));
        }
    }

    // =================================================================================================
    // Timers
    // =================================================================================================

    /** The earliest time this host needs {@link #onTimer}: a connection timer or a TIME-WAIT expiry. */
    public long nextDeadlineNs() {
        return Math.min(wheel.nextDeadlineNs(), demux.nextTimeWaitExpiryNs());
    }

    /** Runs every due timer. */
    public void onTimer(long nowNs) {
        wheel.advance(nowNs, EXPIRY);
        demux.expireTimeWait(nowNs);
    }

    // =================================================================================================
    // TcpContext: what the engine asks of the host
    // =================================================================================================

    @Override
    public TcpConfig config() {
        return config;
    }

    /**
     * Changes the settings for what starts from now on, as a sysctl does on a running Linux host:
     * connections opened and SYNs answered later take {@code next}; connections already open keep
     * the settings they started with. The host-wide limits made when the host was built (the
     * challenge-ACK budget) stay as they were.
     */
    public void reconfigure(TcpConfig next) {
        config = Objects.requireNonNull(next);
    }

    @Override
    public String hostName() {
        return name;
    }

    @Override
    public Tracer tracer() {
        return trace.engine;
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

    /** TCP Fast Open's mode, key and cookie cache (RFC 7413); off unless set. */
    @Override
    public FastOpen fastOpen() {
        return fastOpen;
    }

    @Override
    public ChallengeAckLimiter challengeAcks() {
        return challengeAcks;
    }

    @Override
    public int timestampOffset(IpAddress local, IpAddress remote) {
        return (int) portHash.hash(local.hi(), local.lo(), remote.hi(), remote.lo(), -1L, -1L);
    }

    /** MMS_R: the outgoing interface's MTU (the largest packet we accept back on it) minus the IP header. */
    @Override
    public int maxReceiveSegmentSize(IpAddress remote) {
        return linkMtu(remote) - PacketWriter.ipHeaderLength(remote);
    }

    /** MMS_S: the path MTU (RFC 1191, RFC 8201) minus the IP header. */
    @Override
    public int maxSendSegmentSize(IpAddress remote) {
        return pathMtu(remote) - PacketWriter.ipHeaderLength(remote);
    }

    @Override
    public void transmit(long nowNs, IpAddress local, IpAddress remote, TcpSegment seg, String note) {
        output.transmit(nowNs, local, remote, seg, note);
    }

    @Override
    public boolean offloadsSegmentation(IpAddress remote) {
        return output.offloadsSegmentation(remote);
    }

    @Override
    public void schedule(TcpConnection connection, long deadlineNs) {
        demux.schedule(connection, deadlineNs);
    }

    @Override
    public void register(TcpConnection connection) {
        demux.register(connection);
    }

    @Override
    public void onTimeWait(TcpConnection connection, long nowNs) {
        demux.onTimeWait(connection, nowNs, config.timeWaitNs());
    }

    @Override
    public void onClosed(TcpConnection connection) {
        demux.onClosed(connection);
    }

    @Override
    public String toString() {
        return "host " + name + " " + addresses();
    }
}
