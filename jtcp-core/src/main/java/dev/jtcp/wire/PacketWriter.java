package dev.jtcp.wire;

import java.nio.ByteBuffer;

/**
 * Builds whole IP packets in place: an IPv4 or IPv6 header, then a TCP segment (header, options,
 * payload, checksum over the pseudo-header, MUST-2) or an ICMP message. Emitting cannot fail as long
 * as the destination has {@link #tcpPacketLength} bytes of room.
 *
 * <p>Holds the IPv4 Identification counter. Not thread-safe: one per sending thread.
 */
public final class PacketWriter {
    private final Ipv4Packet v4 = new Ipv4Packet();
    private final Ipv6Packet v6 = new Ipv6Packet();
    private int identification;

    /** Sets the next IPv4 Identification value (to reproduce a captured packet exactly). */
    public PacketWriter nextIdentification(int id) {
        identification = id;
        return this;
    }

    /** Bytes the IP packet carrying {@code seg} from {@code src} will take. */
    public static int tcpPacketLength(IpAddress src, TcpSegment seg) {
        return ipHeaderLength(src) + TcpPacket.HEADER_LENGTH + seg.options.wireLength(seg.isSyn()) + seg.payloadLength;
    }

    /** 20 for IPv4, 40 for IPv6 (jtcp sends no IP options or extension headers). */
    public static int ipHeaderLength(IpAddress src) {
        return src.isV4() ? Ipv4Packet.HEADER_LENGTH : Ipv6Packet.HEADER_LENGTH;
    }

    /**
     * Writes an IP packet carrying {@code seg} at index {@code at} of {@code dst}; with {@link
     * TcpSegment#gsoSize} set, the checksum field holds the partial checksum of a super-packet
     * (as {@code link.TcpSegmenter.setPartialChecksum} leaves it).
     *
     * @return the packet's total length
     */
    public int writeTcp(ByteBuffer dst, int at, IpAddress src, IpAddress dstAddr, int ttl, int tos, TcpSegment seg) {
        boolean syn = seg.isSyn();
        int optionsLength = seg.options.wireLength(syn);
        int tcpLength = TcpPacket.HEADER_LENGTH + optionsLength + seg.payloadLength;
        int t = at + writeIpHeader(dst, at, src, dstAddr, ttl, tos, IpProtocol.TCP, tcpLength);
        dst.putShort(t + TcpPacket.SRC_PORT, (short) seg.srcPort);
        dst.putShort(t + TcpPacket.DST_PORT, (short) seg.dstPort);
        dst.putInt(t + TcpPacket.SEQ, seg.seq);
        dst.putInt(t + TcpPacket.ACK, seg.ack);
        int dataOffset = (TcpPacket.HEADER_LENGTH + optionsLength) / 4;
        dst.putShort(t + TcpPacket.OFFSET_FLAGS, (short) (dataOffset << 12 | (seg.flags & TcpFlags.ALL)));
        dst.putShort(t + TcpPacket.WINDOW, (short) seg.window);
        dst.putShort(t + TcpPacket.CHECKSUM, (short) 0);
        dst.putShort(t + TcpPacket.URGENT, (short) seg.urgentPointer);
        seg.options.write(dst, t + TcpPacket.HEADER_LENGTH, syn);
        if (seg.payloadLength > 0) {
            seg.copyPayloadTo(0, dst, t + TcpPacket.HEADER_LENGTH + optionsLength, seg.payloadLength);
        }
        long pseudo = Checksum.pseudoHeader(src, dstAddr, IpProtocol.TCP, tcpLength);
        if (seg.gsoSize > 0) {
            // A super-packet: the partial checksum (Linux's CHECKSUM_PARTIAL), completed per piece
            // by whoever cuts it.
            dst.putShort(t + TcpPacket.CHECKSUM, (short) Checksum.fold(pseudo));
        } else {
            dst.putShort(t + TcpPacket.CHECKSUM, (short) Checksum.finish(pseudo + Checksum.sum(dst, t, tcpLength)));
        }
        return t - at + tcpLength;
    }

    /**
     * Writes an ICMP or ICMPv6 message: the 8-byte header with {@code restOfHeader}, then {@code
     * bodyLength} bytes of {@code body} from {@code bodyOffset} (echo data or a quoted packet).
     *
     * @return the packet's total length
     */
    public int writeIcmp(ByteBuffer dst, int at, IpAddress src, IpAddress dstAddr, int ttl, int type, int code,
                         int restOfHeader, ByteBuffer body, int bodyOffset, int bodyLength) {
        int protocol = src.isV4() ? IpProtocol.ICMP : IpProtocol.ICMPV6;
        int icmpLength = IcmpPacket.HEADER_LENGTH + bodyLength;
        int i = at + writeIpHeader(dst, at, src, dstAddr, ttl, 0, protocol, icmpLength);
        dst.put(i, (byte) type);
        dst.put(i + 1, (byte) code);
        dst.putShort(i + 2, (short) 0);
        dst.putInt(i + 4, restOfHeader);
        if (bodyLength > 0) {
            dst.put(i + IcmpPacket.HEADER_LENGTH, body, bodyOffset, bodyLength);
        }
        long sum = Checksum.sum(dst, i, icmpLength);
        if (!src.isV4()) {
            sum += Checksum.pseudoHeader(src, dstAddr, protocol, icmpLength);
        }
        dst.putShort(i + 2, (short) Checksum.finish(sum));
        return i - at + icmpLength;
    }

    /**
     * Writes an IPv4/IPv6 + UDP datagram (RFC 768) carrying {@code length} bytes of {@code payload}
     * from {@code payloadOffset} at {@code at}; returns its length. The checksum is always computed
     * (mandatory over IPv6, RFC 8200 §8.1); a computed zero is sent as 0xFFFF (RFC 768).
     */
    public int writeUdp(ByteBuffer dst, int at, IpAddress src, IpAddress dstAddr, int ttl, int tos, int srcPort,
                        int dstPort, ByteBuffer payload, int payloadOffset, int length) {
        int udpLength = UdpPacket.HEADER_LENGTH + length;
        int i = at + writeIpHeader(dst, at, src, dstAddr, ttl, tos, IpProtocol.UDP, udpLength);
        dst.putShort(i, (short) srcPort);
        dst.putShort(i + 2, (short) dstPort);
        dst.putShort(i + 4, (short) udpLength);
        dst.putShort(i + 6, (short) 0);
        if (length > 0) {
            dst.put(i + UdpPacket.HEADER_LENGTH, payload, payloadOffset, length);
        }
        int c = Checksum.finish(Checksum.sum(dst, i, udpLength)
                + Checksum.pseudoHeader(src, dstAddr, IpProtocol.UDP, udpLength));
        dst.putShort(i + 6, (short) (c == 0 ? 0xFFFF : c));
        return i - at + udpLength;
    }

    private int writeIpHeader(ByteBuffer dst, int at, IpAddress src, IpAddress dstAddr, int ttl, int tos,
                              int protocol, int upperLength) {
        if (src.isV4()) {
            v4.writeHeader(dst, at, tos, Ipv4Packet.HEADER_LENGTH + upperLength, identification++ & 0xFFFF,
                    ttl, protocol, src.v4(), dstAddr.v4());
            return Ipv4Packet.HEADER_LENGTH;
        }
        v6.writeHeader(dst, at, tos, 0, upperLength, protocol, ttl, src, dstAddr);
        return Ipv6Packet.HEADER_LENGTH;
    }
}
