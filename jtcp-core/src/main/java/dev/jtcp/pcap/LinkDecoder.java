package dev.jtcp.pcap;

import java.nio.ByteBuffer;

/**
 * Finds the IP header inside a captured frame, for each link type in {@link LinkType} (whose
 * javadoc draws the headers). Reads are absolute and big-endian except for the NULL link type's
 * address family, which is in the capturing host's byte order.
 *
 * <p>Thread-safety: stateless, safe for use from any thread.
 */
final class LinkDecoder {
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    /** IEEE 802.1Q customer VLAN tag. */
    static final int ETHERTYPE_VLAN = 0x8100;
    /** IEEE 802.1ad service VLAN tag (the outer tag of Q-in-Q). */
    static final int ETHERTYPE_QINQ = 0x88A8;
    /** Pre-standard Q-in-Q outer tag still emitted by some switches. */
    static final int ETHERTYPE_QINQ_LEGACY = 0x9100;
    static final int ETHERNET_HEADER_BYTES = 14;
    static final int VLAN_TAG_BYTES = 4;
    static final int SLL_HEADER_BYTES = 16;
    static final int SLL_PROTOCOL_OFFSET = 14;
    static final int SLL2_HEADER_BYTES = 20;
    static final int NULL_HEADER_BYTES = 4;
    static final int AF_INET = 2;
    static final int AF_INET6_BSD = 24;
    static final int AF_INET6_FREEBSD = 28;
    static final int AF_INET6_DARWIN = 30;
    static final int IPV4_MIN_HEADER_BYTES = 20;
    static final int IPV6_HEADER_BYTES = 40;

    private LinkDecoder() {
    }

    /** Positions {@code packet}'s IP view, or marks it skipped, according to its link type. */
    static void decode(CapturedPacket packet) {
        ByteBuffer bytes = packet.backing();
        int start = packet.frameStart();
        int end = packet.frameEnd();
        switch (packet.linkType()) {
            case LinkType.RAW -> ip(packet, bytes, start, end, 0);
            case LinkType.IPV4 -> ip(packet, bytes, start, end, 4);
            case LinkType.IPV6 -> ip(packet, bytes, start, end, 6);
            case LinkType.ETHERNET -> ethernet(packet, bytes, start, end);
            case LinkType.LINUX_SLL -> cooked(packet, bytes, start, end, SLL_HEADER_BYTES,
                    start + SLL_PROTOCOL_OFFSET);
            case LinkType.LINUX_SLL2 -> cooked(packet, bytes, start, end, SLL2_HEADER_BYTES, start);
            case LinkType.NULL -> loopback(packet, bytes, start, end);
            default -> packet.skip(SkipReason.UNSUPPORTED_LINK_TYPE);
        }
    }

    private static void ethernet(CapturedPacket packet, ByteBuffer bytes, int start, int end) {
        int typeOffset = start + ETHERNET_HEADER_BYTES - Short.BYTES;
        while (true) {
            if (end - typeOffset < Short.BYTES) {
                packet.skip(SkipReason.SHORT_FRAME);
                return;
            }
            int type = u16(bytes, typeOffset);
            if (type != ETHERTYPE_VLAN && type != ETHERTYPE_QINQ && type != ETHERTYPE_QINQ_LEGACY) {
                ethertype(packet, bytes, typeOffset + Short.BYTES, end, type);
                return;
            }
            typeOffset += VLAN_TAG_BYTES;
        }
    }

    private static void cooked(CapturedPacket packet, ByteBuffer bytes, int start, int end,
            int headerBytes, int protocolOffset) {
        if (end - start < headerBytes) {
            packet.skip(SkipReason.SHORT_FRAME);
            return;
        }
        ethertype(packet, bytes, start + headerBytes, end, u16(bytes, protocolOffset));
    }

    private static void loopback(CapturedPacket packet, ByteBuffer bytes, int start, int end) {
        if (end - start < NULL_HEADER_BYTES) {
            packet.skip(SkipReason.SHORT_FRAME);
            return;
        }
        int family = Integer.reverseBytes(u32(bytes, start));
        if ((family & 0xFFFF_0000) != 0) {
            // Written by a big-endian host: small family numbers sit in the high bytes.
            family = Integer.reverseBytes(family);
        }
        int version = switch (family) {
            case AF_INET -> 4;
            case AF_INET6_BSD, AF_INET6_FREEBSD, AF_INET6_DARWIN -> 6;
            default -> -1;
        };
        if (version < 0) {
            packet.skip(SkipReason.NOT_IP);
            return;
        }
        ip(packet, bytes, start + NULL_HEADER_BYTES, end, version);
    }

    private static void ethertype(CapturedPacket packet, ByteBuffer bytes, int ipStart, int end,
            int type) {
        switch (type) {
            case ETHERTYPE_IPV4 -> ip(packet, bytes, ipStart, end, 4);
            case ETHERTYPE_IPV6 -> ip(packet, bytes, ipStart, end, 6);
            default -> packet.skip(SkipReason.NOT_IP);
        }
    }

    /** Offers {@code [ipStart, end)} as IP if its version nibble is 4 or 6 (or the one expected). */
    private static void ip(CapturedPacket packet, ByteBuffer bytes, int ipStart, int end,
            int expectedVersion) {
        if (ipStart >= end) {
            packet.skip(SkipReason.SHORT_FRAME);
            return;
        }
        int version = (bytes.get(ipStart) & 0xFF) >>> 4;
        boolean known = version == 4 || version == 6;
        if (!known || (expectedVersion != 0 && version != expectedVersion)) {
            packet.skip(SkipReason.NOT_IP);
            return;
        }
        packet.ip(ipStart, ipEnd(bytes, ipStart, end, version), version);
    }

    /** Where the IP packet ends: its own length field if that ends inside the frame, else the frame end. */
    private static int ipEnd(ByteBuffer bytes, int ipStart, int end, int version) {
        int available = end - ipStart;
        int claimed;
        if (version == 4) {
            claimed = available >= 4 ? u16(bytes, ipStart + 2) : 0;
            return claimed >= IPV4_MIN_HEADER_BYTES && claimed < available ? ipStart + claimed : end;
        }
        // An IPv6 payload length of 0 announces a jumbogram (RFC 2675): keep every byte.
        claimed = available >= 6 ? u16(bytes, ipStart + 4) : 0;
        return claimed > 0 && IPV6_HEADER_BYTES + claimed < available
                ? ipStart + IPV6_HEADER_BYTES + claimed : end;
    }

    private static int u16(ByteBuffer bytes, int index) {
        return (bytes.get(index) & 0xFF) << 8 | (bytes.get(index + 1) & 0xFF);
    }

    private static int u32(ByteBuffer bytes, int index) {
        return u16(bytes, index) << 16 | u16(bytes, index + 2);
    }
}
