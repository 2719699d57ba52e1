package dev.jtcp.script;

import dev.jtcp.wire.Checksum;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.Ipv4Packet;
import dev.jtcp.wire.Ipv6Packet;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpOption;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Builds the exact IP packet an inbound ({@code <}) line describes: the options byte for byte in the
 * script's order (padding is the script's business), a zero-filled payload, correct checksums.
 */
final class PacketBuilder {
    private PacketBuilder() {
    }

    /** Header fields of an inbound segment, already in live (wire) numbering. */
    record Fields(IpAddress src, IpAddress dst, int tos, int ttl, int flowLabel, int srcPort, int dstPort, int seq,
                  int ack, int flags, int window, int urgent, List<TcpOption> options, int payloadLength) {}

    static byte[] build(Fields f) {
        int optionsLength = 0;
        for (TcpOption o : f.options()) {
            optionsLength += o.wireLength();
        }
        int tcpLength = TcpPacket.HEADER_LENGTH + optionsLength + f.payloadLength();
        boolean v4 = f.src().isV4();
        int ipLength = v4 ? Ipv4Packet.HEADER_LENGTH : Ipv6Packet.HEADER_LENGTH;
        ByteBuffer b = ByteBuffer.allocate(ipLength + tcpLength);
        int tos = Math.max(f.tos(), 0);
        int ttl = f.ttl() >= 0 ? f.ttl() : 64;
        if (v4) {
            new Ipv4Packet().writeHeader(b, 0, tos, ipLength + tcpLength, 0, ttl, IpProtocol.TCP, f.src().v4(), f.dst().v4());
        } else {
            new Ipv6Packet().writeHeader(b, 0, tos, Math.max(f.flowLabel(), 0), tcpLength, IpProtocol.TCP, ttl, f.src(),
                    f.dst());
        }
        int t = ipLength;
        b.putShort(t, (short) f.srcPort());
        b.putShort(t + 2, (short) f.dstPort());
        b.putInt(t + 4, f.seq());
        b.putInt(t + 8, f.ack());
        int dataOffset = (TcpPacket.HEADER_LENGTH + optionsLength) / 4;
        b.putShort(t + 12, (short) (dataOffset << 12 | (f.flags() & TcpFlags.ALL)));
        b.putShort(t + 14, (short) f.window());
        b.putShort(t + 18, (short) f.urgent());
        int at = t + TcpPacket.HEADER_LENGTH;
        for (TcpOption o : f.options()) {
            at = o.write(b, at);
        }
        long sum = Checksum.pseudoHeader(f.src(), f.dst(), IpProtocol.TCP, tcpLength) + Checksum.sum(b, t, tcpLength);
        b.putShort(t + 16, (short) Checksum.finish(sum));
        return b.array();
    }
}
