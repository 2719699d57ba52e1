package dev.jtcp.bench;

import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.pcap.PcapWriter;
import dev.jtcp.trace.CaptureAnalyzer;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Packets per second through {@link CaptureAnalyzer} (reading, decoding, connection tracking, state
 * inference and anomaly counting), the work behind {@code jtcp trace}. The requirement is at least
 * one million packets per second; the score is in packets per second (one operation = one packet).
 *
 * <p>The capture is 2,000 connections of 49 packets each, interleaved ten at a time as on a busy
 * server: handshake, 28 full-size segments from the server with an ACK for every second one, and a
 * four-way close.
 *
 * <p>Thread-safety: JMH state, one instance per benchmark trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CaptureAnalyzerBenchmark {
    static final int CONNECTIONS = 2_000;
    static final int PER_CONNECTION = 49;
    private static final int DATA_SEGMENTS = 28;
    private static final int TOGETHER = 10;
    private static final int MSS = 1460;

    private byte[] capture;

    @Setup(Level.Trial)
    public void writeCapture() throws IOException {
        capture = capture();
    }

    @Benchmark
    @OperationsPerInvocation(CONNECTIONS * PER_CONNECTION)
    public int analyse() throws IOException {
        return CaptureAnalyzer.analyze(CaptureReader.of(capture)).connections().size();
    }

    /** The capture described in the class comment, as a pcap file in memory. */
    static byte[] capture() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PacketWriter writer = new PacketWriter();
        ByteBuffer packet = ByteBuffer.allocate(2048);
        ByteBuffer payload = ByteBuffer.allocate(MSS);
        TcpSegment seg = new TcpSegment();
        IpAddress server = IpAddress.parse("198.18.1.1");
        long time = 0;
        try (PcapWriter pcap = new PcapWriter(sink)) {
            for (int group = 0; group < CONNECTIONS; group += TOGETHER) {
                for (int step = 0; step < PER_CONNECTION; step++) {
                    for (int c = group; c < group + TOGETHER; c++) {
                        IpAddress client = IpAddress.ofV4(198, 18, 2 + (c >>> 8), c & 0xFF);
                        boolean fromClient = step(seg, c, step, payload);
                        int n = fromClient ? writer.writeTcp(packet, 0, client, server, 64, 0, seg)
                                : writer.writeTcp(packet, 0, server, client, 64, 0, seg);
                        pcap.write(time += 1_000, packet.limit(n).position(0));
                        packet.clear();
                    }
                }
            }
        }
        return sink.toByteArray();
    }

    /** Fills {@code seg} with packet {@code step} of connection {@code c}; returns whether the client sends it. */
    private static boolean step(TcpSegment seg, int c, int step, ByteBuffer payload) {
        int ci = 1_000 * c;
        int si = 7_000_000 + c;
        int dataEnd = si + 1 + DATA_SEGMENTS * MSS;
        seg.clear();
        seg.window = 65535;
        boolean fromClient;
        if (step < 3) {
            fromClient = step != 1;
            seg.flags = step == 0 ? TcpFlags.SYN : step == 1 ? TcpFlags.SYN | TcpFlags.ACK : TcpFlags.ACK;
            seg.seq = step == 1 ? si : step == 0 ? ci : ci + 1;
            seg.ack = step == 1 ? ci + 1 : step == 2 ? si + 1 : 0;
        } else if (step < PER_CONNECTION - 4) {
            int round = (step - 3) / 3;
            int position = (step - 3) % 3;
            fromClient = position == 2;
            seg.flags = fromClient ? TcpFlags.ACK : TcpFlags.ACK | TcpFlags.PSH;
            if (fromClient) {
                seg.seq = ci + 1;
                seg.ack = si + 1 + (2 * round + 2) * MSS;
            } else {
                seg.seq = si + 1 + (2 * round + position) * MSS;
                seg.ack = ci + 1;
                seg.payload(payload, 0, MSS);
            }
        } else {
            int k = step - (PER_CONNECTION - 4);
            fromClient = k == 0 || k == 3;
            seg.flags = k == 0 || k == 2 ? TcpFlags.FIN | TcpFlags.ACK : TcpFlags.ACK;
            seg.seq = fromClient ? ci + 1 + (k == 3 ? 1 : 0) : dataEnd;
            seg.ack = fromClient ? dataEnd + (k == 3 ? 1 : 0) : ci + 2;
        }
        seg.srcPort = fromClient ? 32768 + c : 80;
        seg.dstPort = fromClient ? 80 : 32768 + c;
        return fromClient;
    }
}
