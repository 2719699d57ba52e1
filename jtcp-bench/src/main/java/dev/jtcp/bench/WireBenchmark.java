package dev.jtcp.bench;

import dev.jtcp.wire.Checksum;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Receive-path cost of the wire layer: parsing and verifying a whole IPv4+TCP packet, and the
 * Internet checksum alone, for a 64-byte and a 1500-byte packet. Throughput in packets/s; multiply
 * by the size for bytes/s.
 *
 * <pre>java -jar jtcp-bench/target/benchmarks.jar WireBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WireBenchmark {
    /** IP packet size in bytes. */
    @Param({"64", "1500"})
    public int size;

    private ByteBuffer packet;
    private final IpPacket ip = new IpPacket();
    private final TcpPacket tcp = new TcpPacket();
    private final TcpSegment segment = new TcpSegment();

    @Setup
    public void setUp() {
        IpAddress src = IpAddress.parse("198.18.0.1");
        IpAddress dst = IpAddress.parse("198.18.0.2");
        TcpSegment s = new TcpSegment();
        s.srcPort = 40000;
        s.dstPort = 80;
        s.seq = 12345;
        s.ack = 67890;
        s.flags = TcpFlags.ACK | TcpFlags.PSH;
        s.window = 512;
        s.options.timestamps(1, 2);
        int payload = size - 20 - 20 - 12;
        byte[] data = new byte[payload];
        for (int i = 0; i < payload; i++) {
            data[i] = (byte) (i * 31);
        }
        s.payload(ByteBuffer.wrap(data), 0, payload);
        packet = ByteBuffer.allocateDirect(size);
        int n = new PacketWriter().writeTcp(packet, 0, src, dst, 64, 0, s);
        if (n != size) {
            throw new IllegalStateException("built " + n + " bytes, wanted " + size);
        }
    }

    /** IP validation (incl. header checksum), TCP header check, TCP checksum, options and fields. */
    @Benchmark
    public int parseAndVerify() {
        if (ip.wrap(packet, 0, size).check() != null) {
            throw new IllegalStateException();
        }
        tcp.wrap(packet, ip.payloadOffset(), ip.payloadLength());
        if (tcp.check() != null || !tcp.verifyChecksum(ip.pseudoHeaderSum()) || segment.readFrom(tcp) != null) {
            throw new IllegalStateException();
        }
        return segment.seq + segment.payloadLength;
    }

    /** The Internet checksum over the whole packet. */
    @Benchmark
    public int checksum() {
        return Checksum.finish(Checksum.sum(packet, 0, size));
    }
}
