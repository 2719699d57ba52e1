package dev.jtcp.stack;

import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.Ipv4Packet;
import dev.jtcp.wire.Ipv6Packet;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Hand-built packets for host tests, and a sink that keeps copies of what a host sends. */
final class RawPackets {
    private RawPackets() {
    }

    /** Keeps a copy of every packet sent through it. */
    static final class Capture implements dev.jtcp.link.PacketSink {
        final List<ByteBuffer> packets = new ArrayList<>();

        @Override
        public void transmit(ByteBuffer packet) {
            ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
            copy.put(packet.duplicate()).flip();
            packets.add(copy);
        }

        ByteBuffer last() {
            return packets.getLast();
        }
    }

    /** A SYN from {@code src}:{@code sport} to {@code dst}:{@code dport}. */
    static ByteBuffer syn(String src, int sport, String dst, int dport) {
        return tcp(src, sport, dst, dport, 1000, TcpFlags.SYN);
    }

    /** A bare TCP segment with sequence number {@code seq} and {@code flags}. */
    static ByteBuffer tcp(String src, int sport, String dst, int dport, int seq, int flags) {
        TcpSegment seg = new TcpSegment().clear();
        seg.srcPort = sport;
        seg.dstPort = dport;
        seg.seq = seq;
        seg.flags = flags;
        seg.window = 65535;
        ByteBuffer b = ByteBuffer.allocate(200);
        int n = new PacketWriter().writeTcp(b, 0, IpAddress.parse(src), IpAddress.parse(dst), 64, 0, seg);
        return b.limit(n);
    }

    /** An IP packet of {@code protocol} with {@code payloadLength} zero bytes of payload. */
    static ByteBuffer other(String src, String dst, int protocol, int payloadLength) {
        IpAddress s = IpAddress.parse(src);
        IpAddress d = IpAddress.parse(dst);
        ByteBuffer b = ByteBuffer.allocate(60 + payloadLength);
        if (s.isV4()) {
            new Ipv4Packet().writeHeader(b, 0, 0, 20 + payloadLength, 1, 64, protocol, s.v4(), d.v4());
            return b.limit(20 + payloadLength);
        }
        new Ipv6Packet().writeHeader(b, 0, 0, 0, payloadLength, protocol, 64, s, d);
        return b.limit(40 + payloadLength);
    }

    /** An SCTP packet (protocol 132, not implemented by jtcp; UDP was, until jtcp had UDP). */
    static ByteBuffer sctp(String src, String dst) {
        return other(src, dst, 132, 12);
    }

    /**
     * An ICMP error from {@code router} to {@code to} of {@code type}/{@code code}, quoting the first
     * {@code quoteLength} bytes of {@code offending}.
     */
    static ByteBuffer icmpError(String router, String to, int type, int code, int rest, ByteBuffer offending,
                                int quoteLength) {
        ByteBuffer b = ByteBuffer.allocate(1500);
        int n = new PacketWriter().writeIcmp(b, 0, IpAddress.parse(router), IpAddress.parse(to), 64, type, code, rest,
                offending, offending.position(), Math.min(quoteLength, offending.remaining()));
        return b.limit(n);
    }

    /** Type, code and the 4 bytes after the checksum of the ICMP message in {@code packet}. */
    static int[] icmpHeader(ByteBuffer packet) {
        int at = (packet.get(0) >>> 4) == 4 ? 20 : 40;
        return new int[] {packet.get(at) & 0xFF, packet.get(at + 1) & 0xFF, packet.getInt(at + 4)};
    }
}
