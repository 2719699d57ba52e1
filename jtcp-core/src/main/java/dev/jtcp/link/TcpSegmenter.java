package dev.jtcp.link;

import dev.jtcp.wire.Checksum;
import java.nio.ByteBuffer;

/**
 * Software segmentation (what Linux calls GSO, done where no device does it): cuts one TCP
 * super-packet of up to 64 KiB into packets of at most {@code gsoSize} payload bytes each, as a NIC
 * with TCP segmentation offload would, so that {@link PacketSink#transmitGso} works on every link.
 *
 * <p>Each piece repeats the IP and TCP headers (options included) with (RFC 9293 §3.1; Linux's
 * {@code tcp_gso_segment} and {@code inet_gso_segment} do the same):
 * <ul>
 *   <li>the IPv4 total length / IPv6 payload length of the piece, the IPv4 identification
 *       incremented by one per piece (RFC 6864 allows any value for atomic datagrams; Linux
 *       increments), the IPv4 header checksum recomputed;
 *   <li>the sequence number advanced by the payload of the pieces before it;
 *   <li>FIN and PSH only on the last piece, CWR only on the first (RFC 3168 §6.1.2: one CWR per
 *       window reduction);
 *   <li>a complete TCP checksum, whatever the super-packet's checksum field held (a partial sum, see
 *       {@link #setPartialChecksum}, or nothing).
 * </ul>
 *
 * <p>The super-packet is IPv4 (any options) or IPv6 without extension headers, carrying TCP; its
 * IP length fields describe the whole of it. A segment with no more than {@code gsoSize} payload
 * bytes leaves as one packet with its checksum completed.
 *
 * <p>No allocation per packet: the pieces are built one after another in one reused buffer, each
 * handed to the sink (which copies what it keeps) before the next is built.
 *
 * <p>Thread-safety: not thread-safe; one per thread ({@link #forThisThread}) or per link.
 */
public final class TcpSegmenter {
    /** The largest IPv6 packet (40 + 65535); bigger than any IPv4 one. */
    public static final int MAX_PACKET = 40 + 65535;
    private static final int TCP = 6;
    private static final int FIN = 0x01;
    private static final int PSH = 0x08;
    private static final int CWR = 0x80;
    private static final ThreadLocal<TcpSegmenter> PER_THREAD = ThreadLocal.withInitial(TcpSegmenter::new);

    private final ByteBuffer piece = ByteBuffer.allocate(MAX_PACKET);
    // The super-packet being cut, as absolute indexes set by parse.
    private boolean v4;
    private int ipAt;
    private int tcpAt;
    private int payloadAt;
    private int end;

    /** The segmenter of the calling thread (for links that have no state of their own to keep one in). */
    public static TcpSegmenter forThisThread() {
        return PER_THREAD.get();
    }

    /**
     * Sends {@code packet} (position to limit, not changed) to {@code out} as packets of at most
     * {@code gsoSize} payload bytes.
     *
     * @param gsoSize payload bytes per piece (the MSS); 0 or more than the payload: one piece
     * @return the number of packets handed to {@code out}
     * @throws IllegalArgumentException if {@code packet} is not an IPv4/IPv6 TCP segment whose
     *     headers and lengths fit its bytes
     */
    public int segment(ByteBuffer packet, int gsoSize, PacketSink out) {
        parse(packet);
        int payloadLength = end - payloadAt;
        int mss = gsoSize <= 0 ? Math.max(1, payloadLength) : gsoSize;
        int pieces = Math.max(1, (payloadLength + mss - 1) / mss);
        int headers = payloadAt - ipAt;
        boolean isV4 = v4;
        int tcp = tcpAt - ipAt;
        int seq0 = packet.getInt(tcpAt + 4);
        int flags0 = packet.get(tcpAt + 13) & 0xFF;
        int id0 = v4 ? packet.getShort(ipAt + 4) & 0xFFFF : 0;
        for (int i = 0; i < pieces; i++) {
            int offset = i * mss;
            int length = Math.min(mss, payloadLength - offset);
            piece.clear();
            piece.put(0, packet, ipAt, headers);
            piece.put(headers, packet, payloadAt + offset, length);
            int total = headers + length;
            int tcpLength = total - tcp;
            if (isV4) {
                piece.putShort(2, (short) total);
                piece.putShort(4, (short) (id0 + i));
                piece.putShort(10, (short) 0);
                piece.putShort(10, (short) Checksum.finish(Checksum.sum(piece, 0, tcp)));
            } else {
                piece.putShort(4, (short) tcpLength);
            }
            int flags = flags0;
            if (i < pieces - 1) {
                flags &= ~(FIN | PSH);
            }
            if (i > 0) {
                flags &= ~CWR;
            }
            piece.putInt(tcp + 4, seq0 + offset);
            piece.put(tcp + 13, (byte) flags);
            piece.putShort(tcp + 16, (short) 0);
            long sum = pseudoHeaderSum(piece, 0, isV4, tcpLength) + Checksum.sum(piece, tcp, tcpLength);
            piece.putShort(tcp + 16, (short) Checksum.finish(sum));
            piece.limit(total);
            out.transmit(piece);
        }
        return pieces;
    }

