package dev.jtcp.stack;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.tcp.ConnectionStatus;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IcmpPacket;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.Ipv6Packet;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.SeqNum;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * ICMP at the host, both ways. In: echo requests are answered (so ping works); errors quoting one
 * of our segments are checked per RFC 5927 and go to the connection they concern (RFC 9293
 * §3.9.2.2), packet too big lowering the path MTU (RFC 1191, RFC 8201). Out: "protocol
 * unreachable" for protocols jtcp does not implement (RFC 1122 §3.2.2.1, RFC 4443 §3.4),
 * rate-limited.
 *
 * <p>Not thread-safe: the host's thread.
 */
final class IcmpInput {
    private final String hostName;
    /** The host's tracer (events go out at once). */
    private final Tracer tracer;
    private final DropCounters drops;
    /** Where the connection an error quotes is found. */
    private final TcpDemux demux;
    private final RoutingTable routes;
    private final PathMtuCache pathMtus;
    private final IpOutput output;
    /** The budget of ICMP errors this host sends (Linux's defaults). */
    private final IcmpRateLimiter errorBudget = new IcmpRateLimiter(1000, 50);
    // Reused on every packet.
    private final IcmpPacket icmp = new IcmpPacket();
    private final IcmpErrorMessage error = new IcmpErrorMessage();

    IcmpInput(String hostName, Tracer tracer, DropCounters drops, TcpDemux demux, RoutingTable routes,
              PathMtuCache pathMtus, IpOutput output) {
        this.hostName = Objects.requireNonNull(hostName);
        this.tracer = Objects.requireNonNull(tracer);
        this.drops = Objects.requireNonNull(drops);
        this.demux = Objects.requireNonNull(demux);
        this.routes = Objects.requireNonNull(routes);
        this.pathMtus = Objects.requireNonNull(pathMtus);
        this.output = Objects.requireNonNull(output);
    }

