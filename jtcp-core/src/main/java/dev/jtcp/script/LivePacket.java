package dev.jtcp.script;

import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpOption;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A TCP segment the stack under test sent, as captured: when (script microseconds), the IP fields a
 * line may check, the TCP header with its options in wire order, and the payload.
 *
 * @param segments how many captured segments this stands for (more than one after aggregation)
 */
record LivePacket(long timeUs, int ipVersion, IpAddress src, IpAddress dst, int tos, int ttl, int flowLabel,
                  int srcPort, int dstPort, int seq, int ack, int flags, int window, int urgent,
                  List<TcpOption> options, int optionBytes, byte[] payload, int segments) {

    /** Parses an IP packet; null if it is not a well-formed TCP segment (ICMP, IPv6 neighbour discovery...). */
    static LivePacket parse(long timeUs, ByteBuffer buf) {
        IpPacket ip = new IpPacket();
        if (ip.wrap(buf, buf.position(), buf.remaining()).check() != null || ip.protocol() != IpProtocol.TCP) {
            return null;
        }
        TcpPacket tcp = new TcpPacket().wrap(buf, ip.payloadOffset(), ip.payloadLength());
        if (tcp.check() != null) {
            return null;
        }
        byte[] payload = new byte[tcp.payloadLength()];
        buf.get(tcp.payloadOffset(), payload);
        boolean v4 = ip.version() == 4;
        int flowLabel = v4 ? -1 : ip.v6().flowLabel();
        return new LivePacket(timeUs, ip.version(), ip.src(), ip.dst(), ip.tos(), ip.ttl(), flowLabel,
                tcp.srcPort(), tcp.dstPort(), tcp.seq(), tcp.ack(), tcp.flags(), tcp.window(), tcp.urgentPointer(),
                tcp.decodeOptions().options(), tcp.optionsLength(), payload, 1);
    }

    int payloadLength() {
        return payload.length;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /**
     * This segment followed by {@code next}, as one (TSO-style aggregation): the first one's header,
     * with PSH and FIN, ack and window from the last (as on a TSO super-segment); with {@code anyPush},
     * PSH from any of them.
     */
    LivePacket merge(LivePacket next, boolean anyPush) {
        byte[] p = new byte[payload.length + next.payload.length];
        System.arraycopy(payload, 0, p, 0, payload.length);
        System.arraycopy(next.payload, 0, p, payload.length, next.payload.length);
        return new LivePacket(timeUs, ipVersion, src, dst, tos, ttl, flowLabel, srcPort, dstPort, seq, next.ack,
                (flags & ~(TcpFlags.PSH | TcpFlags.FIN)) | next.flags | (anyPush ? flags & TcpFlags.PSH : 0), next.window, urgent, options, optionBytes, p,
                segments + next.segments);
    }
}
