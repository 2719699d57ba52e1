package dev.jtcp.link.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.link.impair.DropCause;
import dev.jtcp.link.impair.Fault;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.testutil.TestPackets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Packets over impaired links inside a network, as nodes and taps see them. */
class SimLinkTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private final SimNetwork net = new SimNetwork(17);
    private final TestNode a = new TestNode("a");
    private final TestNode b = new TestNode("b");
    private final List<String> tapLog = new ArrayList<>();

    /** Logs tap events as "kind@ms port seq". */
    private final SimTap logger = new SimTap() {
        @Override
        public void onTransmit(long nowNs, SimPort from, ByteBuffer packet) {
            tapLog.add("transmit@" + nowNs / MS + " " + from + " " + TestPackets.seq(packet));
        }

        @Override
        public void onDeliver(long nowNs, SimPort to, ByteBuffer packet) {
            tapLog.add("deliver@" + nowNs / MS + " " + to + " " + TestPackets.seq(packet));
        }

        @Override
        public void onDrop(long nowNs, SimPort port, ByteBuffer packet, DropCause cause) {
            tapLog.add("drop@" + nowNs / MS + " " + port + " " + TestPackets.seq(packet) + " " + cause);
        }

        @Override
        public void onFault(long nowNs, SimPort from, ByteBuffer packet, Fault fault) {
            tapLog.add("fault@" + nowNs / MS + " " + from + " " + TestPackets.seq(packet) + " " + fault);
        }
    };

    @Test
    void deliversToThePeerAfterTheLatencyOfItsDirection() {
        SimLink link = net.connect(a, b, Impairments.parse("delay=10ms"), Impairments.parse("delay=3ms"));
        net.addTap(logger);

        link.a().transmit(TestPackets.numbered(1, 40));
        link.b().transmit(TestPackets.numbered(2, 40));
        net.runUntilIdle(S);

        assertThat(b.arrivals).singleElement().satisfies(x -> {
            assertThat(x.atNs()).isEqualTo(10 * MS);
            assertThat(x.port()).isSameAs(link.b());
            assertThat(x.seq()).isEqualTo(1);
        });
        assertThat(a.arrivals).singleElement().satisfies(x -> assertThat(x.atNs()).isEqualTo(3 * MS));
        assertThat(tapLog).containsExactly(
                "transmit@0 link0.a 1", "transmit@0 link0.b 2", "deliver@3 link0.a 2", "deliver@10 link0.b 1");
        assertThat(link.a().transmitted()).isEqualTo(1);
        assertThat(link.b().received()).isEqualTo(1);
    }

    @Test
    void senderMayReuseItsBufferAtOnce() {
        SimLink link = net.connect(a, b, Impairments.parse("delay=1ms"));
        ByteBuffer buffer = ByteBuffer.allocate(16);
        for (int i = 0; i < 5; i++) {
            buffer.clear().putInt(0, i);
            link.a().transmit(buffer);
        }

        net.runUntilIdle(S);

        assertThat(b.seqs()).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void rateLimitedLinkDeliversSpacedBySerializationTime() {
        SimLink link = net.connect(a, b, Impairments.parse("delay=5ms,rate=8mbit"));
        for (int i = 0; i < 4; i++) {
            link.a().transmit(TestPackets.numbered(i, 1000));
        }

        net.runUntilIdle(S);

        // 1000 bytes at 8 Mbit/s: 1 ms each.
        assertThat(b.arrivals.stream().map(TestNode.Arrival::atNs).toList())
                .containsExactly(6 * MS, 7 * MS, 8 * MS, 9 * MS);
    }

    @Test
    void queueOverflowIsDroppedWithQueueFullAndSeenByTaps() {
        SimLink link = net.connect(a, b, Impairments.parse("rate=8mbit,queue=2"));
        net.addTap(logger);
        for (int i = 0; i < 4; i++) {
            link.a().transmit(TestPackets.numbered(i, 1000));
        }

        net.runUntilIdle(S);

        assertThat(b.seqs()).containsExactly(0, 1);
        assertThat(link.a().dropped(DropCause.QUEUE_FULL)).isEqualTo(2);
        assertThat(tapLog).contains("drop@0 link0.a 2 QUEUE_FULL", "drop@0 link0.a 3 QUEUE_FULL");
    }

    @Test
    void duplicatedPacketsArriveTwiceAndEachCopyIsPrivate() {
        SimLink link = net.connect(a, b, Impairments.parse("duplicate=100%"));
        SimNode scribbler = new SimNode() {
            @Override
            public void onPacket(SimPort port, ByteBuffer packet, long nowNs) {
                a.onPacket(port, packet, nowNs);
                packet.putInt(packet.position(), -1);
            }
        };
        SimLink other = net.connect(new TestNode("c"), scribbler, Impairments.parse("duplicate=100%"));

        link.a().transmit(TestPackets.numbered(7, 40));
        other.a().transmit(TestPackets.numbered(8, 40));
        net.runUntilIdle(S);

        assertThat(b.seqs()).containsExactly(7, 7);
        assertThat(a.seqs()).as("copies seen by a node that scribbles on them").containsExactly(8, 8);
        assertThat(link.a().faulted(Fault.DUPLICATED)).isEqualTo(1);
    }

    @Test
    void corruptedPacketArrivesWithTheConfiguredNumberOfBitsFlipped() {
        SimLink link = net.connect(a, b, Impairments.parse("corrupt=100%,corruptbits=3"));
        List<byte[]> faulted = new ArrayList<>();
        net.addTap(new SimTap() {
            @Override
            public void onFault(long nowNs, SimPort from, ByteBuffer packet, Fault fault) {
                faulted.add(TestPackets.bytes(packet));
            }
        });
        byte[] sent = TestPackets.bytes(TestPackets.numbered(9, 200));

        link.a().transmit(ByteBuffer.wrap(sent));
        net.runUntilIdle(S);

        byte[] received = b.arrivals.getFirst().bytes();
        int flipped = 0;
        for (int i = 0; i < sent.length; i++) {
            flipped += Integer.bitCount((sent[i] ^ received[i]) & 0xff);
        }
        assertThat(flipped).isEqualTo(3);
        assertThat(faulted).singleElement().isEqualTo(received);
    }

    @Test
    void reorderedPacketIsOvertakenByTheNextOne() {
        SimLink link = net.connect(a, b, Impairments.parse("delay=10ms,reorder=30%,reorderdelay=25ms"));
        for (int i = 0; i < 40; i++) {
            int seq = i;
            net.schedule(i * MS, () -> link.a().transmit(TestPackets.numbered(seq, 40)));
        }

        net.runUntilIdle(S);

        List<Integer> inOrder = IntStream.range(0, 40).boxed().toList();
        assertThat(b.seqs()).containsExactlyInAnyOrderElementsOf(inOrder).isNotEqualTo(inOrder);
    }

    @Test
    void steadyTrafficReusesPooledBuffers() {
        SimLink link = net.connect(a, b, Impairments.parse("delay=1ms"));
        SimNode echo = new SimNode() {
            @Override
            public void onPacket(SimPort port, ByteBuffer packet, long nowNs) {
                port.transmit(packet);
            }
        };
        SimLink loop = net.connect(new TestNode("c"), echo, Impairments.parse("delay=1ms"));
        for (int i = 0; i < 10_000; i++) {
            int seq = i;
            net.schedule(i * MS / 10, () -> {
                link.a().transmit(TestPackets.numbered(seq, 100 + seq % 1000));
                loop.a().transmit(TestPackets.numbered(seq, 60));
            });
        }

        net.runUntilIdle(10 * S);

        assertThat(b.arrivals).hasSize(10_000);
        assertThat(loop.a().received()).isEqualTo(10_000);
        assertThat(net.buffersAllocated()).isLessThan(200);
    }
}