    /**
     * Stores in {@code packet}'s TCP checksum field the partial checksum that {@link
     * PacketSink#transmitGso} expects (Linux's {@code CHECKSUM_PARTIAL}): the pseudo-header sum over
     * the whole segment's TCP length, folded, not complemented. Whoever completes it adds the sum
     * of the TCP header and payload (with this field in it) and complements.
     */
    public static void setPartialChecksum(ByteBuffer packet) {
        TcpSegmenter s = forThisThread();
        s.parse(packet);
        int tcpLength = s.end - s.tcpAt;
        packet.putShort(s.tcpAt + 16, (short) Checksum.fold(pseudoHeaderSum(packet, s.ipAt, s.v4, tcpLength)));
    }

    private static long pseudoHeaderSum(ByteBuffer b, int ipAt, boolean v4, int tcpLength) {
        return v4 ? Checksum.pseudoHeaderV4(b.getInt(ipAt + 12), b.getInt(ipAt + 16), TCP, tcpLength)
                : Checksum.pseudoHeaderV6(b.getLong(ipAt + 8), b.getLong(ipAt + 16), b.getLong(ipAt + 24),
                        b.getLong(ipAt + 32), TCP, tcpLength);
    }

    /** Finds the headers and payload of a TCP super-packet (absolute indexes into the fields). */
    private void parse(ByteBuffer p) {
        int at = p.position();
        int available = p.remaining();
        if (available < 20) {
            throw new IllegalArgumentException("not an IP packet: " + available + " bytes");
        }
        int version = (p.get(at) & 0xFF) >>> 4;
        int ipLength;
        int stop;
        if (version == 4) {
            ipLength = (p.get(at) & 0x0F) * 4;
            stop = at + (p.getShort(at + 2) & 0xFFFF);
            if ((p.get(at + 9) & 0xFF) != TCP) {
                throw new IllegalArgumentException("not TCP: IPv4 protocol " + (p.get(at + 9) & 0xFF));
            }
        } else if (version == 6 && available >= 40) {
            ipLength = 40;
            stop = at + 40 + (p.getShort(at + 4) & 0xFFFF);
            if ((p.get(at + 6) & 0xFF) != TCP) {
                throw new IllegalArgumentException("not TCP right after the IPv6 header: next header "
                        + (p.get(at + 6) & 0xFF));
            }
        } else {
            throw new IllegalArgumentException("not an IPv4 or IPv6 packet");
        }
        int tcp = at + ipLength;
        if (ipLength < 20 || stop > at + available || tcp + 20 > stop) {
            throw new IllegalArgumentException("IP lengths do not fit the " + available + " bytes");
        }
        int payload = tcp + ((p.get(tcp + 12) & 0xFF) >>> 4) * 4;
        if (payload < tcp + 20 || payload > stop) {
            throw new IllegalArgumentException("bad TCP data offset");
        }
        v4 = version == 4;
        ipAt = at;
        tcpAt = tcp;
        payloadAt = payload;
        end = stop;
    }
}
