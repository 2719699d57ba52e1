package dev.jtcp.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.pcap.CapturedPacket;
import dev.jtcp.pcap.PcapWriter;
import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.wire.SeqNum;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The capture of every scenario, judged by Wireshark: tshark opens it without malformed packets or
 * error-level expert info (checksums verified), and sees, packet for packet, the flags, sequence and
 * acknowledgment numbers that jtcp traced as sent. Skipped without tshark, except on CI.
 */
@NeedsTools("tshark")
class ScenarioCaptureTsharkTest {
    /** Wireshark's PI_ERROR severity. */
    private static final long PI_ERROR = 0x0080_0000L;

    @TempDir
    Path directory;

    static Stream<String> scenarios() {
        return Scenarios.all().stream().map(Scenario::name);
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void tsharkSeesWhatJtcpSent(String name) throws Exception {
        ScenarioRun run = Scenarios.find(name).orElseThrow().run(ScenarioOptions.defaults());
        for (ScenarioRun.Part part : run.parts()) {
            if (part.hypothetical()) {
                continue;
            }
            List<TraceEvent.SegmentEvent> sent = part.events().stream()
                    .filter(e -> e instanceof TraceEvent.SegmentEvent s && s.direction() == TraceEvent.Direction.SENT)
                    .map(e -> (TraceEvent.SegmentEvent) e).toList();
            Path file = directory.resolve(name + ".pcap");
            try (PcapWriter writer = new PcapWriter(Files.newOutputStream(file))) {
                for (Frame f : part.frames()) {
                    writer.write(f.timeNs(), ByteBuffer.wrap(f.bytes()));
                }
            }
            try (CaptureReader reader = CaptureReader.open(file)) {
                assertThat(reader.readAll()).as(name + ": our reader").hasSameSizeAs(part.frames())
                        .allMatch(CapturedPacket::isIp);
            }

            List<String[]> frames = tshark(file);

            assertThat(frames).as(name + ": packets").hasSameSizeAs(sent);
            for (int i = 0; i < frames.size(); i++) {
                String[] f = frames.get(i);
                TraceEvent.SegmentEvent s = sent.get(i);
                String what = name + " packet " + (i + 1) + ": " + String.join(" | ", f);
                assertThat(Long.decode(f[0])).as(what + " flags").isEqualTo(s.header().flags());
                assertThat(f[1]).as(what + " seq").isEqualTo(Long.toString(SeqNum.unsigned(s.header().seq())));
                assertThat(f[2]).as(what + " ack").isEqualTo(Long.toString(SeqNum.unsigned(s.header().ack())));
                assertThat(f[3]).as(what + " malformed").isEmpty();
                assertThat(severities(f[4])).as(what + " expert severities").allMatch(v -> v < PI_ERROR);
            }
        }
    }

    private static List<String[]> tshark(Path file) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(),
                "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-T", "fields",
                "-e", "tcp.flags", "-e", "tcp.seq_raw", "-e", "tcp.ack_raw", "-e", "_ws.malformed",
                "-e", "_ws.expert.severity"));
        return ExternalTools.run(Duration.ofSeconds(120), command).requireSuccess().stdoutLines().stream()
                .map(line -> line.split("\t", -1)).toList();
    }

    private static List<Long> severities(String field) {
        return field.isEmpty() ? List.of() : Arrays.stream(field.split(",")).map(Long::decode).toList();
    }
}
