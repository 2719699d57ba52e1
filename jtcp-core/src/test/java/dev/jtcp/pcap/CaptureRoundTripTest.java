package dev.jtcp.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.pcap.CaptureFixtures.Fixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writer to reader and back, for both formats, in memory, through files and through tiny chunks. */
class CaptureRoundTripTest {
    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(strings = {"pcap", "pcapng"})
    void preservesBytesAndNanosecondTimestamps(String format) throws IOException {
        byte[] file = writeFixtures(format);

        List<CapturedPacket> packets = CaptureReader.of(file).readAll();

        assertThat(packets).hasSize(CaptureFixtures.ALL.size());
        for (int i = 0; i < packets.size(); i++) {
            Fixture fixture = CaptureFixtures.ALL.get(i);
            CapturedPacket packet = packets.get(i);
            assertThat(packet.timestampNs()).isEqualTo(CaptureFixtures.timestampNs(i));
            assertThat(packet.linkType()).isEqualTo(LinkType.RAW);
            assertThat(packet.interfaceIndex()).isZero();
            assertThat(packet.isIp()).isTrue();
            assertThat(packet.ipVersion()).isEqualTo(fixture.ipVersion());
            assertThat(packet.capturedLength()).isEqualTo(fixture.bytes().length);
            assertThat(packet.originalLength()).isEqualTo(fixture.bytes().length);
            assertThat(packet.isTruncated()).isFalse();
            assertThat(bytes(packet.ip())).isEqualTo(fixture.bytes());
            assertThat(bytes(packet.frame())).isEqualTo(fixture.bytes());
        }
    }

    @Test
    void readsCommentedPcapngPacketsLikeOthers() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (PcapNgWriter writer = new PcapNgWriter(sink, "lo")) {
            writer.write(7, ByteBuffer.wrap(CaptureFixtures.IPV4_SYN.bytes()), "the SYN");
            writer.write(8, ByteBuffer.wrap(CaptureFixtures.IPV6_SYN.bytes()), "");
        }

        List<CapturedPacket> packets = CaptureReader.of(sink.toByteArray()).readAll();

        assertThat(packets).extracting(CapturedPacket::timestampNs).containsExactly(7L, 8L);
        assertThat(bytes(packets.get(1).ip())).isEqualTo(CaptureFixtures.IPV6_SYN.bytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"trace.pcap", "trace.pcapng", "trace.PCAPNG", "trace.cap"})
    void factoryPicksTheFormatByExtensionAndFilesReadBack(String fileName) throws IOException {
        Path path = directory.resolve(fileName);
        try (CaptureWriter writer = CaptureWriter.open(path)) {
            writer.write(42, ByteBuffer.wrap(CaptureFixtures.ICMP_ECHO_REQUEST.bytes()));
        }

        byte[] magic = Arrays.copyOf(Files.readAllBytes(path), 4);
        boolean pcapng = fileName.toLowerCase(Locale.ROOT).endsWith(".pcapng");
        assertThat(HexFormat.of().formatHex(magic)).isEqualTo(pcapng ? "0a0d0d0a" : "4d3cb2a1");
        try (CaptureReader reader = CaptureReader.open(path)) {
            List<CapturedPacket> packets = reader.readAll();
            assertThat(packets).singleElement().satisfies(packet -> {
                assertThat(packet.timestampNs()).isEqualTo(42);
                assertThat(bytes(packet.ip())).isEqualTo(CaptureFixtures.ICMP_ECHO_REQUEST.bytes());
            });
            assertThat(reader.skipped()).isEmpty();
            assertThat(reader.endReason()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pcap", "pcapng"})
    void marksPacketsCutAtTheSnapLengthAsTruncated(String format) throws IOException {
        ByteBuffer jumbo = ByteBuffer.allocate(CaptureWriter.SNAP_LENGTH + 1000);
        jumbo.put(0, (byte) 0x60);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (CaptureWriter writer = writer(format, sink)) {
            writer.write(1, jumbo);
        }

        CapturedPacket packet = CaptureReader.of(sink.toByteArray()).readAll().getFirst();

        assertThat(packet.isTruncated()).isTrue();
        assertThat(packet.capturedLength()).isEqualTo(CaptureWriter.SNAP_LENGTH);
        assertThat(packet.originalLength()).isEqualTo(CaptureWriter.SNAP_LENGTH + 1000);
        assertThat(packet.ipVersion()).isEqualTo(6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pcap", "pcapng"})
    void readsThousandsOfPacketsThroughChunksSmallerThanOnePacket(String format) throws IOException {
        Random random = new Random(7);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        int count = 5_000;
        byte[][] sent = new byte[count][];
        try (CaptureWriter writer = writer(format, sink)) {
            for (int i = 0; i < count; i++) {
                sent[i] = new byte[1 + random.nextInt(i % 100 == 0 ? 20_000 : 300)];
                random.nextBytes(sent[i]);
                sent[i][0] = 0x45;
                writer.write(i * 1_000_000_007L, ByteBuffer.wrap(sent[i]));
            }
        }

        CaptureReader reader = CaptureReader.open(
                Channels.newChannel(new ByteArrayInputStream(sink.toByteArray())), 64);
        CapturedPacket packet = new CapturedPacket();
        int read = 0;
        while (reader.next(packet)) {
            assertThat(packet.timestampNs()).isEqualTo(read * 1_000_000_007L);
            assertThat(bytes(packet.frame())).isEqualTo(sent[read]);
            read++;
        }
        assertThat(read).isEqualTo(count);
        assertThat(reader.endReason()).isEmpty();
    }

    private static byte[] writeFixtures(String format) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (CaptureWriter writer = writer(format, sink)) {
            for (int i = 0; i < CaptureFixtures.ALL.size(); i++) {
                writer.write(CaptureFixtures.timestampNs(i), ByteBuffer.wrap(CaptureFixtures.ALL.get(i).bytes()));
            }
        }
        return sink.toByteArray();
    }

    private static CaptureWriter writer(String format, OutputStream sink) throws IOException {
        return format.equals("pcap") ? new PcapWriter(sink) : new PcapNgWriter(sink);
    }

    static byte[] bytes(ByteBuffer view) {
        byte[] bytes = new byte[view.remaining()];
        view.get(view.position(), bytes);
        return bytes;
    }
}
