package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.sim.SimHost;
import dev.jtcp.stack.Host;
import dev.jtcp.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Receive-buffer autotuning ({@link ReceiveAutotuner}, Linux's dynamic right-sizing) on the
 * simulator, in virtual time: a long fat path is filled with default settings, the window scale
 * comes from the autotuning maximum, an explicit SO_RCVBUF turns it off, and an idle connection
 * grows nothing.
 */
class ReceiveAutotuningTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final IpAddress SERVER = IpAddress.parse("198.18.0.2");
    private static final long RATE_BPS = 100_000_000L;

    /** A client sending {@code total} bytes to a server that reads everything at once. */
    private static final class Transfer {
        final SimNetwork net = new SimNetwork(7);
        final Host client;
        final Host server;
        TcpConnection sender;
        TcpConnection receiver;
        long received;
        long sent;
        /** Bytes received by the end of each 100 ms of virtual time. */
        final long[] receivedAt = new long[10_000];
        private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        private final ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        final long total;

        Transfer(TcpConfig config, long total) {
            this(config, config, total);
        }

        Transfer(TcpConfig clientConfig, TcpConfig serverConfig, long total) {
            this.total = total;
            SplittableRandom r = new SplittableRandom(7);
            client = new Host("client", clientConfig, r.split()).addAddress("198.18.0.1/24");
            server = new Host("server", serverConfig, r.split()).addAddress("198.18.0.2/24");
            // 100 Mbit/s, 50 ms each way (RTT 100 ms, BDP 1.25 MB), a queue of twice the BDP.
            Impairments path = Impairments.builder().delayNs(50 * MS).rateBitsPerSec(RATE_BPS)
                    .queueLimitBytes(2_500_000).build();
            SimHost.connect(net, new SimHost(client), new SimHost(server), path, path);
            TcpListener listener = server.listen(0, 80, 8);
            listener.handler(l -> {
                TcpConnection c = l.accept();
                if (c != null) {
                    receiver = c;
                    c.handler(new TcpHandler() {
                        @Override
                        public void onReadable(TcpConnection conn) {
                            drain();
                        }
                    });
                    drain();
                }
            });
            sender = client.connect(0, SERVER, 80, 40000);
            sender.handler(new TcpHandler() {
                @Override
                public void onConnected(TcpConnection conn) {
                    pump();
                }

                @Override
                public void onWritable(TcpConnection conn) {
                    pump();
                }
            });
        }

        void pump() {
            while (sent < total) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), total - sent));
                int n = sender.send(net.nowNs(), chunk);
                if (n == 0) {
                    return;
                }
                sent += n;
            }
        }

        void drain() {
            while (true) {
                sink.clear();
                int n = receiver.receive(net.nowNs(), sink);
                if (n <= 0) {
                    return;
                }
                received += n;
            }
        }

        /** Runs until everything arrived (or the limit), noting progress every 100 ms. */
        void run(long limitNs) {
            for (int i = 0; received < total && i < receivedAt.length && net.nowNs() < limitNs; i++) {
                net.runUntil((i + 1) * 100 * MS);
                receivedAt[i] = received;
            }
        }
    }

    @Test
    void oneConnectionFillsA100MbitPathWith100MsRttWithDefaultSettings() {
        long total = 50_000_000L;
        Transfer t = new Transfer(TcpConfig.defaults(), total);
        t.run(60 * S);
        assertThat(t.received).as("bytes delivered").isEqualTo(total);
        // Steady state: the second half of the transfer, from the moment half the bytes arrived.
        double bitsPerSecond = steadyStateBitsPerSecond(t);
        assertThat(bitsPerSecond).as("steady-state goodput, bit/s").isGreaterThanOrEqualTo(0.8 * RATE_BPS);
        // The buffer grew past the 1.25 MB BDP from its 256 KiB start, and not past the maximum.
        assertThat(t.receiver.receiveBufferSize()).isGreaterThan(1_250_000)
                .isLessThanOrEqualTo(TcpConfig.defaults().receiveBufferMaxBytes());
        // The window scale was chosen from the 6 MiB maximum at SYN time: 7, as Linux.
        assertThat(t.receiver.status().rcvWndScale()).isEqualTo(7);
    }

    /** Goodput over the second half of the transfer (from the moment half the bytes arrived). */
    private static double steadyStateBitsPerSecond(Transfer t) {
        int half = 0;
        while (t.receivedAt[half] < t.total / 2) {
            half++;
        }
        int end = half;
        while (t.receivedAt[end] < t.total) {
            end++;
        }
        double seconds = (end - half) / 10.0;
        return (t.receivedAt[end] - t.receivedAt[half]) * 8 / seconds;
    }

    @Test
    void withoutReceiveAutotuningTheSamePathIsWindowLimited() {
        // The control: a fixed 256 KiB window allows 256 KiB per 100 ms, about 21 Mbit/s.
        TcpConfig fixed = TcpConfig.builder().receiveBufferMaxBytes(256 * 1024).build();
        Transfer t = new Transfer(TcpConfig.defaults(), fixed, 10_000_000L);
        t.run(60 * S);
        assertThat(t.received).isEqualTo(10_000_000L);
        assertThat(steadyStateBitsPerSecond(t)).isLessThan(0.3 * RATE_BPS);
    }

    @Test
    void anExplicitReceiveBufferTurnsAutotuningOff() {
        // SO_RCVBUF (TcpConnection.receiveBufferSize, before the handshake) fixes the size, and the scale.
        ReceiveBuffer buf = new ReceiveBuffer(256 * 1024, 6 << 20);
        assertThat(buf.grow(1 << 20)).isTrue();
        buf.resize(128 * 1024);
        assertThat(buf.maxCapacity()).isEqualTo(128 * 1024);
        assertThat(buf.grow(1 << 20)).isFalse();
        assertThat(buf.capacity()).isEqualTo(128 * 1024);
        // A host whose buffer is fixed (maximum = start) keeps it through a transfer.
        TcpConfig fixed = TcpConfig.builder().receiveBufferBytes(128 * 1024).receiveBufferMaxBytes(128 * 1024).build();
        assertThat(fixed.receiveAutotuning()).isFalse();
        Transfer t = new Transfer(TcpConfig.defaults(), fixed, 5_000_000L);
        t.run(60 * S);
        assertThat(t.received).isEqualTo(5_000_000L);
        assertThat(t.receiver.receiveBufferSize()).isEqualTo(128 * 1024);
        // Scale from the buffer itself: 128 KiB needs 2 (65535 << 1 is too small).
        assertThat(t.receiver.status().rcvWndScale()).isEqualTo(2);
    }

    @Test
    void theRfcProfileKeepsItsFixedBuffer() {
        Transfer t = new Transfer(TcpConfig.rfc(), 3_000_000L);
        t.run(60 * S);
        assertThat(t.received).isEqualTo(3_000_000L);
        assertThat(t.receiver.receiveBufferSize()).isEqualTo(TcpConfig.rfc().receiveBufferBytes());
    }

    @Test
    void anIdleConnectionGrowsNothing() {
        Transfer t = new Transfer(TcpConfig.defaults(), 0);
        t.net.runUntil(S);
        assertThat(t.receiver.state()).isEqualTo(TcpState.ESTABLISHED);
        int before = t.receiver.receiveBufferSize();
        t.net.runUntil(600 * S);
        assertThat(t.receiver.receiveBufferSize()).isEqualTo(before).isEqualTo(TcpConfig.defaults().receiveBufferBytes());
        assertThat(t.receiver.tcb().rcvBuf.isAllocated()).as("receive ring allocated").isFalse();
        assertThat(t.sender.tcb().rcvBuf.isAllocated()).isFalse();
    }
}
