package dev.jtcp.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.sim.SimHost;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpHandler;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.IpAddress;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The steady-state data path allocates nothing: a bulk transfer between two hosts (engine, host,
 * timer wheel, packet writer and parser, and the simulator's pooled buffers) is measured with the
 * JVM's per-thread allocation counter after a warm-up round.
 */
class SteadyStateAllocationTest {
    @Test
    void bulkTransferAllocatesNothingPerSegment() {
        SimNetwork net = new SimNetwork(1);
        SplittableRandom r = new SplittableRandom(1);
        Host c = new Host("c", TcpConfig.defaults(), r.split()).addAddress("198.18.0.1/24");
        Host s = new Host("s", TcpConfig.defaults(), r.split()).addAddress("198.18.0.2/24");
        Impairments oneMs = Impairments.builder().delayNs(1_000_000).build();
        SimHost.connect(net, new SimHost(c), new SimHost(s), oneMs, oneMs);
        TcpListener l = s.listen(0, 80, 8);
        TcpConnection client = c.connect(0, IpAddress.parse("198.18.0.2"), 80);
        net.runFor(100_000_000);
        TcpConnection server = l.accept();
        ByteBuffer src = ByteBuffer.allocate(1 << 20);
        ByteBuffer dst = ByteBuffer.allocate(1 << 20);
        server.handler(new TcpHandler() {
            @Override
            public void onReadable(TcpConnection x) {
                while (true) {
                    dst.clear();
                    if (x.receive(net.nowNs(), dst) <= 0) {
                        return;
                    }
                }
            }
        });
        client.handler(new TcpHandler() {
            @Override
            public void onWritable(TcpConnection x) {
                src.clear();
                x.send(net.nowNs(), src);
            }
        });
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        double perSegment = Double.MAX_VALUE;
        for (int round = 0; round < 4; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            long segments = client.status().segmentsSent() + server.status().segmentsSent();
            src.clear();
            client.send(net.nowNs(), src);
            net.runFor(500_000_000L);
            segments = client.status().segmentsSent() + server.status().segmentsSent() - segments;
            perSegment = Math.min(perSegment, (mx.getCurrentThreadAllocatedBytes() - before) / (double) segments);
        }
        assertThat(client.status().bytesSent()).isGreaterThan(100_000_000L);
        assertThat(perSegment).as("bytes allocated per segment in steady state").isLessThan(0.5);
    }
}
