package dev.jtcp.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.link.PacketSink;
import dev.jtcp.link.TcpSegmenter;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.SimLink;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpHandler;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sender's super-packets (TSO/GSO): on a link that cuts them ({@link
 * PacketSink#offloadsSegmentation}), data leaves in segments of whole MSS with {@code gso_size},
 * which the link cuts into wire packets; the books stay per MSS, so loss recovery (RACK, SACK)
 * resends exactly what was lost and every byte arrives once, in order. Virtual time.
 */
class SuperPacketSendingTest {
    private static final long MS = 1_000_000L;
    private static final IpAddress SERVER = IpAddress.parse("198.18.0.2");
    private static final int BYTES = 3_000_000;

    /** A device in front of the simulated port that cuts super-packets in software, counting them. */
    private static final class CuttingPort implements PacketSink {
        private final PacketSink port;
        long superPackets;
        int largestGso;

        CuttingPort(PacketSink port) {
            this.port = port;
        }

        @Override
        public void transmit(ByteBuffer packet) {
            port.transmit(packet);
        }

        @Override
        public void transmitGso(ByteBuffer packet, int gsoSize) {
            superPackets++;
            largestGso = Math.max(largestGso, packet.remaining());
            TcpSegmenter.forThisThread().segment(packet, gsoSize, port);
        }

        @Override
        public boolean offloadsSegmentation() {
            return true;
        }
    }

    private record Result(long received, boolean intact, CuttingPort clientPort, TcpConnection client) {}

    private static Result transfer(Impairments impairments, long seed) {
        SimNetwork net = new SimNetwork(seed);
        SplittableRandom r = new SplittableRandom(seed);
        TcpConfig cfg = TcpConfig.defaults();
        Host c = new Host("client", cfg, r.split()).addAddress("198.18.0.1/24").mtu(1500);
        Host s = new Host("server", cfg, r.split()).addAddress("198.18.0.2/24").mtu(1500);
        SimHost sc = new SimHost(c);
        SimHost ss = new SimHost(s);
        SimLink link = SimHost.connect(net, sc, ss, impairments, impairments);
        CuttingPort clientPort = new CuttingPort(link.port(sc));
        c.attach(clientPort);
        TcpListener l = s.listen(0, 80, 8);
        TcpConnection client = c.connect(0, SERVER, 80);
        net.runFor(50 * MS);
        TcpConnection server = l.accept();
        long[] received = {0};
        boolean[] intact = {true};
        ByteBuffer dst = ByteBuffer.allocate(256 * 1024);
        server.handler(new TcpHandler() {
            @Override
            public void onReadable(TcpConnection conn) {
                while (true) {
                    dst.clear();
                    int n = conn.receive(net.nowNs(), dst);
                    if (n <= 0) {
                        return;
                    }
                    for (int i = 0; i < n; i++) {
                        intact[0] &= dst.get(i) == pattern(received[0] + i);
                    }
                    received[0] += n;
                }
            }
        });
        long[] queued = {0};
        ByteBuffer src = ByteBuffer.allocate(64 * 1024);
        Runnable fill = () -> {
            while (queued[0] < BYTES) {
                src.clear();
                int k = (int) Math.min(src.capacity(), BYTES - queued[0]);
                for (int i = 0; i < k; i++) {
                    src.put(i, pattern(queued[0] + i));
                }
                src.limit(k);
                int n = client.send(net.nowNs(), src);
                queued[0] += n;
                if (n < k) {
                    return;
                }
            }
        };
        client.handler(new TcpHandler() {
            @Override
            public void onWritable(TcpConnection conn) {
                fill.run();
            }
        });
        fill.run();
        net.runWhile(() -> received[0] < BYTES, 600_000 * MS);
        return new Result(received[0], intact[0], clientPort, client);
    }

    private static byte pattern(long i) {
        return (byte) (i * 31 + (i >>> 11));
    }

    @Test
    void dataLeavesInSuperPacketsOfWholeMssAndArrivesIntact() {
        Result r = transfer(Impairments.builder().delayNs(5 * MS).build(), 1);
        assertThat(r.received).isEqualTo(BYTES);
        assertThat(r.intact).isTrue();
        assertThat(r.clientPort.superPackets).isPositive();
        // At least the initial window in one (the ACK clock, one ACK per two wire packets here, sets
        // later sizes), never more than an IP packet holds.
        assertThat(r.clientPort.largestGso).isGreaterThan(9 * 1448).isLessThanOrEqualTo(65535);
        // The books count one segment per MSS, as on the wire.
        assertThat(r.client.status().segmentsSent()).isGreaterThanOrEqualTo(BYTES / 1460);
        assertThat(r.client.status().retransmissions()).isZero();
    }

    @Test
    void lossInsideSuperPacketsIsRecoveredPieceByPiece() {
        for (long seed = 1; seed <= 3; seed++) {
            Result r = transfer(Impairments.builder().delayNs(5 * MS).lossProbability(0.02).build(), seed);
            assertThat(r.received).as("seed %d", seed).isEqualTo(BYTES);
            assertThat(r.intact).as("seed %d", seed).isTrue();
            assertThat(r.clientPort.superPackets).as("seed %d", seed).isPositive();
            assertThat(r.client.status().retransmissions()).as("seed %d", seed).isPositive()
                    // Resent per MSS: about the 2% lost (and what RACK thought lost), not whole super-packets.
                    .isLessThan(BYTES / 1448 / 8);
        }
    }
}
