package dev.jtcp.wire;

import java.nio.ByteBuffer;

/**
 * A zero-copy view of an IPv4 header (RFC 791 §3.1) over a big-endian {@link ByteBuffer}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (skipped)          |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Use: {@link #wrap} then {@link #check}; once {@code check()} returns {@code null} every
 * accessor is within bounds. Setters write fields in place for building packets; {@link
 * #fillChecksum()} finishes a header. Options are skipped, never interpreted.
 *
 * <p>Not thread-safe: a flyweight meant to be reused by one thread for packet after packet.
 */
public final class Ipv4Packet extends PacketView {
    /** Length of a header without options. */
    public static final int HEADER_LENGTH = 20;

    static final int VERSION_IHL = 0;
    static final int TOS = 1;
    static final int TOTAL_LENGTH = 2;
    static final int IDENTIFICATION = 4;
    static final int FLAGS_FRAGMENT = 6;
    static final int TTL = 8;
    static final int PROTOCOL = 9;
    static final int CHECKSUM = 10;
    static final int SRC = 12;
    static final int DST = 16;

    private static final int FLAG_DF = 0x4000;
    private static final int FLAG_MF = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;


    /**
     * Points this view at {@code length} bytes of {@code buf} from {@code offset}.
     *
     * @throws IllegalArgumentException if the buffer is little-endian (an API error, not bad input)
     */
    public Ipv4Packet wrap(ByteBuffer buf, int offset, int length) {
        bind(buf, offset, length);
        return this;
    }

    /**
     * Validates the header against the bytes available; {@code null} when it is well formed and not
     * a fragment. Checks in order: length, version, IHL, total length, header checksum, fragment.
     */
    public DropReason check() {
        if (length < HEADER_LENGTH) {
            return DropReason.IP_TRUNCATED;
        }
        if (version() != 4) {
            return DropReason.IP_BAD_VERSION;
        }
        int hl = headerLength();
        if (hl < HEADER_LENGTH || hl > length) {
            return DropReason.IPV4_BAD_HEADER_LENGTH;
        }
        int total = totalLength();
        if (total < hl || total > length) {
            return DropReason.IPV4_BAD_TOTAL_LENGTH;
        }
        if (!Checksum.verifies(Checksum.sum(buf, offset, hl))) {
            return DropReason.IPV4_BAD_CHECKSUM;
        }
        if (moreFragments() || fragmentOffset() != 0) {
            return DropReason.IP_FRAGMENT;
        }
        return null;
    }

    public int version() {
        return (buf.get(offset + VERSION_IHL) & 0xFF) >>> 4;
    }

    /** Header length in bytes (IHL × 4). */
    public int headerLength() {
        return (buf.get(offset + VERSION_IHL) & 0x0F) * 4;
    }

    /** The whole Type of Service octet (DSCP and ECN). */
    public int tos() {
        return buf.get(offset + TOS) & 0xFF;
    }

    public int totalLength() {
        return buf.getShort(offset + TOTAL_LENGTH) & 0xFFFF;
    }

    public int identification() {
        return buf.getShort(offset + IDENTIFICATION) & 0xFFFF;
    }

    public boolean dontFragment() {
        return (buf.getShort(offset + FLAGS_FRAGMENT) & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (buf.getShort(offset + FLAGS_FRAGMENT) & FLAG_MF) != 0;
    }

    /** Fragment offset in 8-octet units. */
    public int fragmentOffset() {
        return buf.getShort(offset + FLAGS_FRAGMENT) & FRAGMENT_OFFSET_MASK;
    }

    public int ttl() {
        return buf.get(offset + TTL) & 0xFF;
    }

    public int protocol() {
        return buf.get(offset + PROTOCOL) & 0xFF;
    }

    public int headerChecksum() {
        return buf.getShort(offset + CHECKSUM) & 0xFFFF;
    }

    public int src() {
        return buf.getInt(offset + SRC);
    }

    public int dst() {
        return buf.getInt(offset + DST);
    }

    /** Offset of the upper-layer payload in the buffer. */
    public int payloadOffset() {
        return offset + headerLength();
    }

    /** Upper-layer payload length per Total Length (trailing link padding excluded). */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /**
     * Writes a 20-byte header with the given fields, DF set, no options, and its checksum.
     *
     * @return this view, wrapped over the new header and its payload
     */
    public Ipv4Packet writeHeader(ByteBuffer b, int at, int tos, int totalLength, int identification,
                                  int ttl, int protocol, int src, int dst) {
        wrap(b, at, totalLength);
        b.put(at + VERSION_IHL, (byte) 0x45);
        b.put(at + TOS, (byte) tos);
        b.putShort(at + TOTAL_LENGTH, (short) totalLength);
        b.putShort(at + IDENTIFICATION, (short) identification);
        b.putShort(at + FLAGS_FRAGMENT, (short) FLAG_DF);
        b.put(at + TTL, (byte) ttl);
        b.put(at + PROTOCOL, (byte) protocol);
        b.putInt(at + SRC, src);
        b.putInt(at + DST, dst);
        fillChecksum();
        return this;
    }

    /** Recomputes and stores the header checksum. */
    public Ipv4Packet fillChecksum() {
        buf.putShort(offset + CHECKSUM, (short) 0);
        buf.putShort(offset + CHECKSUM, (short) Checksum.finish(Checksum.sum(buf, offset, headerLength())));
        return this;
    }

    public Ipv4Packet ttl(int ttl) {
        buf.put(offset + TTL, (byte) ttl);
        return this;
    }

    public Ipv4Packet totalLength(int totalLength) {
        buf.putShort(offset + TOTAL_LENGTH, (short) totalLength);
        return this;
    }
}
