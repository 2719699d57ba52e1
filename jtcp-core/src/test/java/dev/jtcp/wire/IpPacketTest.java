package dev.jtcp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IpPacketTest {
    private static final IpAddress A4 = IpAddress.parse("198.18.0.1");
    private static final IpAddress B4 = IpAddress.parse("198.18.0.2");
    private static final IpAddress A6 = IpAddress.parse("fd00::1");
    private static final IpAddress B6 = IpAddress.parse("fd00::2");

    private final IpPacket ip = new IpPacket();

    private static ByteBuffer tcpPacket(IpAddress src, IpAddress dst) {
        TcpSegment s = new TcpSegment();
        s.srcPort = 1000;
        s.dstPort = 80;
        s.flags = TcpFlags.SYN;
        ByteBuffer b = ByteBuffer.allocate(PacketWriter.tcpPacketLength(src, s));
        new PacketWriter().writeTcp(b, 0, src, dst, 64, 0, s);
        return b;
    }

    @Test
    void readsAnIpv4Header() {
        ByteBuffer b = tcpPacket(A4, B4);
        assertThat(ip.wrap(b, 0, b.capacity()).check()).isNull();
        assertThat(ip.version()).isEqualTo(4);
        assertThat(ip.src()).isEqualTo(A4);
        assertThat(ip.dst()).isEqualTo(B4);
        assertThat(ip.payloadOffset()).isEqualTo(20);
        assertThat(ip.payloadLength()).isEqualTo(20);
    }

    @Test
    void ignoresLinkPaddingAfterTotalLength() {
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(0, tcpPacket(A4, B4), 0, 40);
        assertThat(ip.wrap(b, 0, 60).check()).isNull();
        assertThat(ip.packetLength()).isEqualTo(40);
        assertThat(ip.payloadLength()).isEqualTo(20);
    }

    @Test
    void skipsIpv4Options() {
        ByteBuffer plain = tcpPacket(A4, B4);
        ByteBuffer b = ByteBuffer.allocate(44);
        b.put(0, plain, 0, 20).put(24, plain, 20, 20);
        b.put(0, (byte) 0x46).putShort(2, (short) 44);
        b.putInt(20, 0x01010100); // NOP NOP NOP EOL
        new Ipv4Packet().wrap(b, 0, 44).fillChecksum();
        assertThat(ip.wrap(b, 0, 44).check()).isNull();
        assertThat(ip.payloadOffset()).isEqualTo(24);
        assertThat(new TcpPacket().wrap(b, 24, 20).verifyChecksum(ip.pseudoHeaderSum())).isTrue();
    }

    @Test
    void reportsEachIpv4Fault() {
        ByteBuffer b = tcpPacket(A4, B4);
        b.put(10, (byte) (b.get(10) ^ 1));
        assertThat(ip.wrap(b, 0, 40).check()).isEqualTo(DropReason.IPV4_BAD_CHECKSUM);

        b = tcpPacket(A4, B4);
        b.put(0, (byte) 0x44);
        assertThat(ip.wrap(b, 0, 40).check()).isEqualTo(DropReason.IPV4_BAD_HEADER_LENGTH);

        b = tcpPacket(A4, B4);
        b.putShort(2, (short) 41);
        assertThat(ip.wrap(b, 0, 40).check()).isEqualTo(DropReason.IPV4_BAD_TOTAL_LENGTH);

        b = tcpPacket(A4, B4);
        b.put(0, (byte) 0x55);
        assertThat(ip.wrap(b, 0, 40).check()).isEqualTo(DropReason.IP_BAD_VERSION);
    }

    @Test
    void recognisesIpv4FragmentsAndDropsThem() {
        for (int flagsFragment : new int[] {0x2000, 0x0001, 0x4010}) {
            ByteBuffer b = tcpPacket(A4, B4);
            b.putShort(6, (short) flagsFragment);
            new Ipv4Packet().wrap(b, 0, 40).fillChecksum();
            assertThat(ip.wrap(b, 0, 40).check()).as("flags/offset %04x", flagsFragment).isEqualTo(DropReason.IP_FRAGMENT);
        }
    }

    /** Builds an IPv6 packet whose TCP segment sits behind the given extension headers. */
    private static ByteBuffer withExtensions(int firstNext, byte[] extensions) {
        ByteBuffer plain = tcpPacket(A6, B6);
        int tcpLength = plain.capacity() - 40;
        ByteBuffer b = ByteBuffer.allocate(40 + extensions.length + tcpLength);
        b.put(0, plain, 0, 40).put(40, extensions).put(40 + extensions.length, plain, 40, tcpLength);
        b.putShort(4, (short) (extensions.length + tcpLength)).put(6, (byte) firstNext);
        return b;
    }

    @Test
    void walksIpv6ExtensionHeadersToTcp() {
        byte[] ext = new byte[8 + 16 + 8];
        ext[0] = (byte) IpProtocol.IPV6_DEST_OPTS; // hop-by-hop: next = dest opts, length 0 (8 bytes)
        ext[8] = (byte) IpProtocol.IPV6_FRAGMENT; // dest opts: next = fragment, length 1 (16 bytes)
        ext[9] = 1;
        ext[24] = (byte) IpProtocol.TCP; // atomic fragment: offset 0, M clear
        ByteBuffer b = withExtensions(IpProtocol.HOP_BY_HOP, ext);
        assertThat(ip.wrap(b, 0, b.capacity()).check()).isNull();
        assertThat(ip.protocol()).isEqualTo(IpProtocol.TCP);
        assertThat(ip.payloadOffset()).isEqualTo(40 + 32);
        assertThat(ip.payloadLength()).isEqualTo(20);
        assertThat(new TcpPacket().wrap(b, ip.payloadOffset(), ip.payloadLength()).verifyChecksum(ip.pseudoHeaderSum()))
                .isTrue();
    }

    @Test
    void reportsIpv6ExtensionFaults() {
        byte[] frag = new byte[8];
        frag[0] = (byte) IpProtocol.TCP;
        frag[3] = 1; // M set
        ByteBuffer b = withExtensions(IpProtocol.IPV6_FRAGMENT, frag);
        assertThat(ip.wrap(b, 0, b.capacity()).check()).isEqualTo(DropReason.IP_FRAGMENT);

        byte[] longHop = new byte[8];
        longHop[1] = 9; // claims 80 bytes
        b = withExtensions(IpProtocol.HOP_BY_HOP, longHop);
        assertThat(ip.wrap(b, 0, b.capacity()).check()).isEqualTo(DropReason.IPV6_BAD_EXTENSION_HEADER);

        b = withExtensions(IpProtocol.ESP, new byte[0]);
        assertThat(ip.wrap(b, 0, b.capacity()).check()).isEqualTo(DropReason.IPV6_NO_UPPER_LAYER);

        b = tcpPacket(A6, B6);
        b.putShort(4, (short) 100);
        assertThat(ip.wrap(b, 0, b.capacity()).check()).isEqualTo(DropReason.IPV6_BAD_PAYLOAD_LENGTH);
    }

    @Test
    void emptyAndTinyInputsAreTruncated() {
        assertThat(ip.wrap(ByteBuffer.allocate(0), 0, 0).check()).isEqualTo(DropReason.IP_TRUNCATED);
        assertThat(ip.wrap(ByteBuffer.wrap(new byte[] {0x45}), 0, 1).check()).isEqualTo(DropReason.IP_TRUNCATED);
        assertThat(ip.wrap(ByteBuffer.wrap(new byte[] {0x60, 0, 0}), 0, 3).check()).isEqualTo(DropReason.IP_TRUNCATED);
    }
}
