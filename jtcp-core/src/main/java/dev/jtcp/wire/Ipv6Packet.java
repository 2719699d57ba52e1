package dev.jtcp.wire;

import java.nio.ByteBuffer;

/**
 * A zero-copy view of an IPv6 header (RFC 8200 §3) and its chain of extension headers.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Source Address (128 bits)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Destination Address (128 bits)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>{@link #check} walks Hop-by-Hop, Routing, Destination Options, Fragment and AH headers to the
 * upper layer (RFC 8200 §4), which {@link #upperProtocol()}, {@link #upperOffset()} and {@link
 * #upperLength()} then describe. A Fragment header that is not an atomic fragment (RFC 6946:
 * offset 0 and M clear) makes the packet a fragment, which jtcp does not reassemble.
 *
 * <p>Not thread-safe: a reusable flyweight.
 */
public final class Ipv6Packet extends PacketView {
    /** Length of the fixed header. */
    public static final int HEADER_LENGTH = 40;

    static final int PAYLOAD_LENGTH = 4;
    static final int NEXT_HEADER = 6;
    static final int HOP_LIMIT = 7;
    static final int SRC = 8;
    static final int DST = 24;

    /** A bound on the extension-header walk; real packets carry a handful. */
    private static final int MAX_EXTENSION_HEADERS = 32;

    private int upperProtocol;
    private int upperOffset;

    /**
     * Points this view at {@code length} bytes of {@code buf} from {@code offset}.
     *
     * @throws IllegalArgumentException if the buffer is little-endian
     */
    public Ipv6Packet wrap(ByteBuffer buf, int offset, int length) {
        bind(buf, offset, length);
        this.upperProtocol = -1;
        this.upperOffset = -1;
        return this;
    }

    /** Validates the fixed header and walks the extension headers; {@code null} when usable. */
    public DropReason check() {
        if (length < HEADER_LENGTH) {
            return DropReason.IP_TRUNCATED;
        }
        if (version() != 6) {
            return DropReason.IP_BAD_VERSION;
        }
        if (payloadLength() > length - HEADER_LENGTH) {
            return DropReason.IPV6_BAD_PAYLOAD_LENGTH;
        }
        int end = offset + HEADER_LENGTH + payloadLength();
        int next = nextHeader();
        int at = offset + HEADER_LENGTH;
        for (int n = 0; n < MAX_EXTENSION_HEADERS; n++) {
            int extLength;
            switch (next) {
                case IpProtocol.HOP_BY_HOP, IpProtocol.IPV6_ROUTING, IpProtocol.IPV6_DEST_OPTS -> {
                    if (end - at < 8) {
                        return DropReason.IPV6_BAD_EXTENSION_HEADER;
                    }
                    extLength = ((buf.get(at + 1) & 0xFF) + 1) * 8;
                }
                case IpProtocol.IPV6_FRAGMENT -> {
                    if (end - at < 8) {
                        return DropReason.IPV6_BAD_EXTENSION_HEADER;
                    }
                    int offsetAndFlags = buf.getShort(at + 2) & 0xFFFF;
                    if ((offsetAndFlags & 0xFFF9) != 0) {
                        return DropReason.IP_FRAGMENT;
                    }
                    extLength = 8;
                }
                case IpProtocol.AH -> {
                    if (end - at < 8) {
                        return DropReason.IPV6_BAD_EXTENSION_HEADER;
                    }
                    extLength = ((buf.get(at + 1) & 0xFF) + 2) * 4;
                }
                case IpProtocol.ESP, IpProtocol.IPV6_NO_NEXT -> {
                    return DropReason.IPV6_NO_UPPER_LAYER;
                }
                default -> {
                    upperProtocol = next;
                    upperOffset = at;
                    return null;
                }
            }
            if (extLength > end - at) {
                return DropReason.IPV6_BAD_EXTENSION_HEADER;
            }
            next = buf.get(at) & 0xFF;
            at += extLength;
        }
        return DropReason.IPV6_BAD_EXTENSION_HEADER;
    }

    public int version() {
        return (buf.get(offset) & 0xFF) >>> 4;
    }

    public int trafficClass() {
        return (buf.getShort(offset) >>> 4) & 0xFF;
    }

    public int flowLabel() {
        return buf.getInt(offset) & 0xF_FFFF;
    }

    public int payloadLength() {
        return buf.getShort(offset + PAYLOAD_LENGTH) & 0xFFFF;
    }

    /** The Next Header field of the fixed header (the first extension header, or the upper layer). */
    public int nextHeader() {
        return buf.get(offset + NEXT_HEADER) & 0xFF;
    }

    public int hopLimit() {
        return buf.get(offset + HOP_LIMIT) & 0xFF;
    }

    public long srcHi() {
        return buf.getLong(offset + SRC);
    }

    public long srcLo() {
        return buf.getLong(offset + SRC + 8);
    }

    public long dstHi() {
        return buf.getLong(offset + DST);
    }

    public long dstLo() {
        return buf.getLong(offset + DST + 8);
    }

    /** The upper-layer protocol found by {@link #check()}. */
    public int upperProtocol() {
        return upperProtocol;
    }

    /** Offset of the upper-layer header in the buffer, found by {@link #check()}. */
    public int upperOffset() {
        return upperOffset;
    }

    /** Length of the upper-layer data (payload minus extension headers). */
    public int upperLength() {
        return offset + HEADER_LENGTH + payloadLength() - upperOffset;
    }

    /**
     * Writes a 40-byte header with no extension headers.
     *
     * @return this view, wrapped over the new header and its payload
     */
    public Ipv6Packet writeHeader(ByteBuffer b, int at, int trafficClass, int flowLabel, int payloadLength,
                                  int nextHeader, int hopLimit, IpAddress src, IpAddress dst) {
        wrap(b, at, HEADER_LENGTH + payloadLength);
        b.putInt(at, 6 << 28 | (trafficClass & 0xFF) << 20 | (flowLabel & 0xF_FFFF));
        b.putShort(at + PAYLOAD_LENGTH, (short) payloadLength);
        b.put(at + NEXT_HEADER, (byte) nextHeader);
        b.put(at + HOP_LIMIT, (byte) hopLimit);
        b.putLong(at + SRC, src.hi());
        b.putLong(at + SRC + 8, src.lo());
        b.putLong(at + DST, dst.hi());
        b.putLong(at + DST + 8, dst.lo());
        upperProtocol = nextHeader;
        upperOffset = at + HEADER_LENGTH;
        return this;
    }
}
