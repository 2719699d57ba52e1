package dev.jtcp.wire;

import java.nio.ByteBuffer;

/**
 * A zero-copy view of an ICMPv4 (RFC 792) or ICMPv6 (RFC 4443) message; both share this layout.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Rest of header: echo identifier + sequence, or unused/MTU   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Body: echo data, or as much of the offending packet as fits |
 * </pre>
 *
 * <p>ICMPv4's checksum covers the message alone; ICMPv6's adds the IPv6 pseudo-header (RFC 4443
 * §2.3), so {@link #check} takes the pseudo-header sum (0 for ICMPv4).
 *
 * <p>Not thread-safe: a reusable flyweight.
 */
public final class IcmpPacket extends PacketView {
    /** Type, code, checksum and the 4-byte rest of header. */
    public static final int HEADER_LENGTH = 8;

    public static final int V4_ECHO_REPLY = 0;
    public static final int V4_DEST_UNREACHABLE = 3;
    public static final int V4_ECHO_REQUEST = 8;
    public static final int V4_TIME_EXCEEDED = 11;
    public static final int V4_PARAMETER_PROBLEM = 12;
    /** Destination-unreachable codes (RFC 792, RFC 1122 §3.2.2.1). */
    public static final int V4_CODE_NET_UNREACHABLE = 0;
    public static final int V4_CODE_HOST_UNREACHABLE = 1;
    public static final int V4_CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int V4_CODE_PORT_UNREACHABLE = 3;
    public static final int V4_CODE_FRAGMENTATION_NEEDED = 4;

    public static final int V6_DEST_UNREACHABLE = 1;
    public static final int V6_PACKET_TOO_BIG = 2;
    public static final int V6_TIME_EXCEEDED = 3;
    public static final int V6_PARAMETER_PROBLEM = 4;
    public static final int V6_ECHO_REQUEST = 128;
    public static final int V6_ECHO_REPLY = 129;
    /** Parameter-problem code 1: unrecognized Next Header (RFC 4443 §3.4). */
    public static final int V6_CODE_UNRECOGNIZED_NEXT_HEADER = 1;
    public static final int V6_CODE_ADDRESS_UNREACHABLE = 3;
    public static final int V6_CODE_PORT_UNREACHABLE = 4;


    /**
     * Points this view at an ICMP message.
     *
     * @throws IllegalArgumentException if the buffer is little-endian
     */
    public IcmpPacket wrap(ByteBuffer buf, int offset, int length) {
        bind(buf, offset, length);
        return this;
    }

    /** Length and checksum check; {@code pseudoHeaderSum} is 0 for ICMPv4. {@code null} when valid. */
    public DropReason check(long pseudoHeaderSum) {
        if (length < HEADER_LENGTH) {
            return DropReason.ICMP_TRUNCATED;
        }
        if (!Checksum.verifies(pseudoHeaderSum + Checksum.sum(buf, offset, length))) {
            return DropReason.ICMP_BAD_CHECKSUM;
        }
        return null;
    }

    public int type() {
        return buf.get(offset) & 0xFF;
    }

    public int code() {
        return buf.get(offset + 1) & 0xFF;
    }

    public int checksum() {
        return buf.getShort(offset + 2) & 0xFFFF;
    }

    /** Echo identifier. */
    public int echoId() {
        return buf.getShort(offset + 4) & 0xFFFF;
    }

    /** Echo sequence number. */
    public int echoSeq() {
        return buf.getShort(offset + 6) & 0xFFFF;
    }

    /** ICMPv4 fragmentation-needed next-hop MTU (RFC 1191), low 16 bits of the rest of header. */
    public int v4NextHopMtu() {
        return buf.getShort(offset + 6) & 0xFFFF;
    }

    /** ICMPv6 packet-too-big MTU, the whole rest of header. */
    public int v6Mtu() {
        return buf.getInt(offset + 4);
    }

    /** Offset of the body: echo data, or the quoted offending packet of an error. */
    public int bodyOffset() {
        return offset + HEADER_LENGTH;
    }

    public int bodyLength() {
        return length - HEADER_LENGTH;
    }

    /** Whether this is an error message (not echo or informational) for its family. */
    public boolean isError(int ipVersion) {
        int t = type();
        return ipVersion == 4
                ? t == V4_DEST_UNREACHABLE || t == V4_TIME_EXCEEDED || t == V4_PARAMETER_PROBLEM
                : t < 128;
    }
}
