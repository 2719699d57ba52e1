package dev.jtcp.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) and the TCP/UDP/ICMPv6 pseudo-headers (RFC 9293 §3.1, MUST-2,
 * MUST-3; RFC 8200 §8.1).
 *
 * <p>The sum is accumulated eight bytes at a time into a 64-bit accumulator and folded at the end:
 * one's-complement addition is associative and commutative, so adding the two 32-bit halves of each
 * big-endian long gives the same 16-bit result as adding 16-bit words one by one (RFC 1071 §2(B)).
 * A {@code long} accumulator cannot overflow before 2<sup>32</sup> additions of 33-bit values.
 *
 * <p>Partial sums ({@link #sum}) are unfolded {@code long}s that callers add together; {@link
 * #finish} folds and complements. Odd-length data is padded with a zero byte (RFC 9293 MUST-69's
 * sibling rule for checksums, §3.1).
 *
 * <p>Thread-safe: static methods; buffers are read with absolute indexes, positions untouched.
 */
public final class Checksum {
    private Checksum() {}

    /**
     * The unfolded one's-complement sum of {@code length} bytes of {@code buf} from {@code offset},
     * as if the bytes were big-endian 16-bit words (a trailing odd byte is the high byte of a word).
     */
    public static long sum(ByteBuffer buf, int offset, int length) {
        long acc = 0;
        int i = offset;
        int end = offset + length;
        if (buf.order() == ByteOrder.BIG_ENDIAN) {
            // Four longs per round into two accumulators: independent additions the CPU overlaps.
            long acc2 = 0;
            for (; end - i >= 32; i += 32) {
                long a = buf.getLong(i);
                long b = buf.getLong(i + 8);
                long c = buf.getLong(i + 16);
                long d = buf.getLong(i + 24);
                acc += (a >>> 32) + (a & 0xFFFF_FFFFL) + (b >>> 32) + (b & 0xFFFF_FFFFL);
                acc2 += (c >>> 32) + (c & 0xFFFF_FFFFL) + (d >>> 32) + (d & 0xFFFF_FFFFL);
            }
            acc += acc2;
            for (; end - i >= 8; i += 8) {
                long v = buf.getLong(i);
                acc += (v >>> 32) + (v & 0xFFFF_FFFFL);
            }
        } else {
            for (; end - i >= 8; i += 8) {
                long v = Long.reverseBytes(buf.getLong(i));
                acc += (v >>> 32) + (v & 0xFFFF_FFFFL);
            }
        }
        for (; end - i >= 2; i += 2) {
            acc += ((buf.get(i) & 0xFF) << 8) | (buf.get(i + 1) & 0xFF);
        }
        if (i < end) {
            acc += (buf.get(i) & 0xFF) << 8;
        }
        return acc;
    }

    /** The unfolded sum of a byte array region; see {@link #sum(ByteBuffer, int, int)}. */
    public static long sum(byte[] data, int offset, int length) {
        return sum(ByteBuffer.wrap(data), offset, length);
    }

    /** The unfolded sum of the IPv4 pseudo-header: source, destination, zero, protocol, length. */
    public static long pseudoHeaderV4(int src, int dst, int protocol, int upperLength) {
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + upperLength;
    }

    /**
     * The unfolded sum of the IPv6 pseudo-header (RFC 8200 §8.1): source, destination, 32-bit
     * upper-layer length, three zero bytes, next header.
     */
    public static long pseudoHeaderV6(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int upperLength) {
        return halves(srcHi) + halves(srcLo) + halves(dstHi) + halves(dstLo)
                + (upperLength >>> 16) + (upperLength & 0xFFFF) + nextHeader;
    }

    /** The pseudo-header sum for either family; IPv4 addresses are v4-mapped {@link IpAddress}es. */
    public static long pseudoHeader(IpAddress src, IpAddress dst, int protocol, int upperLength) {
        if (src.isV4()) {
            return pseudoHeaderV4(src.v4(), dst.v4(), protocol, upperLength);
        }
        return pseudoHeaderV6(src.hi(), src.lo(), dst.hi(), dst.lo(), protocol, upperLength);
    }

    /** Folds an unfolded sum to 16 bits with end-around carry. */
    public static int fold(long sum) {
        long s = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int) s;
    }

    /** Folds and complements: the value to store in a checksum field. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * Whether data whose sum (including its stored checksum field) is {@code sum} verifies: the
     * folded sum of correct data is 0xFFFF.
     */
    public static boolean verifies(long sum) {
        return fold(sum) == 0xFFFF;
    }

    private static long halves(long v) {
        return (v >>> 48) + ((v >>> 32) & 0xFFFF) + ((v >>> 16) & 0xFFFF) + (v & 0xFFFF);
    }
}
