package dev.jtcp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IcmpPacketTest {
    private final IpPacket ip = new IpPacket();
    private final IcmpPacket icmp = new IcmpPacket();

    private IcmpPacket parse(ByteBuffer b, int n) {
        assertThat(ip.wrap(b, 0, n).check()).isNull();
        long pseudo = ip.version() == 6 ? ip.pseudoHeaderSum() : 0;
        assertThat(icmp.wrap(b, ip.payloadOffset(), ip.payloadLength()).check(pseudo)).isNull();
        return icmp;
    }

    @Test
    void echoRequestRoundTripsOnBothFamilies() {
        ByteBuffer data = ByteBuffer.wrap("ping data".getBytes());
        for (String[] pair : new String[][] {{"198.18.0.1", "198.18.0.2"}, {"fd00::1", "fd00::2"}}) {
            IpAddress src = IpAddress.parse(pair[0]);
            IpAddress dst = IpAddress.parse(pair[1]);
            int type = src.isV4() ? IcmpPacket.V4_ECHO_REQUEST : IcmpPacket.V6_ECHO_REQUEST;
            ByteBuffer b = ByteBuffer.allocate(100);
            int n = new PacketWriter().writeIcmp(b, 0, src, dst, 64, type, 0, 0x1234_0007, data, 0, 9);
            IcmpPacket p = parse(b, n);
            assertThat(ip.protocol()).isEqualTo(src.isV4() ? IpProtocol.ICMP : IpProtocol.ICMPV6);
            assertThat(p.type()).isEqualTo(type);
            assertThat(p.echoId()).isEqualTo(0x1234);
            assertThat(p.echoSeq()).isEqualTo(7);
            assertThat(p.bodyLength()).isEqualTo(9);
            assertThat(p.isError(ip.version())).isFalse();
        }
    }

    @Test
    void icmpv6ChecksumCoversThePseudoHeader() {
        IpAddress src = IpAddress.parse("fd00::1");
        ByteBuffer b = ByteBuffer.allocate(100);
        int n = new PacketWriter().writeIcmp(b, 0, src, IpAddress.parse("fd00::2"), 64,
                IcmpPacket.V6_PACKET_TOO_BIG, 0, 1280, ByteBuffer.allocate(0), 0, 0);
        assertThat(ip.wrap(b, 0, n).check()).isNull();
        assertThat(icmp.wrap(b, ip.payloadOffset(), ip.payloadLength()).check(0)).isEqualTo(DropReason.ICMP_BAD_CHECKSUM);
        assertThat(icmp.check(ip.pseudoHeaderSum())).isNull();
        assertThat(icmp.v6Mtu()).isEqualTo(1280);
        assertThat(icmp.isError(6)).isTrue();
    }

    @Test
    void shortOrCorruptMessagesAreReported() {
        ByteBuffer b = ByteBuffer.allocate(100);
        int n = new PacketWriter().writeIcmp(b, 0, IpAddress.parse("198.18.0.1"), IpAddress.parse("198.18.0.2"), 64,
                IcmpPacket.V4_DEST_UNREACHABLE, IcmpPacket.V4_CODE_FRAGMENTATION_NEEDED, 1400, ByteBuffer.allocate(28), 0, 28);
        assertThat(ip.wrap(b, 0, n).check()).isNull();
        assertThat(icmp.wrap(b, 20, 7).check(0)).isEqualTo(DropReason.ICMP_TRUNCATED);
        assertThat(icmp.wrap(b, 20, n - 20).check(0)).isNull();
        assertThat(icmp.v4NextHopMtu()).isEqualTo(1400);
        b.put(30, (byte) 1);
        assertThat(icmp.check(0)).isEqualTo(DropReason.ICMP_BAD_CHECKSUM);
    }
}
