package dev.jtcp.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damaged input: every prefix of valid files, seeded random garbage and seeded mutations of valid
 * files. The reader must never throw, must stop, must return only well-formed packet views, and
 * must behave the same whether it reads from memory or through tiny channel chunks.
 */
class CaptureReaderRobustnessTest {
    private static final byte[] V4 = CaptureFixtures.IPV4_SYN.bytes();
    private static final byte[] V6 = CaptureFixtures.IPV6_FIN.bytes();

    /** A valid file and the offsets where its records or blocks end. */
    record Sample(String name, byte[] bytes, List<Integer> boundaries, List<Integer> packetEnds) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** What one complete read produced, comparable across input paths. */
    record Outcome(List<String> packets, Map<SkipReason, Long> skipped, Optional<SkipReason> end) {
    }

    static Stream<Sample> samples() {
        return Stream.of(ethernetPcap(), bigEndianRawPcap(), mixedPcapng());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyPrefixReadsTheWholeRecordsItHoldsAndNamesTheTruncation(Sample sample) throws IOException {
        Outcome whole = read(sample.bytes());
        assertThat(whole.end()).isEmpty();
        assertThat(whole.packets()).hasSize(sample.packetEnds().size());

        for (int length = 0; length <= sample.bytes().length; length++) {
            byte[] prefix = Arrays.copyOf(sample.bytes(), length);
            Outcome outcome = read(prefix);
            int complete = (int) sample.packetEnds().stream().filter(end -> end <= prefix.length).count();
            assertThat(outcome.packets()).as("prefix %d", length)
                    .isEqualTo(whole.packets().subList(0, complete));
            Optional<SkipReason> expectedEnd = sample.boundaries().contains(length)
                    ? Optional.empty() : Optional.of(SkipReason.TRUNCATED_FILE);
            assertThat(outcome.end()).as("prefix %d", length).isEqualTo(expectedEnd);
            assertThat(readInChunks(prefix, 1 + length % 7)).as("prefix %d in chunks", length)
                    .isEqualTo(outcome);
        }
    }

    @Test
    void randomGarbageNeverThrows() throws IOException {
        Random random = new Random(0x9C4B);
        int withPackets = 0;
        for (int i = 0; i < 6_000; i++) {
            byte[] garbage = garbage(random, i % 4);
            Outcome outcome = read(garbage);
            assertThat(readInChunks(garbage, 1 + random.nextInt(40))).as("input %d", i).isEqualTo(outcome);
            withPackets += outcome.packets().isEmpty() ? 0 : 1;
        }
        assertThat(withPackets).as("inputs that got past the headers").isGreaterThan(2_000);
    }

    /**
     * Kind 0: random bytes. Kind 1: a capture magic number, then random bytes. Kind 2: a valid pcap
     * header, then records with random lengths and bytes. Kind 3: a valid pcapng section and
     * interface, then well-framed blocks of random types with random bodies.
     */
    private static byte[] garbage(Random random, int kind) {
        ByteOrder order = random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int[] linkTypes = {LinkType.NULL, LinkType.ETHERNET, LinkType.RAW, LinkType.LINUX_SLL,
            LinkType.IPV4, LinkType.IPV6, LinkType.LINUX_SLL2, random.nextInt(300)};
        int linkType = linkTypes[random.nextInt(linkTypes.length)];
        CaptureBytes file = CaptureBytes.in(order);
        switch (kind) {
            case 0 -> file.bytes(randomBytes(random, random.nextInt(600)));
            case 1 -> file.bytes(hex(List.of("a1b2c3d4", "d4c3b2a1", "a1b23c4d", "4d3cb2a1", "0a0d0d0a")
                    .get(random.nextInt(5)))).bytes(randomBytes(random, random.nextInt(600)));
            case 2 -> {
                file.pcapHeader(random.nextBoolean() ? 0xa1b2c3d4 : 0xa1b23c4d, linkType);
                for (int records = random.nextInt(20); records > 0; records--) {
                    byte[] data = randomBytes(random, random.nextInt(80));
                    file.pcapRecord(random.nextInt(), random.nextInt(), data, random.nextInt(100));
                }
            }
            default -> {
                file.shb().idb(linkType, random.nextInt(100), file.option(9, randomBytes(random, 1)));
                int[] types = {1, 2, 3, 5, 6, 6, 6, random.nextInt()};
                for (int blocks = random.nextInt(20); blocks > 0; blocks--) {
                    file.block(types[random.nextInt(types.length)], randomBytes(random, random.nextInt(100)));
                }
            }
        }
        return file.toArray();
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    @ParameterizedTest
    @MethodSource("samples")
    void mutatedValidFilesNeverThrow(Sample sample) throws IOException {
        Random random = new Random(sample.name().hashCode());
        int[] interesting = {0, 1, 4, 8, 11, 12, 13, 16, 28, 32, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xFFFF};
        for (int i = 0; i < 3_000; i++) {
            byte[] bytes = sample.bytes().clone();
            ByteOrder order = random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            ByteBuffer view = ByteBuffer.wrap(bytes).order(order);
            for (int mutations = 1 + random.nextInt(4); mutations > 0; mutations--) {
                int at = random.nextInt(bytes.length - 4);
                switch (random.nextInt(4)) {
                    case 0 -> bytes[at] = (byte) random.nextInt();
                    case 1 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                    case 2 -> view.putInt(at & ~3, interesting[random.nextInt(interesting.length)]);
                    default -> view.putInt(at & ~3, random.nextInt(200));
                }
            }
            byte[] input = random.nextInt(4) == 0 ? Arrays.copyOf(bytes, random.nextInt(bytes.length)) : bytes;
            Outcome outcome = read(input);
            assertThat(readInChunks(input, 1 + random.nextInt(64))).as("mutation %d", i).isEqualTo(outcome);
        }
    }

    @Test
    void endsOnFilesThatAreNotCaptures() throws IOException {
        CaptureReader text = CaptureReader.of("GET / HTTP/1.1\r\n".getBytes());
        CaptureReader empty = CaptureReader.of(new byte[0]);

        assertThat(text.next(new CapturedPacket())).isFalse();
        assertThat(empty.next(new CapturedPacket())).isFalse();

        assertThat(text.endReason()).contains(SkipReason.BAD_MAGIC);
        assertThat(text.skippedSummary()).isEqualTo("1 not a pcap or pcapng file");
        assertThat(empty.endReason()).contains(SkipReason.TRUNCATED_FILE);
    }

    @Test
    void endsOnUnsupportedVersions() throws IOException {
        byte[] pcap = CaptureBytes.littleEndian().u32(0xa1b2c3d4).u16(3).u16(0).u32(0).u32(0)
                .u32(65535).u32(1).toArray();
        byte[] pcapng = CaptureBytes.littleEndian().shb(2).idb(LinkType.RAW, 0).epb(0, 0, V4).toArray();

        assertThat(read(pcap).end()).contains(SkipReason.BAD_HEADER);
        assertThat(read(pcapng)).isEqualTo(new Outcome(List.of(), Map.of(SkipReason.BAD_HEADER, 1L),
                Optional.of(SkipReason.BAD_HEADER)));
    }

    @Test
    void endsAtAnOversizedPcapRecordAfterDeliveringTheOnesBefore() throws IOException {
        byte[] file = CaptureBytes.littleEndian().pcapHeader(0xa1b2c3d4, LinkType.RAW)
                .pcapRecord(1, 0, V4)
                .u32(2).u32(0).u32(0x7FFF_FFFF).u32(0x7FFF_FFFF).bytes(V4)
                .toArray();

        Outcome outcome = read(file);

        assertThat(outcome.packets()).hasSize(1);
        assertThat(outcome.end()).contains(SkipReason.BAD_LENGTH);
    }

    @Test
    void endsAtPcapngBlockLengthsThatAreTooSmallUnalignedInconsistentOrPastTheEnd() throws IOException {
        byte[] good = CaptureBytes.littleEndian().shb().idb(LinkType.RAW, 0).epb(0, 1, V4).toArray();
        byte[] tooSmall = CaptureBytes.littleEndian().bytes(good).u32(6).u32(8).u32(8).toArray();
        byte[] epbTooSmall = CaptureBytes.littleEndian().bytes(good).u32(6).u32(16).u64(0).u32(16).toArray();
        byte[] unaligned = CaptureBytes.littleEndian().bytes(good).u32(6).u32(13).u64(0).toArray();
        byte[] inconsistent = CaptureBytes.littleEndian().bytes(good).u32(0x42).u32(16).u32(0).u32(20).toArray();
        byte[] pastTheEnd = CaptureBytes.littleEndian().bytes(good).u32(6).u32(4096).u64(0).toArray();
        byte[] shbTooSmall = CaptureBytes.littleEndian().bytes(good).u32(0x0A0D0D0A).u32(16)
                .u32(0x1A2B3C4D).u32(16).toArray();

        for (byte[] file : List.of(tooSmall, epbTooSmall, unaligned, inconsistent, shbTooSmall)) {
            Outcome outcome = read(file);
            assertThat(outcome.packets()).hasSize(1);
            assertThat(outcome.end()).contains(SkipReason.BAD_LENGTH);
        }
        assertThat(read(pastTheEnd).end()).contains(SkipReason.TRUNCATED_FILE);
    }

    @Test
    void endsAtASectionHeaderWithoutAByteOrderMagic() throws IOException {
        byte[] file = CaptureBytes.littleEndian().shb().idb(LinkType.RAW, 0).epb(0, 1, V4)
                .u32(0x0A0D0D0A).u32(28).u32(0x12345678).u32(1).u64(-1).u32(28).toArray();

        Outcome outcome = read(file);

        assertThat(outcome.packets()).hasSize(1);
        assertThat(outcome.end()).contains(SkipReason.BAD_MAGIC);
    }

    @Test
    void skipsAPacketWhoseCapturedLengthRunsPastItsBlockAndReadsOn() throws IOException {
        CaptureBytes file = CaptureBytes.littleEndian().shb().idb(LinkType.RAW, 0);
        file.block(6, CaptureBytes.littleEndian().u32(0).u32(0).u32(1).u32(4000).u32(4000).bytes(V4).toArray())
                .epb(0, 2, V6);
        CaptureReader reader = CaptureReader.of(file.toArray());

        List<CapturedPacket> packets = reader.readAll();

        assertThat(packets).hasSize(2);
        assertThat(packets.get(0).skipReason()).isEqualTo(SkipReason.BAD_CAPTURED_LENGTH);
        assertThat(packets.get(0).capturedLength()).isZero();
        assertThat(packets.get(1).isIp()).isTrue();
        assertThat(reader.endReason()).isEmpty();
    }

    @Test
    void summarisesSkipsPerReason() throws IOException {
        byte[] file = CaptureBytes.littleEndian().pcapHeader(0xa1b2c3d4, LinkType.ETHERNET)
                .pcapRecord(1, 0, CaptureBytes.ethernet(0x0806, new byte[28]))
                .pcapRecord(1, 0, CaptureBytes.ethernet(0x0800, V4))
                .pcapRecord(1, 0, CaptureBytes.ethernet(0x88CC, new byte[30]))
                .u32(1).u32(0)
                .toArray();
        CaptureReader reader = CaptureReader.of(file);

        assertThat(reader.readAll()).hasSize(3);

        assertThat(reader.skippedSummary()).isEqualTo("2 non-IP, 1 truncated file tail");
        assertThat(reader.skipped()).containsExactly(Map.entry(SkipReason.NOT_IP, 2L),
                Map.entry(SkipReason.TRUNCATED_FILE, 1L));
        assertThat(reader.next(new CapturedPacket())).as("stays ended").isFalse();
    }

    private static Outcome read(byte[] bytes) throws IOException {
        return drain(CaptureReader.of(bytes));
    }

    private static Outcome readInChunks(byte[] bytes, int chunkBytes) throws IOException {
        return drain(CaptureReader.open(Channels.newChannel(new ByteArrayInputStream(bytes)), chunkBytes));
    }

    /** Reads to the end, checking each packet's invariants, and bounding the number of records. */
    private static Outcome drain(CaptureReader reader) throws IOException {
        List<String> packets = new ArrayList<>();
        CapturedPacket packet = new CapturedPacket();
        while (reader.next(packet)) {
            checkInvariants(packet);
            packets.add(describe(packet));
            assertThat(packets.size()).as("records are at least 12 bytes long").isLessThan(1_000_000);
        }
        assertThat(reader.next(packet)).isFalse();
        return new Outcome(packets, reader.skipped(), reader.endReason());
    }

    private static void checkInvariants(CapturedPacket packet) {
        ByteBuffer frame = packet.frame();
        ByteBuffer ip = packet.ip();
        assertThat(frame.remaining()).isEqualTo(packet.capturedLength()).isNotNegative();
        assertThat(frame.isReadOnly()).isTrue();
        assertThat(packet.originalLength()).isBetween(0L, 0xFFFF_FFFFL);
        assertThat(packet.isTruncated()).isEqualTo(packet.capturedLength() < packet.originalLength());
        assertThat(ip.position()).isGreaterThanOrEqualTo(frame.position());
        assertThat(ip.limit()).isLessThanOrEqualTo(frame.limit());
        if (packet.isIp()) {
            assertThat(packet.ipVersion()).isIn(4, 6);
            assertThat(ip.remaining()).isPositive();
            assertThat((ip.get(ip.position()) & 0xFF) >>> 4).isEqualTo(packet.ipVersion());
        } else {
            assertThat(packet.skipReason().endsReading()).isFalse();
            assertThat(packet.ipVersion()).isZero();
            assertThat(ip.remaining()).isZero();
        }
        assertThat(describe(packet.copy())).isEqualTo(describe(packet));
    }

    private static String describe(CapturedPacket packet) {
        return packet + " " + HexFormat.of().formatHex(CaptureRoundTripTest.bytes(packet.frame()))
                + " ip@" + (packet.ip().position() - packet.frame().position());
    }

    private static Sample ethernetPcap() {
        CaptureBytes file = CaptureBytes.littleEndian().pcapHeader(0xa1b2c3d4, LinkType.ETHERNET);
        List<Integer> ends = new ArrayList<>();
        ends.add(file.size());
        List<Integer> packets = new ArrayList<>();
        for (byte[] frame : List.of(CaptureBytes.ethernet(0x0800, V4), CaptureBytes.ethernetVlan(true, 0x86DD, V6),
                CaptureBytes.ethernet(0x0806, new byte[28]), new byte[5])) {
            file.pcapRecord(1_700_000_000L + ends.size(), 17, frame);
            ends.add(file.size());
            packets.add(file.size());
        }
        return new Sample("little-endian Ethernet pcap", file.toArray(), ends, packets);
    }

    private static Sample bigEndianRawPcap() {
        CaptureBytes file = CaptureBytes.bigEndian().pcapHeader(0xa1b23c4d, LinkType.RAW);
        List<Integer> ends = new ArrayList<>(List.of(file.size()));
        List<Integer> packets = new ArrayList<>();
        for (byte[] ip : List.of(V6, V4, V6)) {
            file.pcapRecord(5, 999_999_999, ip);
            ends.add(file.size());
            packets.add(file.size());
        }
        return new Sample("big-endian raw pcap", file.toArray(), ends, packets);
    }

    private static Sample mixedPcapng() {
        CaptureBytes file = CaptureBytes.littleEndian();
        List<Integer> ends = new ArrayList<>();
        List<Integer> packets = new ArrayList<>();
        file.shb();
        ends.add(file.size());
        file.idb(LinkType.ETHERNET, 0, file.option(9, new byte[] {9}), file.endOfOptions());
        ends.add(file.size());
        file.idb(LinkType.LINUX_SLL2, 0);
        ends.add(file.size());
        file.epb(0, 123, CaptureBytes.ethernet(0x0800, V4));
        packets.add(file.size());
        file.epb(1, 456, CaptureBytes.sll2(0x86DD, V6));
        packets.add(file.size());
        file.block(0x1234, new byte[8]);
        ends.add(file.size());
        file.spb(V4.length + 14, CaptureBytes.ethernet(0x0800, V4));
        packets.add(file.size());
        file.pb(1, 789, CaptureBytes.sll2(0x0800, V4));
        packets.add(file.size());
        file.order(ByteOrder.BIG_ENDIAN).shb();
        ends.add(file.size());
        file.idb(LinkType.RAW, 0);
        ends.add(file.size());
        file.epb(0, 1, V6);
        packets.add(file.size());
        ends.addAll(packets);
        return new Sample("two-section pcapng", file.toArray(), ends, packets);
    }

    private static byte[] hex(String digits) {
        return HexFormat.of().parseHex(digits);
    }
}
