package dev.jtcp.pcap;

import static dev.jtcp.pcap.CaptureRoundTripTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reader on hand-built files: every link type, both pcap byte orders, pcapng's variety. */
class CaptureReaderLinkTypeTest {
    private static final byte[] V4 = CaptureFixtures.IPV4_DATA.bytes();
    private static final byte[] V6 = CaptureFixtures.IPV6_DATA.bytes();
    private static final int MICRO_LE = 0xa1b2c3d4;
    private static final int NANO = 0xa1b23c4d;

    @Test
    void ethernetWithoutAndWithVlanTags() throws IOException {
        byte[] file = CaptureBytes.littleEndian().pcapHeader(MICRO_LE, LinkType.ETHERNET)
                .pcapRecord(1, 0, CaptureBytes.ethernet(0x0800, V4))
                .pcapRecord(2, 0, CaptureBytes.ethernetVlan(false, 0x86DD, V6))
                .pcapRecord(3, 0, CaptureBytes.ethernetVlan(true, 0x0800, V4))
                .pcapRecord(4, 0, CaptureBytes.ethernet(0x0806, new byte[28]))
                .toArray();

        List<CapturedPacket> packets = CaptureReader.of(file).readAll();

        assertIp(packets.get(0), V4, 14);
        assertIp(packets.get(1), V6, 18);
        assertIp(packets.get(2), V4, 22);
        assertThat(packets.get(3).skipReason()).isEqualTo(SkipReason.NOT_IP);
        assertThat(packets.get(3).ip().remaining()).isZero();
        assertThat(packets).allSatisfy(p -> assertThat(p.linkType()).isEqualTo(LinkType.ETHERNET));
    }

    @Test
    void ethernetPaddingIsLeftOutOfTheIpView() throws IOException {
        byte[] shortIp = CaptureBytes.bigEndian().hex("450000140000400040060000c6120002c6120001").toArray();
        byte[] padded = CaptureBytes.bigEndian().bytes(CaptureBytes.ethernet(0x0800, shortIp))
                .bytes(new byte[26]).toArray();
        byte[] file = CaptureBytes.littleEndian().pcapHeader(MICRO_LE, LinkType.ETHERNET)
                .pcapRecord(1, 0, padded).toArray();

        CapturedPacket packet = CaptureReader.of(file).readAll().getFirst();

        assertThat(packet.capturedLength()).isEqualTo(60);
        assertThat(bytes(packet.ip())).isEqualTo(shortIp);
    }

    @Test
    void linuxCookedCaptureVersionsOneAndTwo() throws IOException {
        byte[] sll = CaptureBytes.littleEndian().pcapHeader(MICRO_LE, LinkType.LINUX_SLL)
                .pcapRecord(1, 0, CaptureBytes.sll(0x0800, V4))
                .pcapRecord(1, 1, CaptureBytes.sll(0x0806, new byte[28]))
                .toArray();
        byte[] sll2 = CaptureBytes.littleEndian().pcapHeader(MICRO_LE, LinkType.LINUX_SLL2)
                .pcapRecord(1, 0, CaptureBytes.sll2(0x86DD, V6))
                .pcapRecord(1, 1, new byte[12])
                .toArray();

        List<CapturedPacket> cooked = CaptureReader.of(sll).readAll();
        List<CapturedPacket> cooked2 = CaptureReader.of(sll2).readAll();

        assertIp(cooked.get(0), V4, 16);
        assertThat(cooked.get(1).skipReason()).isEqualTo(SkipReason.NOT_IP);
        assertIp(cooked2.get(0), V6, 20);
        assertThat(cooked2.get(1).skipReason()).isEqualTo(SkipReason.SHORT_FRAME);
    }

    @Test
    void bsdLoopbackInEitherHostByteOrder() throws IOException {
        byte[] file = CaptureBytes.bigEndian().pcapHeader(MICRO_LE, LinkType.NULL)
                .pcapRecord(1, 0, CaptureBytes.loopback(ByteOrder.LITTLE_ENDIAN, 2, V4))
                .pcapRecord(2, 0, CaptureBytes.loopback(ByteOrder.BIG_ENDIAN, 2, V4))
                .pcapRecord(3, 0, CaptureBytes.loopback(ByteOrder.LITTLE_ENDIAN, 24, V6))
                .pcapRecord(4, 0, CaptureBytes.loopback(ByteOrder.BIG_ENDIAN, 28, V6))
                .pcapRecord(5, 0, CaptureBytes.loopback(ByteOrder.LITTLE_ENDIAN, 30, V6))
                .pcapRecord(6, 0, CaptureBytes.loopback(ByteOrder.LITTLE_ENDIAN, 7, V4))
                .toArray();

        List<CapturedPacket> packets = CaptureReader.of(file).readAll();

        assertIp(packets.get(0), V4, 4);
        assertIp(packets.get(1), V4, 4);
        assertIp(packets.get(2), V6, 4);
        assertIp(packets.get(3), V6, 4);
        assertIp(packets.get(4), V6, 4);
        assertThat(packets.get(5).skipReason()).isEqualTo(SkipReason.NOT_IP);
    }

