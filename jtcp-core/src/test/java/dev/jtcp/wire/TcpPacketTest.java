package dev.jtcp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.Requirement;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpPacketTest {
    private final IpPacket ip = new IpPacket();
    private final TcpPacket tcp = new TcpPacket();

    private TcpPacket parse(ByteBuffer b) {
        assertThat(ip.wrap(b, 0, b.capacity()).check()).isNull();
        assertThat(ip.protocol()).isEqualTo(IpProtocol.TCP);
        assertThat(tcp.wrap(b, ip.payloadOffset(), ip.payloadLength()).check()).isNull();
        return tcp;
    }

    @Test
    @Requirement("MUST-3")
    void takesApartALinuxSynField_by_field() {
        ByteBuffer b = LinuxPackets.buffer(LinuxPackets.SYN_V4);
        TcpPacket p = parse(b);
        assertThat(ip.version()).isEqualTo(4);
        assertThat(ip.src()).hasToString("198.18.0.1");
        assertThat(ip.ttl()).isEqualTo(64);
        assertThat(ip.v4().dontFragment()).isTrue();
        assertThat(ip.v4().identification()).isEqualTo(0x302f);
        assertThat(p.srcPort()).isEqualTo(59790);
        assertThat(p.dstPort()).isEqualTo(5000);
        assertThat(SeqNum.unsigned(p.seq())).isEqualTo(2996414269L);
        assertThat(p.ack()).isZero();
        assertThat(p.headerLength()).isEqualTo(40);
        assertThat(p.flags()).isEqualTo(TcpFlags.SYN);
        assertThat(p.window()).isEqualTo(65495);
        assertThat(p.urgentPointer()).isZero();
        assertThat(p.payloadLength()).isZero();
        assertThat(p.verifyChecksum(ip.pseudoHeaderSum())).isTrue();

        TcpOption.Decoded d = p.decodeOptions();
        assertThat(d.error()).isNull();
        assertThat(d.options()).containsExactly(new TcpOption.Mss(65495), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(436135353, 0), new TcpOption.Nop(), new TcpOption.WindowScale(10));

        TcpSegment s = new TcpSegment();
        assertThat(s.readFrom(p)).isNull();
        assertThat(s.options.mss).isEqualTo(65495);
        assertThat(s.options.sackPermitted).isTrue();
        assertThat(s.options.hasTimestamps).isTrue();
        assertThat(s.options.tsVal).isEqualTo(436135353);
        assertThat(s.options.windowScale).isEqualTo(10);
        assertThat(s.seqLength()).isEqualTo(1);
        assertThat(s).hasToString("59790 > 5000 [S] seq 2996414269 win 65495 "
                + "<mss 65495,sackOK,TS val 436135353 ecr 0,wscale 10> len 0");
    }

    @Test
    @Requirement({"MUST-2", "MUST-4", "MUST-14"})
    void rebuildsTheLinuxSynByteForByte() {
        ByteBuffer original = LinuxPackets.buffer(LinuxPackets.SYN_V4);
        TcpSegment s = new TcpSegment();
        s.readFrom(parse(original));
        ByteBuffer out = ByteBuffer.allocate(100);
        int n = new PacketWriter().nextIdentification(0x302f)
                .writeTcp(out, 0, ip.src(), ip.dst(), 64, 0, s);
        assertThat(HexFormat.of().formatHex(out.array(), 0, n)).isEqualTo(LinuxPackets.SYN_V4);
    }

    @Test
    void rebuildsALinuxDataSegmentByteForByte() {
        ByteBuffer original = LinuxPackets.buffer(LinuxPackets.DATA_V4);
        TcpSegment s = new TcpSegment();
        s.readFrom(parse(original));
        assertThat(new String(s.payloadBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello\n");
        assertThat(s.flags).isEqualTo(TcpFlags.PSH | TcpFlags.ACK);
        assertThat(s.seqLength()).isEqualTo(6);
        ByteBuffer out = ByteBuffer.allocate(100);
        int n = new PacketWriter().nextIdentification(0x3031).writeTcp(out, 0, ip.src(), ip.dst(), 64, 0, s);
        assertThat(HexFormat.of().formatHex(out.array(), 0, n)).isEqualTo(LinuxPackets.DATA_V4);
    }

    @Test
    void rebuildsTheLinuxIpv6SynTcpPartByteForByte() {
        ByteBuffer original = LinuxPackets.buffer(LinuxPackets.SYN_V6);
        TcpSegment s = new TcpSegment();
        s.readFrom(parse(original));
        assertThat(ip.version()).isEqualTo(6);
        assertThat(ip.v6().flowLabel()).isEqualTo(0x0737b);
        assertThat(ip.src()).hasToString("fd00::1");
        assertThat(tcp.verifyChecksum(ip.pseudoHeaderSum())).isTrue();
        ByteBuffer out = ByteBuffer.allocate(120);
        int n = new PacketWriter().writeTcp(out, 0, ip.src(), ip.dst(), 64, 0, s);
        assertThat(n).isEqualTo(original.capacity());
        // Same TCP bytes, checksum included; the IPv6 header differs only in the flow label we do not set.
        assertThat(HexFormat.of().formatHex(out.array(), 40, n))
                .isEqualTo(LinuxPackets.SYN_V6.substring(80));
        new Ipv6Packet().writeHeader(out, 0, 0, 0x0737b, n - 40, IpProtocol.TCP, 64, ip.src(), ip.dst());
        assertThat(HexFormat.of().formatHex(out.array(), 0, n)).isEqualTo(LinuxPackets.SYN_V6);
    }

    @Test
    @Requirement("MUST-3")
    void detectsAFlippedBitWithTheChecksum() {
        ByteBuffer b = LinuxPackets.buffer(LinuxPackets.DATA_V4);
        b.put(b.capacity() - 2, (byte) (b.get(b.capacity() - 2) ^ 0x10));
        assertThat(parse(b).verifyChecksum(ip.pseudoHeaderSum())).isFalse();
    }

    @Test
    void roundTripsEveryFlagBitIncludingReservedOnes() {
        PacketWriter w = new PacketWriter();
        IpAddress a = IpAddress.parse("198.18.0.1");
        IpAddress c = IpAddress.parse("198.18.0.2");
        ByteBuffer out = ByteBuffer.allocate(100);
        for (int flags = 0; flags <= TcpFlags.ALL; flags++) {
            TcpSegment s = new TcpSegment();
            s.srcPort = 1;
            s.dstPort = 65535;
            s.seq = -1;
            s.ack = 0x8000_0000;
            s.flags = flags;
            s.window = 0xFFFF;
            s.urgentPointer = 0xABCD;
            int n = w.writeTcp(out, 0, a, c, 1, 0, s);
            TcpPacket p = parse(out.slice(0, n));
            assertThat(p.verifyChecksum(ip.pseudoHeaderSum())).isTrue();
            TcpSegment back = new TcpSegment();
            back.readFrom(p);
            assertThat(back.flags).isEqualTo(flags);
            assertThat(back.seq).isEqualTo(-1);
            assertThat(back.ack).isEqualTo(0x8000_0000);
            assertThat(back.window).isEqualTo(0xFFFF);
            assertThat(back.urgentPointer).isEqualTo(0xABCD);
        }
    }

    @Test
    void writesAPayloadThatWrapsAroundItsRingBuffer() {
        ByteBuffer ring = ByteBuffer.allocate(8);
        ring.put(0, "EFGH----".getBytes(StandardCharsets.US_ASCII));
        ring.put(5, "ABC".getBytes(StandardCharsets.US_ASCII));
        TcpSegment s = new TcpSegment().payload(ring, 5, 7);
        s.flags = TcpFlags.ACK;
        ByteBuffer out = ByteBuffer.allocate(100);
        int n = new PacketWriter().writeTcp(out, 0, IpAddress.parse("fd00::1"), IpAddress.parse("fd00::2"), 64, 0, s);
        TcpSegment back = new TcpSegment();
        back.readFrom(parse(out.slice(0, n)));
        assertThat(new String(back.payloadBytes(), StandardCharsets.US_ASCII)).isEqualTo("ABCEFGH");
    }

    @Test
    void everyTruncationIsReportedNotThrown() {
        for (String hex : List.of(LinuxPackets.SYN_V4, LinuxPackets.DATA_V4, LinuxPackets.SYN_V6)) {
            ByteBuffer full = LinuxPackets.buffer(hex);
            for (int len = 0; len < full.capacity(); len++) {
                ByteBuffer cut = full.slice(0, len);
                assertThat(ip.wrap(cut, 0, len).check()).as("prefix of %d bytes", len).isNotNull();
            }
            // The TCP layer alone, cut at every length, parses or reports without throwing.
            IpPacket whole = new IpPacket().wrap(full, 0, full.capacity());
            assertThat(whole.check()).isNull();
            for (int len = 0; len <= whole.payloadLength(); len++) {
                DropReason r = tcp.wrap(full, whole.payloadOffset(), len).check();
                if (len < TcpPacket.HEADER_LENGTH) {
                    assertThat(r).isEqualTo(DropReason.TCP_TRUNCATED);
                } else if (len < tcp.headerLength()) {
                    assertThat(r).isEqualTo(DropReason.TCP_BAD_DATA_OFFSET);
                } else {
                    assertThat(r).isNull();
                    assertThat(new TcpSegment().readFrom(tcp)).isNull();
                }
            }
        }
    }
}
