package dev.jtcp.wire;

import java.nio.ByteBuffer;

/**
 * A view of an IPv4 or IPv6 packet that hides the family: addresses as 128-bit values (IPv4
 * v4-mapped, as in {@link IpAddress}), the upper-layer protocol, and where its bytes are. This is
 * the first thing every receive path runs on raw bytes from a link or a capture file.
 *
 * <p>Use: {@link #wrap}, then {@link #check}; when that returns {@code null} the accessors describe
 * the packet. Allocation-free except {@link #src()} and {@link #dst()}, which build records.
 *
 * <p>Not thread-safe: a reusable flyweight.
 */
public final class IpPacket extends PacketView {
    private static final long V4_MAPPED_PREFIX = 0x0000_FFFF_0000_0000L;

    private final Ipv4Packet v4 = new Ipv4Packet();
    private final Ipv6Packet v6 = new Ipv6Packet();
    private int version;
    private int protocol;
    private int payloadOffset;
    private int payloadLength;
    private long srcHi;
    private long srcLo;
    private long dstHi;
    private long dstLo;

    /** Points the view at {@code length} bytes of {@code buf} from {@code offset}. */
    public IpPacket wrap(ByteBuffer buf, int offset, int length) {
        bind(buf, offset, length);
        this.version = 0;
        return this;
    }

    /** Validates the packet for its version; {@code null} when usable. */
    public DropReason check() {
        if (length < 1) {
            return DropReason.IP_TRUNCATED;
        }
        int ver = (buf.get(offset) & 0xFF) >>> 4;
        if (ver == 4) {
            DropReason r = v4.wrap(buf, offset, length).check();
            if (r != null) {
                return r;
            }
            version = 4;
            protocol = v4.protocol();
            payloadOffset = v4.payloadOffset();
            payloadLength = v4.payloadLength();
            srcHi = 0;
            srcLo = V4_MAPPED_PREFIX | (v4.src() & 0xFFFF_FFFFL);
            dstHi = 0;
            dstLo = V4_MAPPED_PREFIX | (v4.dst() & 0xFFFF_FFFFL);
            return null;
        }
        if (ver == 6) {
            DropReason r = v6.wrap(buf, offset, length).check();
            if (r != null) {
                return r;
            }
            version = 6;
            protocol = v6.upperProtocol();
            payloadOffset = v6.upperOffset();
            payloadLength = v6.upperLength();
            srcHi = v6.srcHi();
            srcLo = v6.srcLo();
            dstHi = v6.dstHi();
            dstLo = v6.dstLo();
            return null;
        }
        return length < Ipv4Packet.HEADER_LENGTH ? DropReason.IP_TRUNCATED : DropReason.IP_BAD_VERSION;
    }

    /** 4 or 6 after a successful check. */
    public int version() {
        return version;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    /** Offset of the IP header in the buffer. */
    public int offset() {
        return offset;
    }

    /** Length of the IP packet per its header (without trailing link padding). */
    public int packetLength() {
        return payloadOffset + payloadLength - offset;
    }

    /** The upper-layer protocol (after any IPv6 extension headers). */
    public int protocol() {
        return protocol;
    }

    public int payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** TTL or hop limit. */
    public int ttl() {
        return version == 4 ? v4.ttl() : v6.hopLimit();
    }

    /** The TOS octet or the IPv6 traffic class. */
    public int tos() {
        return version == 4 ? v4.tos() : v6.trafficClass();
    }

    public long srcHi() {
        return srcHi;
    }

    public long srcLo() {
        return srcLo;
    }

    public long dstHi() {
        return dstHi;
    }

    public long dstLo() {
        return dstLo;
    }

    /** The IPv4 header view, valid when {@link #version()} is 4. */
    public Ipv4Packet v4() {
        return v4;
    }

    /** The IPv6 header view, valid when {@link #version()} is 6. */
    public Ipv6Packet v6() {
        return v6;
    }

    public IpAddress src() {
        return new IpAddress(srcHi, srcLo);
    }

    public IpAddress dst() {
        return new IpAddress(dstHi, dstLo);
    }

    /** The unfolded pseudo-header sum for the upper-layer protocol and length of this packet. */
    public long pseudoHeaderSum() {
        if (version == 4) {
            return Checksum.pseudoHeaderV4((int) srcLo, (int) dstLo, protocol, payloadLength);
        }
        return Checksum.pseudoHeaderV6(srcHi, srcLo, dstHi, dstLo, protocol, payloadLength);
    }
}
