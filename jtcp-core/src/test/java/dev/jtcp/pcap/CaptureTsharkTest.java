package dev.jtcp.pcap;

import static dev.jtcp.pcap.CaptureRoundTripTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.pcap.CaptureFixtures.Fixture;
import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.ExternalTools.Result;
import dev.jtcp.testutil.NeedsTools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Wireshark's tshark as an independent judge: it must open the files our writers produce, decode
 * every packet without malformed-packet or error-level expert info (checksums verified), and see
 * the fields we wrote. And our reader must read back what tshark writes. Skipped when tshark is
 * missing, except on CI ({@code CI=true}), where that fails.
 */
@NeedsTools("tshark")
class CaptureTsharkTest {
    /** Wireshark's PI_ERROR severity; checksum errors are reported at this level. */
    private static final long PI_ERROR = 0x0080_0000L;

    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(strings = {"fixtures.pcap", "fixtures.pcapng"})
    void tsharkDecodesEveryPacketCleanlyAndSeesWhatWasWritten(String fileName) throws Exception {
        Path file = writeFixtures(fileName);

        List<String[]> frames = tshark(file, "frame.number", "frame.time_epoch", "frame.protocols",
                "_ws.malformed", "_ws.expert.severity", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw");

        assertThat(frames).hasSameSizeAs(CaptureFixtures.ALL);
        for (int i = 0; i < frames.size(); i++) {
            String[] fields = frames.get(i);
            Fixture fixture = CaptureFixtures.ALL.get(i);
            String what = fixture.name() + ": " + String.join(" | ", fields);
            assertThat(fields[0]).as(what).isEqualTo(Integer.toString(i + 1));
            assertThat(fields[1]).as(what).isEqualTo(epochSeconds(CaptureFixtures.timestampNs(i)));
            assertThat(":" + fields[2] + ":").as(what).contains(":" + fixture.protocols() + ":");
            assertThat(fields[3]).as(what + " malformed").isEmpty();
            assertThat(severities(fields[4])).as(what + " expert severities").allMatch(s -> s < PI_ERROR);
            if (fixture.isTcp()) {
                assertThat(fields[5]).as(what).isEqualTo(fixture.tcpFlags());
                assertThat(fields[6]).as(what).isEqualTo(Long.toString(fixture.seq()));
                assertThat(fields[7]).as(what).isEqualTo(Long.toString(fixture.ack()));
            }
        }
    }

    @Test
    void tsharkSeesPcapngCommentsAndTheInterfaceName() throws Exception {
        Path file = directory.resolve("commented.pcapng");
        try (PcapNgWriter writer = new PcapNgWriter(Files.newOutputStream(file), "jtcp-test0")) {
            writer.write(1, ByteBuffer.wrap(CaptureFixtures.IPV4_SYN.bytes()), "client opens");
            writer.write(2, ByteBuffer.wrap(CaptureFixtures.IPV4_SYN_ACK.bytes()));
        }

        List<String[]> frames = tshark(file, "frame.interface_name", "frame.comment");

        assertThat(frames).hasSize(2);
        assertThat(frames.get(0)).containsExactly("jtcp-test0", "client opens");
        assertThat(frames.get(1)).containsExactly("jtcp-test0", "");
    }

    @Test
    void tsharkReportsACorruptedChecksumAsAnError() throws Exception {
        byte[] corrupted = CaptureFixtures.IPV4_DATA.bytes();
        corrupted[corrupted.length - 1] ^= 1;
        Path file = directory.resolve("corrupted.pcap");
        try (PcapWriter writer = new PcapWriter(Files.newOutputStream(file))) {
            writer.write(1, ByteBuffer.wrap(corrupted));
        }

        List<String[]> frames = tshark(file, "_ws.expert.severity");

        assertThat(severities(frames.getFirst()[0])).as("the check above is not vacuous").contains(PI_ERROR);
    }

    @ParameterizedTest(name = "tshark -F {0}")
    @CsvSource({"pcapng, 1", "nsecpcap, 1", "pcap, 1000"})
    void readerReadsWhatTsharkWrites(String tsharkFormat, long resolutionNs) throws Exception {
        Path ours = writeFixtures("ours.pcapng");
        Path theirs = directory.resolve("theirs." + tsharkFormat);
        ExternalTools.run("tshark", "-r", ours.toString(), "-F", tsharkFormat, "-w", theirs.toString())
                .requireSuccess();

        List<CapturedPacket> packets;
        try (CaptureReader reader = CaptureReader.open(theirs)) {
            packets = reader.readAll();
            assertThat(reader.skipped()).isEmpty();
        }

        assertThat(packets).hasSameSizeAs(CaptureFixtures.ALL);
        for (int i = 0; i < packets.size(); i++) {
            long expectedNs = CaptureFixtures.timestampNs(i) / resolutionNs * resolutionNs;
            assertThat(packets.get(i).timestampNs()).isEqualTo(expectedNs);
            assertThat(packets.get(i).linkType()).isEqualTo(LinkType.RAW);
            assertThat(bytes(packets.get(i).ip())).isEqualTo(CaptureFixtures.ALL.get(i).bytes());
        }
    }

    private Path writeFixtures(String fileName) throws IOException {
        Path file = directory.resolve(fileName);
        try (CaptureWriter writer = CaptureWriter.open(file)) {
            for (int i = 0; i < CaptureFixtures.ALL.size(); i++) {
                writer.write(CaptureFixtures.timestampNs(i), ByteBuffer.wrap(CaptureFixtures.ALL.get(i).bytes()));
            }
        }
        return file;
    }

    /** Runs tshark with checksum validation on and returns one array of the given fields per frame. */
    private static List<String[]> tshark(Path file, String... fields) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(),
                "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-T", "fields"));
        for (String field : fields) {
            command.add("-e");
            command.add(field);
        }
        Result result = ExternalTools.run(ExternalTools.DEFAULT_TIMEOUT, command).requireSuccess();
        return result.stdoutLines().stream().map(line -> line.split("\t", -1)).toList();
    }

    private static List<Long> severities(String field) {
        return field.isEmpty() ? List.of()
                : Arrays.stream(field.split(",")).map(Long::decode).toList();
    }

    /** Formats nanoseconds since the epoch the way tshark prints frame.time_epoch. */
    private static String epochSeconds(long timestampNs) {
        return String.format("%d.%09d", timestampNs / 1_000_000_000L, timestampNs % 1_000_000_000L);
    }
}
