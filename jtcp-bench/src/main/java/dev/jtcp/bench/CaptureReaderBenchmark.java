package dev.jtcp.bench;

import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.pcap.CaptureWriter;
import dev.jtcp.pcap.CapturedPacket;
import dev.jtcp.pcap.PcapNgWriter;
import dev.jtcp.pcap.PcapWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Packets per second through {@link CaptureReader#next(CapturedPacket)} with one reused holder,
 * summing IP bytes so the work cannot be optimised away. The requirement is at least one million
 * packets per second; the score is in packets per second (one operation = one packet).
 *
 * <p>The capture holds raw IPv4 packets of 40, 60, 576 and 1500 bytes in turn: a mix of bare ACKs,
 * small segments, and full-size segments. {@code fromFile} includes the 1 MiB chunked reads
 * through the page cache; {@code fromMemory} measures parsing alone.
 *
 * <p>Thread-safety: JMH state, one instance per benchmark trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CaptureReaderBenchmark {
    private static final int PACKETS = 100_000;
    private static final int[] SIZES_BYTES = {40, 60, 576, 1500};

    @Param({"pcap", "pcapng"})
    String format;

    private byte[] capture;
    private Path file;
    private final CapturedPacket packet = new CapturedPacket();

    @Setup(Level.Trial)
    public void writeCapture() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (CaptureWriter writer = format.equals("pcap") ? new PcapWriter(sink) : new PcapNgWriter(sink)) {
            for (int i = 0; i < PACKETS; i++) {
                writer.write(i * 1_000L, ipv4(SIZES_BYTES[i % SIZES_BYTES.length]));
            }
        }
        capture = sink.toByteArray();
        file = Files.createTempFile("jtcp-bench-", "." + format);
        Files.write(file, capture);
    }

    @TearDown(Level.Trial)
    public void deleteCapture() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long fromMemory() throws IOException {
        return drain(CaptureReader.of(capture));
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long fromFile() throws IOException {
        try (CaptureReader reader = CaptureReader.open(file)) {
            return drain(reader);
        }
    }

    private long drain(CaptureReader reader) throws IOException {
        long ipBytes = 0;
        while (reader.next(packet)) {
            ipBytes += packet.ip().remaining();
        }
        return ipBytes;
    }

    /** An IPv4 header with version, header length and total length set; the rest zero. */
    private static ByteBuffer ipv4(int totalLengthBytes) {
        ByteBuffer packet = ByteBuffer.allocate(totalLengthBytes);
        packet.put(0, (byte) 0x45);
        packet.putShort(2, (short) totalLengthBytes);
        return packet;
    }
}