    /**
     * An ICMP or ICMPv6 message arrived in {@code ip}, addressed to us; {@code srcUnusable} says
     * whether its source is one no answer may go to (MUST-57's neighbourhood).
     */
    void onIcmp(long nowNs, IpPacket ip, boolean srcUnusable) {
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
            if (srcUnusable) {
                drop(nowNs, DropReason.IP_BAD_SOURCE, ip.packetLength(), "echo request from " + ip.src());
                return;
            }
            int rest = buf.getInt(ip.payloadOffset() + 4);
            output.sendIcmp(nowNs, ip.dst(), ip.src(), v4 ? IcmpPacket.V4_ECHO_REPLY : IcmpPacket.V6_ECHO_REPLY, 0,
                    rest, buf, icmp.bodyOffset(), icmp.bodyLength(), "echo reply");
            return;
        }
        if (icmp.isError(ip.version()) && error.read(ip.version(), icmp, buf)) {
            onError(nowNs, ip);
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
    private void onError(long nowNs, IpPacket ip) {
        IcmpErrorMessage e = error;
        int length = ip.packetLength();
        // The error is addressed to the source of the quoted packet (the router itself may be anyone).
        if (e.localHi != ip.dstHi() || e.localLo != ip.dstLo()) {
            drop(nowNs, DropReason.ICMP_ERROR_REJECTED, length, e.description + " quoting a packet not from "
                    + ip.dst());
            return;
        }
        TcpConnection c = demux.connection(e.localHi, e.localLo, e.localPort, e.remoteHi, e.remoteLo, e.remotePort);
        if (c == null) {
            drop(nowNs, DropReason.ICMP_ERROR_REJECTED, length, e.description + " for no connection");
            return;
        }
        ConnectionStatus st = c.status();
        int offset = SeqNum.diff(e.seq, st.sndUna());
        if (offset < 0 || offset >= Math.max(st.unacknowledged(), 1)) {
            drop(nowNs, DropReason.ICMP_OUT_OF_WINDOW, length, e.description + " quoting seq "
                    + Integer.toUnsignedString(e.seq) + " outside SND.UNA..SND.MAX of " + c.key());
            return;
        }
        if (tracer.isEnabled()) {
            tracer.onEvent(new TraceEvent.PacketEvent(nowNs, hostName, TraceEvent.Direction.RECEIVED, length, null,
                    e.description + " for " + c.key()));
        }
        switch (e.kind) {
            case PACKET_TOO_BIG -> {
                int oldMss = c.maxSegmentSize();
                if (onPacketTooBig(nowNs, c.key().remoteAddress(), e.mtu)) {
                    c.onPathMtuLowered(nowNs, oldMss);
                }
            }
            case HARD, SOFT -> c.onIcmpError(nowNs, e.error, e.kind == IcmpErrorMessage.Kind.HARD);
            case IGNORED -> {
            }
        }
    }

    /**
     * Lowers the path MTU towards {@code remote} and, for each connection to it, the segment size;
     * whether it was lowered.
     * MTUs below the minimum (576 for IPv4, as for the interface; 1280 for IPv6, RFC 8201 §4) are
     * raised to it rather than believed.
     */
    private boolean onPacketTooBig(long nowNs, IpAddress remote, int reportedMtu) {
        int floor = remote.isV4() ? 576 : 1280;
        int mtu = Math.max(reportedMtu, floor);
        NetInterface via = routes.interfaceFor(remote);
        if (via == null || !pathMtus.lower(remote, mtu, via.mtu(), nowNs)) {
            return false;
        }
        int mss = mtu - PacketWriter.ipHeaderLength(remote) - 20;
        for (TcpConnection c : demux.connections()) {
            if (c.key().remoteAddress().equals(remote) && c.state().isSynchronized() && c.maxSegmentSize() > mss) {
                // Caps the MSS through TCP_MAXSEG: the engine re-derives Eff.snd.MSS (MUST-16) from it
                // and from maxSendSegmentSize, which now sees the lower path MTU.
                c.maxSegmentSize(mss);
            }
        }
        return true;
    }

    /**
     * A protocol jtcp does not implement (UDP, SCTP, ...) arrived in {@code ip} from a usable
     * source: ICMP destination unreachable, code 2 "protocol unreachable" (RFC 1122 §3.2.2.1), or
     * ICMPv6 parameter problem, code 1 "unrecognized Next Header", pointing at the field that named
     * it (RFC 4443 §3.4; RFC 8200 §4). Rate-limited. The caller sends none for a packet from an
     * unusable source (RFC 1122 §3.2.2: no ICMP errors about broadcasts, multicasts, or packets
     * with unspecified sources); packets to broadcast or multicast addresses never get here.
     */
    void sendProtocolUnreachable(long nowNs, IpPacket ip) {
        if (!errorBudget.tryAcquire(nowNs)) {
            return;
        }
        IpAddress local = ip.dst();
        boolean v4 = ip.version() == 4;
        // Quote as much of the packet as fits in the minimum MTU (576 for IPv4, RFC 1812
        // §4.3.2.3; 1280 for IPv6, RFC 4443 §2.4(c)).
        int limit = (v4 ? 576 : 1280) - PacketWriter.ipHeaderLength(local) - IcmpPacket.HEADER_LENGTH;
        int quoted = Math.min(ip.packetLength(), limit);
        if (v4) {
            output.sendIcmp(nowNs, local, ip.src(), IcmpPacket.V4_DEST_UNREACHABLE,
                    IcmpPacket.V4_CODE_PROTOCOL_UNREACHABLE, 0, ip.buffer(), ip.offset(), quoted,
                    "ICMP protocol unreachable");
        } else {
            output.sendIcmp(nowNs, local, ip.src(), IcmpPacket.V6_PARAMETER_PROBLEM,
                    IcmpPacket.V6_CODE_UNRECOGNIZED_NEXT_HEADER, nextHeaderPointer(ip), ip.buffer(), ip.offset(),
                    quoted, "ICMPv6 unrecognized next header");
        }
    }

    /**
     * Destination unreachable about {@code ip}, from its destination: host unreachable (IPv4, RFC
     * 792) or address unreachable (IPv6, RFC 4443 §3.1), as a router says of a host that does not
     * answer. Rate-limited with the other errors.
     */
    void sendHostUnreachable(long nowNs, IpPacket ip) {
        boolean v4 = ip.version() == 4;
        sendUnreachable(nowNs, ip, v4 ? IcmpPacket.V4_CODE_HOST_UNREACHABLE : IcmpPacket.V6_CODE_ADDRESS_UNREACHABLE,
                v4 ? "ICMP host unreachable" : "ICMPv6 address unreachable");
    }

    /** Port unreachable about a UDP datagram to a closed port (RFC 1122 §4.1.3.1), from its destination. */
    void sendPortUnreachable(long nowNs, IpPacket ip) {
        boolean v4 = ip.version() == 4;
        sendUnreachable(nowNs, ip, v4 ? IcmpPacket.V4_CODE_PORT_UNREACHABLE : IcmpPacket.V6_CODE_PORT_UNREACHABLE,
                v4 ? "ICMP port unreachable" : "ICMPv6 port unreachable");
    }

    private void sendUnreachable(long nowNs, IpPacket ip, int code, String summary) {
        if (!errorBudget.tryAcquire(nowNs)) {
            return;
        }
        IpAddress local = ip.dst();
        boolean v4 = ip.version() == 4;
        int limit = (v4 ? 576 : 1280) - PacketWriter.ipHeaderLength(local) - IcmpPacket.HEADER_LENGTH;
        int quoted = Math.min(ip.packetLength(), limit);
        output.sendIcmp(nowNs, local, ip.src(), v4 ? IcmpPacket.V4_DEST_UNREACHABLE : IcmpPacket.V6_DEST_UNREACHABLE,
                code, 0, ip.buffer(), ip.offset(), quoted, summary);
    }

    /** Offset, from the IPv6 header, of the Next Header field that named the upper-layer protocol. */
    private static int nextHeaderPointer(IpPacket ip) {
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

    private void drop(long nowNs, DropReason reason, int length, String summary) {
        drops.count(reason);
        if (tracer.isEnabled()) {
            tracer.onEvent(new TraceEvent.PacketEvent(nowNs, hostName, TraceEvent.Direction.DROPPED, length, reason,
                    summary));
        }
    }
}
