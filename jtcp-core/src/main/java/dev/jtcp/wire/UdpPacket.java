package dev.jtcp.wire;

import java.nio.ByteBuffer;

/**
 * Zero-copy view of a UDP datagram (RFC 768).
 *
 * <pre>
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |     Source      |   Destination   |
 * |      Port       |      Port       |
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 * |          data octets ...
 * </pre>
 *
 * <p>{@link #check} verifies the length field against the IP payload and the checksum over the IP
 * pseudo-header: over IPv4 a zero checksum means the sender computed none (RFC 768); over IPv6 it
 * is invalid and the datagram is dropped (RFC 8200 §8.1). Once {@code check} passes no accessor
 * can fail.
 *
 * <p>Not thread-safe: a reusable flyweight.
 */
public final class UdpPacket extends PacketView {
    public static final int HEADER_LENGTH = 8;

    /**
     * Points this view at the IP payload {@code length} bytes of {@code buf} from {@code offset}.
     *
     * @throws IllegalArgumentException if the buffer is little-endian
     */
    public UdpPacket wrap(ByteBuffer buf, int offset, int length) {
        bind(buf, offset, length);
        return this;
    }

    /**
     * Length and checksum check; {@code pseudoHeaderSum} is the IP packet's ({@link
     * IpPacket#pseudoHeaderSum()}), {@code ipVersion} 4 or 6. {@code null} when valid.
     */
    public DropReason check(long pseudoHeaderSum, int ipVersion) {
        if (length < HEADER_LENGTH) {
            return DropReason.UDP_TRUNCATED;
        }
        int udpLength = udpLength();
        // RFC 768: the length covers header and data; octets beyond it (IP padding) are ignored.
        if (udpLength < HEADER_LENGTH || udpLength > length) {
            return DropReason.UDP_TRUNCATED;
        }
        if (checksum() == 0) {
            return ipVersion == 4 ? null : DropReason.UDP_BAD_CHECKSUM;
        }
        // The pseudo-header the IP packet gives uses the IP payload length; UDP's uses its own.
        long sum = pseudoHeaderSum + Checksum.sum(buf, offset, udpLength);
        if (udpLength != length) {
            sum += (udpLength & 0xFFFF) + (~length & 0xFFFF);
        }
        return Checksum.verifies(sum) ? null : DropReason.UDP_BAD_CHECKSUM;
    }

    public int srcPort() {
        return buf.getShort(offset) & 0xFFFF;
    }

    public int dstPort() {
        return buf.getShort(offset + 2) & 0xFFFF;
    }

    /** The Length field: header plus data. */
    public int udpLength() {
        return buf.getShort(offset + 4) & 0xFFFF;
    }

    public int checksum() {
        return buf.getShort(offset + 6) & 0xFFFF;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** Data octets, per the Length field (valid after {@link #check}). */
    public int payloadLength() {
        return udpLength() - HEADER_LENGTH;
    }
}
