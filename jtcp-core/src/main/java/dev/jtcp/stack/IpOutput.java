package dev.jtcp.stack;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.link.PacketSink;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The host's transmit path: every packet the host sends is written in place into one reused
 * buffer by {@link PacketWriter} (IP header with the host's TTL, then the TCP segment or ICMP
 * message), traced as SENT, and handed to the {@link PacketSink} of the interface the {@link
 * RoutingTable} picks for the destination. Nothing is allocated per packet when tracing is off.
 *
 * <p>Not thread-safe: the host's thread.
 */
final class IpOutput {
    /** The largest IP packet: 65535 bytes of IPv4 total length, or an IPv6 payload of that plus its header. */
    private static final int MAX_PACKET = 65535 + 40;
    /** The default TTL / hop limit (RFC 1700's recommendation; Linux uses the same). */
    static final int DEFAULT_TTL = 64;

    private final String hostName;
    /** Where SENT events go: the host's engine-facing tracer, which holds them back during a received segment. */
    private final Tracer tracer;
    private final RoutingTable routes;
    private final PacketWriter writer = new PacketWriter();
    /** Holds one packet between writing and handing it to a sink; cleared after each. */
    private final ByteBuffer txBuffer = ByteBuffer.allocate(MAX_PACKET);
    /** A view over a written TCP segment, for the trace. */
    private final TcpPacket sentTcp = new TcpPacket();
    /** TTL / hop limit of every packet (MUST-49: configurable); 1..255. */
    private int ttl = DEFAULT_TTL;
    private long packetsSent;
    /** Packets the host had to send but no route led anywhere (counted, not traced). */
    private long unroutable;

    IpOutput(String hostName, Tracer tracer, RoutingTable routes) {
        this.hostName = Objects.requireNonNull(hostName);
        this.tracer = Objects.requireNonNull(tracer);
        this.routes = Objects.requireNonNull(routes);
    }

    void ttl(int ttl) {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("TTL must be 1..255, got " + ttl);
        }
        this.ttl = ttl;
    }

    int ttl() {
        return ttl;
    }

    long packetsSent() {
        return packetsSent;
    }

    long unroutable() {
        return unroutable;
    }

    /** Sends {@code seg} from {@code local} to {@code remote}, with the segment's TOS octet. */
    void transmit(long nowNs, IpAddress local, IpAddress remote, TcpSegment seg, String note) {
        int n = writer.writeTcp(txBuffer, 0, local, remote, ttl, seg.tos, seg);
        if (tracer.isEnabled()) {
            int ipLength = PacketWriter.ipHeaderLength(local);
            TcpHeader h = TcpHeader.of(sentTcp.wrap(txBuffer, ipLength, n - ipLength));
            tracer.onEvent(new TraceEvent.SegmentEvent(nowNs, hostName, TraceEvent.Direction.SENT, local, remote, h,
                    seg.payloadLength, null, note));
        }
        if (seg.gsoSize > 0) {
            sendGso(remote, n, seg.gsoSize);
        } else {
            send(nowNs, remote, n, null);
        }
    }

    /** Whether the interface towards {@code remote} cuts super-packets itself. */
    boolean offloadsSegmentation(IpAddress remote) {
        NetInterface via = routes.interfaceFor(remote);
        return via != null && via.sink().offloadsSegmentation();
    }

    /** Hands the super-packet in the transmit buffer to the sink towards {@code remote} to cut at {@code gsoSize}. */
    private void sendGso(IpAddress remote, int length, int gsoSize) {
        NetInterface via = routes.interfaceFor(remote);
        if (via == null) {
            unroutable++;
            return;
        }
        txBuffer.limit(length).position(0);
        packetsSent++;
        via.sink().transmitGso(txBuffer, gsoSize);
        txBuffer.clear();
    }

    /**
     * Sends an ICMP (v4 or v6, after {@code local}'s family) message of {@code type}/{@code code}
     * whose second word is {@code rest} and whose body is {@code length} bytes of {@code body} from
     * {@code offset}; {@code summary} names it in the trace.
     */
    void sendIcmp(long nowNs, IpAddress local, IpAddress remote, int type, int code, int rest, ByteBuffer body,
                  int offset, int length, String summary) {
        int n = writer.writeIcmp(txBuffer, 0, local, remote, ttl, type, code, rest, body, offset, length);
        send(nowNs, remote, n, summary);
    }

    /** Sends a UDP datagram of {@code length} bytes of {@code data} from {@code offset}. */
    void sendUdp(long nowNs, IpAddress local, int localPort, IpAddress remote, int remotePort, ByteBuffer data,
                 int offset, int length) {
        int n = writer.writeUdp(txBuffer, 0, local, remote, ttl, 0, localPort, remotePort, data, offset, length);
        send(nowNs, remote, n, tracer.isEnabled() ? "UDP " + localPort + " > " + remotePort + " len " + length
                : null);
    }

    /** Sends the {@code length} bytes in the transmit buffer through the route towards {@code remote}. */
    private void send(long nowNs, IpAddress remote, int length, String icmpSummary) {
        NetInterface via = routes.interfaceFor(remote);
        if (via == null) {
            unroutable++;
            return;
        }
        txBuffer.limit(length).position(0);
        packetsSent++;
        if (icmpSummary != null && tracer.isEnabled()) {
            tracer.onEvent(new TraceEvent.PacketEvent(nowNs, hostName, TraceEvent.Direction.SENT, length, null,
                    icmpSummary));
        }
        via.sink().transmit(txBuffer);
        txBuffer.clear();
    }
}
