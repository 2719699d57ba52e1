package dev.jtcp.link.tun;

import dev.jtcp.wire.Checksum;
import java.nio.ByteBuffer;

/**
 * Joins consecutive TCP segments of one flow, queued for a TUN device with the virtio-net header,
 * into one super-packet that the kernel receives in one {@code write} (what GRO does on a NIC's
 * receive side, done here on jtcp's send side). The engine sends MSS-sized segments; a burst of
 * them in one duty cycle becomes one write of up to 64 KiB instead of one write each, and the
 * kernel takes the super-packet as it takes its own GRO packets.
 *
 * <p>A segment may be appended to the queued packet before it only when the result is exactly what
 * segmentation would cut back into the same segments ({@code tcp_gso_segment}): IPv4 without
 * options or IPv6 without extension headers; equal addresses, TOS/traffic class, TTL, ports,
 * acknowledgment, window and option bytes (timestamps included); only ACK set (PSH allowed on the
 * segment that ends the run); the sequence number right after the queued payload; every piece but
 * the last exactly {@code gso_size} (the first piece's payload) long; at most 64 KiB in all. The
 * headers of the first segment stay, with lengths, the IPv4 header checksum and a partial TCP
 * checksum (pseudo-header only) rewritten by {@link #seal}, so nothing sums the payload again.
 *
 * <p>Thread-safety: stateless.
 */
final class SegmentCoalescer {
    /** The largest IPv4 packet; IPv6 payloads have the same limit. */
    static final int MAX_LENGTH = 65535;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;

    private SegmentCoalescer() {
    }

    /**
     * The header length (IP + TCP) of {@code p}'s packet (absolute index {@code at}, {@code length}
     * bytes) if later segments may be appended to it, else -1: a TCP segment with data, flags ACK
     * only, IPv4 without options or IPv6 with TCP next.
     */
    static int growableHeaderLength(ByteBuffer p, int at, int length) {
        int ipLength = ipHeaderLength(p, at, length);
        if (ipLength < 0 || length < ipLength + 20) {
            return -1;
        }
        int tcp = at + ipLength;
        int headers = ipLength + ((p.get(tcp + 12) & 0xFF) >>> 4) * 4;
        if (headers < ipLength + 20 || length <= headers || (p.get(tcp + 13) & 0xFF) != ACK
                || (p.get(tcp + 12) & 0x0F) != 0) {
            return -1;
        }
        return headers;
    }

    private static int ipHeaderLength(ByteBuffer p, int at, int length) {
        if (length < 40) {
            return -1;
        }
        int first = p.get(at) & 0xFF;
        if (first == 0x45 && (p.get(at + 9) & 0xFF) == 6) {
            return 20;
        }
        if ((first >>> 4) == 6 && (p.get(at + 6) & 0xFF) == 6) {
            return 40;
        }
        return -1;
    }

    /**
     * Whether the segment {@code p} (from {@code at}, {@code length} bytes) continues the queued
     * packet {@code q} ({@code qLength} bytes from index 0, {@code headers} of headers, pieces of
     * {@code gsoSize}, or 0 while it is a single segment).
     */
    static boolean canAppend(ByteBuffer q, int qLength, int headers, int gsoSize, ByteBuffer p, int at, int length) {
        int payload = length - headers;
        int queued = qLength - headers;
        int size = gsoSize == 0 ? queued : gsoSize;
        if (payload <= 0 || payload > size || queued % size != 0 || qLength + payload > MAX_LENGTH) {
            return false;
        }
        boolean v4 = isV4(q);
        int ipLength = v4 ? 20 : 40;
        if (ipHeaderLength(p, at, length) != ipLength) {
            return false;
        }
        int tcp = ipLength;
        int flags = p.get(at + tcp + 13) & 0xFF;
        if ((flags & ~PSH) != ACK || (p.get(at + tcp + 12) & 0xFF) != (q.get(tcp + 12) & 0xFF)
                || p.getInt(at + tcp + 4) != q.getInt(tcp + 4) + queued) {
            return false;
        }
        // Everything but lengths, IPv4 id and header checksum, sequence number, flags and TCP checksum.
        return v4 ? same(q, p, at, 0, 2) && same(q, p, at, 6, 10) && same(q, p, at, 12, 24)
                        && same(q, p, at, 28, 33) && same(q, p, at, 34, 36) && same(q, p, at, 38, headers)
                : same(q, p, at, 0, 4) && same(q, p, at, 6, 44) && same(q, p, at, 48, 53) && same(q, p, at, 54, 56)
                        && same(q, p, at, 58, headers);
    }

    /** Whether bytes {@code from..to} of {@code q} (from 0) and {@code p} (from {@code at}) are equal. */
    private static boolean same(ByteBuffer q, ByteBuffer p, int at, int from, int to) {
        int i = from;
        for (; to - i >= 8; i += 8) {
            if (q.getLong(i) != p.getLong(at + i)) {
                return false;
            }
        }
        for (; i < to; i++) {
            if (q.get(i) != p.get(at + i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Appends {@code p}'s payload to {@code q}, carrying a PSH over; returns the new length of
     * {@code q}. The caller checked {@link #canAppend}.
     */
    static int append(ByteBuffer q, int qLength, int headers, ByteBuffer p, int at, int length) {
        int payload = length - headers;
        q.put(qLength, p, at + headers, payload);
        int tcpFlags = (isV4(q) ? 20 : 40) + 13;
        q.put(tcpFlags, (byte) (q.get(tcpFlags) | (p.get(at + tcpFlags) & PSH)));
        return qLength + payload;
    }

    /** Whether the queued packet {@code q} carries PSH, after which nothing is appended. */
    static boolean endsRun(ByteBuffer q) {
        return (q.get((isV4(q) ? 20 : 40) + 13) & PSH) != 0;
    }

    private static boolean isV4(ByteBuffer q) {
        return (q.get(0) & 0xF0) == 0x40;
    }

    /**
     * Rewrites the joined packet's lengths, IPv4 header checksum and partial TCP checksum (the
     * pseudo-header sum for the whole TCP length, folded, not complemented).
     */
    static void seal(ByteBuffer q, int length) {
        boolean v4 = isV4(q);
        int ipLength = v4 ? 20 : 40;
        int tcpLength = length - ipLength;
        long pseudo;
        if (v4) {
            q.putShort(2, (short) length);
            q.putShort(10, (short) 0);
            q.putShort(10, (short) Checksum.finish(Checksum.sum(q, 0, 20)));
            pseudo = Checksum.pseudoHeaderV4(q.getInt(12), q.getInt(16), 6, tcpLength);
        } else {
            q.putShort(4, (short) tcpLength);
            pseudo = Checksum.pseudoHeaderV6(q.getLong(8), q.getLong(16), q.getLong(24), q.getLong(32), 6, tcpLength);
        }
        q.putShort(ipLength + 16, (short) Checksum.fold(pseudo));
    }
}
