package dev.jtcp.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hot path of the reader, {@code next(into)} with one reused holder, allocates nothing per
 * packet. Measured with the JVM's per-thread allocation counter, which counts bytes, not time, so
 * the check is deterministic. (Throughput is measured by CaptureReaderBenchmark in jtcp-bench.)
 */
class CaptureReaderAllocationTest {
    private static final int PACKETS = 200_000;

    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(strings = {"trace.pcap", "trace.pcapng"})
    void readsPacketsFromAFileWithoutAllocatingPerPacket(String fileName) throws IOException {
        Path file = directory.resolve(fileName);
        try (CaptureWriter writer = CaptureWriter.open(file)) {
            for (int i = 0; i < PACKETS; i++) {
                CaptureFixtures.Fixture fixture = CaptureFixtures.ALL.get(i % CaptureFixtures.ALL.size());
                writer.write(i, ByteBuffer.wrap(fixture.bytes()));
            }
        }
        CapturedPacket packet = new CapturedPacket();
        readAll(file, packet);

        long before = allocatedBytes();
        long ipBytes = readAll(file, packet);
        long allocated = allocatedBytes() - before;

        assertThat(ipBytes).isPositive();
        assertThat(allocated).as("bytes allocated reading %d packets: the 1 MiB chunk and a few objects", PACKETS)
                .isLessThan(ChunkedInput.DEFAULT_CHUNK_BYTES + 16 * 1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pcap", "pcapng"})
    void readsPacketsFromMemoryWithoutAllocatingPerPacket(String format) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (CaptureWriter writer = format.equals("pcap") ? new PcapWriter(sink) : new PcapNgWriter(sink)) {
            for (int i = 0; i < PACKETS; i++) {
                writer.write(i, ByteBuffer.wrap(CaptureFixtures.ALL.get(i % CaptureFixtures.ALL.size()).bytes()));
            }
        }
        byte[] capture = sink.toByteArray();
        CapturedPacket packet = new CapturedPacket();
        drain(CaptureReader.of(capture), packet);

        long before = allocatedBytes();
        long ipBytes = drain(CaptureReader.of(capture), packet);
        long allocated = allocatedBytes() - before;

        assertThat(ipBytes).isPositive();
        assertThat(allocated).as("bytes allocated reading %d packets", PACKETS).isLessThan(16 * 1024);
    }

    private static long readAll(Path file, CapturedPacket packet) throws IOException {
        try (CaptureReader reader = CaptureReader.open(file)) {
            return drain(reader, packet);
        }
    }

    private static long drain(CaptureReader reader, CapturedPacket packet) throws IOException {
        long ipBytes = 0;
        while (reader.next(packet)) {
            ipBytes += packet.ip().remaining();
        }
        assertThat(reader.endReason()).isEmpty();
        return ipBytes;
    }

    private static long allocatedBytes() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.getCurrentThreadAllocatedBytes();
    }
}