    @Test
    void rawIpv4AndIpv6LinkTypesCheckTheVersionNibble() throws IOException {
        byte[] v4Only = CaptureBytes.littleEndian().pcapHeader(NANO, LinkType.IPV4)
                .pcapRecord(1, 0, V4).pcapRecord(1, 0, V6).toArray();
        byte[] v6Only = CaptureBytes.littleEndian().pcapHeader(NANO, LinkType.IPV6)
                .pcapRecord(1, 0, V6).pcapRecord(1, 0, V4).toArray();

        List<CapturedPacket> fours = CaptureReader.of(v4Only).readAll();
        List<CapturedPacket> sixes = CaptureReader.of(v6Only).readAll();

        assertIp(fours.get(0), V4, 0);
        assertThat(fours.get(1).skipReason()).isEqualTo(SkipReason.NOT_IP);
        assertIp(sixes.get(0), V6, 0);
        assertThat(sixes.get(1).skipReason()).isEqualTo(SkipReason.NOT_IP);
    }

    @Test
    void bigEndianAndLittleEndianPcapWithMicroAndNanosecondMagics() throws IOException {
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            byte[] micro = CaptureBytes.in(order).pcapHeader(MICRO_LE, LinkType.RAW)
                    .pcapRecord(1_700_000_000L, 999_999, V4, 1500).toArray();
            byte[] nano = CaptureBytes.in(order).pcapHeader(NANO, LinkType.RAW)
                    .pcapRecord(1_700_000_000L, 999_999_999, V6).toArray();

            CapturedPacket fromMicro = CaptureReader.of(micro).readAll().getFirst();
            CapturedPacket fromNano = CaptureReader.of(nano).readAll().getFirst();

            assertThat(fromMicro.timestampNs()).as(order.toString()).isEqualTo(1_700_000_000_999_999_000L);
            assertThat(fromMicro.originalLength()).isEqualTo(1500);
            assertThat(fromMicro.isTruncated()).isTrue();
            assertIp(fromMicro, V4, 0);
            assertThat(fromNano.timestampNs()).as(order.toString()).isEqualTo(1_700_000_000_999_999_999L);
            assertIp(fromNano, V6, 0);
        }
    }

    @Test
    void unsupportedLinkTypesAreSkippedWithAReason() throws IOException {
        byte[] file = CaptureBytes.littleEndian().pcapHeader(MICRO_LE, 105)
                .pcapRecord(1, 0, V4).pcapRecord(2, 0, V4).toArray();
        CaptureReader reader = CaptureReader.of(file);

        List<CapturedPacket> packets = reader.readAll();

        assertThat(packets).hasSize(2).allSatisfy(p -> {
            assertThat(p.linkType()).isEqualTo(105);
            assertThat(p.skipReason()).isEqualTo(SkipReason.UNSUPPORTED_LINK_TYPE);
            assertThat(bytes(p.frame())).isEqualTo(V4);
        });
        assertThat(reader.skippedSummary()).isEqualTo("2 unsupported link type");
    }

    @Test
    void pcapngWithTwoInterfacesOfDifferentLinkTypesAndResolutions() throws IOException {
        CaptureBytes file = CaptureBytes.littleEndian().shb();
        byte[] name = "eth0".getBytes(StandardCharsets.UTF_8);
        file.idb(LinkType.ETHERNET, 0, file.option(2, name), file.option(9, new byte[] {6}),
                file.endOfOptions());
        file.idb(LinkType.RAW, 65535, file.option(9, new byte[] {(byte) 0x80 | 20}),
                file.option(14, CaptureBytes.littleEndian().u64(10).toArray()), file.endOfOptions());
        file.epb(0, 1_700_000_000_123_456L, CaptureBytes.ethernet(0x86DD, V6))
                .epb(1, 3L << 20 | 1L << 19, V4)
                .pb(0, 5_000_001L, CaptureBytes.ethernet(0x0800, V4))
                .epb(2, 0, V4);

        List<CapturedPacket> packets = CaptureReader.of(file.toArray()).readAll();

        assertThat(packets).hasSize(4);
        assertThat(packets.get(0).timestampNs()).isEqualTo(1_700_000_000_123_456_000L);
        assertThat(packets.get(0).interfaceIndex()).isZero();
        assertThat(packets.get(0).linkType()).isEqualTo(LinkType.ETHERNET);
        assertIp(packets.get(0), V6, 14);
        assertThat(packets.get(1).timestampNs()).as("3.5 s in units of 2^-20 s, plus 10 s offset")
                .isEqualTo(13_500_000_000L);
        assertThat(packets.get(1).interfaceIndex()).isEqualTo(1);
        assertThat(packets.get(1).linkType()).isEqualTo(LinkType.RAW);
        assertThat(bytes(packets.get(1).ip())).as("IP view ends at the total length").isEqualTo(V4);
        assertThat(packets.get(2).timestampNs()).as("obsolete Packet Block").isEqualTo(5_000_001_000L);
        assertIp(packets.get(2), V4, 14);
        assertThat(packets.get(3).skipReason()).isEqualTo(SkipReason.UNKNOWN_INTERFACE);
        assertThat(packets.get(3).linkType()).isEqualTo(-1);
    }

    @Test
    void pcapngDefaultsToMicrosecondsAndSkipsUnknownAndNonPacketBlocks() throws IOException {
        CaptureBytes file = CaptureBytes.bigEndian().shb();
        file.idb(LinkType.RAW, 0)
                .block(0x4242_4242, new byte[] {1, 2, 3})
                .block(5, new byte[16])
                .block(4, new byte[4])
                .block(0x0BAD, new byte[8])
                .epb(0, 2_500_000, V4)
                .block(0x7777, new byte[0]);
        CaptureReader reader = CaptureReader.of(file.toArray());

        List<CapturedPacket> packets = reader.readAll();

        assertThat(packets).singleElement().satisfies(p -> {
            assertThat(p.timestampNs()).isEqualTo(2_500_000_000L);
            assertIp(p, V4, 0);
        });
        assertThat(reader.skipped()).containsExactly(Map.entry(SkipReason.UNKNOWN_BLOCK, 2L));
        assertThat(reader.endReason()).isEmpty();
    }

    @Test
    void pcapngSimplePacketBlocksUseInterfaceZeroAndItsSnapLength() throws IOException {
        CaptureBytes file = CaptureBytes.littleEndian().shb().idb(LinkType.RAW, 0)
                .spb(V4.length, V4)
                .spb(V4.length + 100, V4)
                .shb().idb(LinkType.RAW, 30)
                .spb(V4.length, V4)
                .shb().spb(V4.length, V4);

        List<CapturedPacket> packets = CaptureReader.of(file.toArray()).readAll();

        assertThat(packets).hasSize(4);
        assertIp(packets.get(0), V4, 0);
        assertThat(packets.get(0).timestampNs()).isZero();
        assertThat(packets.get(1).capturedLength()).as("bounded by the block, padding included")
                .isEqualTo(V4.length + 2);
        assertThat(packets.get(1).isTruncated()).isTrue();
        assertThat(bytes(packets.get(1).ip())).as("IP view ends at the total length").isEqualTo(V4);
        assertThat(packets.get(2).capturedLength()).as("bounded by the snap length").isEqualTo(30);
        assertThat(packets.get(3).skipReason()).as("new section, no interfaces yet")
                .isEqualTo(SkipReason.UNKNOWN_INTERFACE);
    }

    @Test
    void pcapngSectionsMaySwitchByteOrder() throws IOException {
        CaptureBytes file = CaptureBytes.littleEndian().shb().idb(LinkType.RAW, 0).epb(0, 1, V4);
        file.order(ByteOrder.BIG_ENDIAN).shb().idb(LinkType.LINUX_SLL, 0).idb(LinkType.RAW, 0)
                .epb(1, 2, V6).epb(0, 3, CaptureBytes.sll(0x0800, V4));

        List<CapturedPacket> packets = CaptureReader.of(file.toArray()).readAll();

        assertThat(packets).extracting(CapturedPacket::timestampNs).containsExactly(1_000L, 2_000L, 3_000L);
        assertIp(packets.get(0), V4, 0);
        assertIp(packets.get(1), V6, 0);
        assertThat(packets.get(1).interfaceIndex()).isEqualTo(1);
        assertIp(packets.get(2), V4, 16);
    }

    private static void assertIp(CapturedPacket packet, byte[] ip, int linkHeaderBytes) {
        assertThat(packet.skipReason()).as(packet.toString()).isNull();
        assertThat(packet.isIp()).isTrue();
        assertThat(packet.ipVersion()).isEqualTo((ip[0] & 0xFF) >>> 4);
        assertThat(bytes(packet.ip())).isEqualTo(ip);
        assertThat(packet.frame().remaining() - packet.ip().remaining()).isEqualTo(linkHeaderBytes);
        assertThat(packet.ip().isReadOnly()).isTrue();
    }
}
