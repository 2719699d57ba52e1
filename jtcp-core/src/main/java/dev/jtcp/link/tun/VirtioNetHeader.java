package dev.jtcp.link.tun;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A flyweight over {@code struct virtio_net_hdr} (linux/virtio_net.h; virtio spec 1.2 §5.1.6), the
 * header a TUN device opened with {@code IFF_VNET_HDR} puts before every packet in both
 * directions. It says how the packet's checksum and segmentation are left to the other side.
 *
 * <pre>
 *  0        1        2                 4                 6                 8                10
 * +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 * | flags  |gso_type|     hdr_len     |    gso_size     |   csum_start    |   csum_offset   |
 * +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 * </pre>
 *
 * <ul>
 *   <li>{@code flags}: {@link #F_NEEDS_CSUM}: the checksum at {@code csum_start + csum_offset}
 *       holds only the pseudo-header sum, and the one's-complement sum of the bytes from {@code
 *       csum_start} to the end must be folded into it; {@link #F_DATA_VALID}: the checksum was
 *       already verified.
 *   <li>{@code gso_type}: {@link #GSO_NONE}, or a super-packet to cut into {@code gso_size}-byte
 *       segments: {@link #GSO_TCPV4}, {@link #GSO_TCPV6}, {@link #GSO_UDP_L4}, possibly with
 *       {@link #GSO_ECN} (the first segment carries CWR).
 *   <li>{@code hdr_len}: the bytes of headers (IP and TCP) each segment repeats.
 * </ul>
 *
 * <p>The fields are little-endian: a TUN device uses the host's order unless told otherwise
 * ({@code TUNSETVNETBE}/{@code TUNSETVNETLE}), and jtcp runs on little-endian hosts (x86-64,
 * arm64). The 12-byte variant with {@code num_buffers} ({@code TUNSETVNETHDRSZ}) is not needed: a
 * TUN reader gets one packet per read.
 *
 * <p>Thread-safety: none; one instance per thread, wrapped over one header at a time.
 */
public final class VirtioNetHeader {
    /** The header's length before each packet. */
    public static final int LENGTH = 10;

    public static final int F_NEEDS_CSUM = 1;
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    public static final int GSO_ECN = 0x80;

    private static final int FLAGS = 0;
    private static final int GSO_TYPE = 1;
    private static final int HDR_LEN = 2;
    private static final int GSO_SIZE = 4;
    private static final int CSUM_START = 6;
    private static final int CSUM_OFFSET = 8;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private MemorySegment segment;
    private long at;

    /** Views the header at {@code offset} of {@code segment} (which must hold {@link #LENGTH} bytes from there). */
    public VirtioNetHeader wrap(MemorySegment segment, long offset) {
        if (offset < 0 || offset + LENGTH > segment.byteSize()) {
            throw new IndexOutOfBoundsException("a virtio_net_hdr needs " + LENGTH + " bytes at " + offset);
        }
        this.segment = segment;
        this.at = offset;
        return this;
    }

    public int flags() {
        return segment.get(ValueLayout.JAVA_BYTE, at + FLAGS) & 0xFF;
    }

    public boolean needsChecksum() {
        return (flags() & F_NEEDS_CSUM) != 0;
    }

    public boolean dataValid() {
        return (flags() & F_DATA_VALID) != 0;
    }

    public int gsoType() {
        return segment.get(ValueLayout.JAVA_BYTE, at + GSO_TYPE) & 0xFF;
    }

    public int hdrLen() {
        return u16(HDR_LEN);
    }

    public int gsoSize() {
        return u16(GSO_SIZE);
    }

    public int csumStart() {
        return u16(CSUM_START);
    }

    public int csumOffset() {
        return u16(CSUM_OFFSET);
    }

    /** Writes all fields at once. */
    public VirtioNetHeader set(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        segment.set(ValueLayout.JAVA_BYTE, at + FLAGS, (byte) flags);
        segment.set(ValueLayout.JAVA_BYTE, at + GSO_TYPE, (byte) gsoType);
        segment.set(U16, at + HDR_LEN, (short) hdrLen);
        segment.set(U16, at + GSO_SIZE, (short) gsoSize);
        segment.set(U16, at + CSUM_START, (short) csumStart);
        segment.set(U16, at + CSUM_OFFSET, (short) csumOffset);
        return this;
    }

    /** A plain packet: complete checksums, no segmentation (all zero). */
    public VirtioNetHeader setNone() {
        return set(0, GSO_NONE, 0, 0, 0, 0);
    }

    private int u16(int field) {
        return segment.get(U16, at + field) & 0xFFFF;
    }

    @Override
    public String toString() {
        return "virtio_net_hdr{flags=" + flags() + " gso_type=" + gsoType() + " hdr_len=" + hdrLen() + " gso_size="
                + gsoSize() + " csum_start=" + csumStart() + " csum_offset=" + csumOffset() + "}";
    }
}
