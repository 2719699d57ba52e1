package dev.jtcp.tcp;

import static dev.jtcp.testutil.TwoHosts.MS;
import static dev.jtcp.testutil.TwoHosts.S;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.link.impair.DropCause;
import dev.jtcp.link.impair.Fault;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.SimPort;
import dev.jtcp.link.sim.SimTap;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.TwoHosts;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Explicit Congestion Notification (RFC 3168, RFC 9293 SHLD-8) end to end on the simulator: a bulk
 * transfer through a bottleneck whose queue marks ECN-capable packets instead of dropping them. The
 * handshake details are in the conformance scripts ({@code conformance/scripts/ecn/}).
 */
class EcnTest {
    private static final int BYTES = 3_000_000;
    /** 10 Mbit/s with a 60-packet queue: the sender's slow start overflows it without ECN. */
    private static final Impairments BOTTLENECK = Impairments.parse("delay=10ms,rate=10mbit,queue=60,cethreshold=15");
    private static final Impairments BACK = Impairments.parse("delay=10ms");

    /**
     * What one transfer showed. With seed 5: ECN 2.57 s, 140 CE marks, 6 reductions, no drop, SRTT
     * 30 ms; without, 2.90 s, 80 queue drops, 156 retransmissions, SRTT 84 ms (the full queue).
     */
    private record Run(ConnectionStatus client, ConnectionStatus server, long delivered, long queueDrops,
                       long ceMarks, Map<String, Long> ecnCodepoints, long elapsedNs) {
    }

    /** The client sends {@link #BYTES} to the server through {@link #BOTTLENECK}, then closes. */
    private static Run transfer(TcpConfig.EcnMode clientEcn) {
        TcpConfig clientConfig = TcpConfig.builder().ecn(clientEcn).build();
        TwoHosts t = new TwoHosts(5, clientConfig, TcpConfig.defaults(), BOTTLENECK, BACK);
        long[] drops = new long[1];
        long[] marks = new long[1];
        Map<String, Long> codepoints = new TreeMap<>();
        IpPacket ip = new IpPacket();
        TcpPacket tcp = new TcpPacket();
        t.net.addTap(new SimTap() {
            @Override
            public void onTransmit(long nowNs, SimPort from, ByteBuffer packet) {
                ip.wrap(packet, packet.position(), packet.remaining()).check();
                tcp.wrap(packet, ip.payloadOffset(), ip.payloadLength()).check();
                String kind = (tcp.flags() & TcpFlags.SYN) != 0 ? "syn" : tcp.payloadLength() > 0 ? "data" : "ack";
                String ecn = switch (ip.tos() & 3) {
                    case 0 -> "not-ect";
                    case 2 -> "ect0";
                    default -> "other";
                };
                codepoints.merge(kind + " " + ecn, 1L, Long::sum);
            }

            @Override
            public void onDrop(long nowNs, SimPort port, ByteBuffer packet, DropCause cause) {
                if (cause == DropCause.QUEUE_FULL) {
                    drops[0]++;
                }
            }

            @Override
            public void onFault(long nowNs, SimPort from, ByteBuffer packet, Fault fault) {
                if (fault == Fault.CE_MARKED) {
                    marks[0]++;
                }
            }
        });
        TcpListener l = t.server.listen(t.now(), 80, 4);
        TcpConnection c = t.client.connect(t.now(), TwoHosts.SERVER, 80);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long[] sent = {0};
        c.handler(new TcpHandler() {
            @Override
            public void onConnected(TcpConnection conn) {
                onWritable(conn);
            }

            @Override
            public void onWritable(TcpConnection conn) {
                while (sent[0] < BYTES) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), BYTES - sent[0]));
                    int n = conn.send(t.now(), chunk);
                    if (n == 0) {
                        return;
                    }
                    sent[0] += n;
                }
                if (conn.state() == TcpState.ESTABLISHED) {
                    conn.close(t.now());
                }
            }
        });
        long start = t.now();
        t.runFor(50 * MS);
        TcpConnection s = l.accept();
        assertThat(s).isNotNull();
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        long[] delivered = {0};
        long[] doneAt = {-1};
        s.handler(new TcpHandler() {
            @Override
            public void onReadable(TcpConnection conn) {
                int n;
                while ((n = conn.receive(t.now(), sink.clear())) > 0) {
                    delivered[0] += n;
                }
                if (delivered[0] == BYTES && doneAt[0] < 0) {
                    doneAt[0] = t.now();
                }
            }
        });
        s.handler().onReadable(s);
        for (int i = 0; i < 600 && delivered[0] < BYTES; i++) {
            t.runFor(100 * MS);
        }
        return new Run(c.status(), s.status(), delivered[0], drops[0], marks[0], codepoints, doneAt[0] - start);
    }

    @Test
    @Requirement("SHLD-8")
    void aMarkingBottleneckSlowsTheSenderWithoutALoss() {
        Run ecn = transfer(TcpConfig.EcnMode.ON);
        assertThat(ecn.delivered()).isEqualTo(BYTES);
        assertThat(ecn.client().ecn()).isTrue();
        assertThat(ecn.server().ecn()).isTrue();
        assertThat(ecn.ceMarks()).as("the queue marked packets").isPositive();
        assertThat(ecn.server().ceReceived()).isEqualTo(ecn.ceMarks());
        assertThat(ecn.client().ecnReductions()).as("the sender answered the echoes").isPositive();
        assertThat(ecn.queueDrops()).as("the queue never overflowed").isZero();
        assertThat(ecn.client().retransmissions()).isZero();
        assertThat(ecn.ecnCodepoints()).as("ECT(0) on data only; SYNs and ACKs Not-ECT")
                .containsOnlyKeys("syn not-ect", "data ect0", "ack not-ect");

        // The same transfer without ECN: the queue overflows and the sender must retransmit.
        Run plain = transfer(TcpConfig.EcnMode.OFF);
        assertThat(plain.delivered()).isEqualTo(BYTES);
        assertThat(plain.client().ecn()).isFalse();
        assertThat(plain.ceMarks()).isZero();
        assertThat(plain.queueDrops()).isPositive();
        assertThat(plain.client().retransmissions()).isPositive();
        assertThat(plain.ecnCodepoints()).containsOnlyKeys("syn not-ect", "data not-ect", "ack not-ect");
        // Goodput is at least as good with ECN (10 Mbit/s bottleneck: at most 1.25 MB/s).
        assertThat(ecn.elapsedNs()).isLessThanOrEqualTo(plain.elapsedNs() + 100 * MS);
        assertThat(ecn.elapsedNs()).isGreaterThan(BYTES * 8L * S / 10_000_000L);
    }

    @Test
    @Requirement("SHLD-8")
    void bothEndsAcceptingMeansNoEcn() {
        Run run = transfer(TcpConfig.EcnMode.ACCEPT);
        assertThat(run.delivered()).isEqualTo(BYTES);
        assertThat(run.client().ecn()).as("nobody asked").isFalse();
        assertThat(run.ceMarks()).isZero();
    }
}
