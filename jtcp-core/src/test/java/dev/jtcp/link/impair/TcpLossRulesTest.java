package dev.jtcp.link.impair;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The deterministic TCP rules of {@link Impairments}: {@code relose} and {@code tail}, through a {@link FaultInjector}. */
class TcpLossRulesTest {
    private static final IpAddress SRC = IpAddress.parse("198.18.0.2");
    private static final IpAddress DST = IpAddress.parse("198.18.0.1");
    private static final int ISN = -100;
    private static final int MSS = 1000;

    /** A packet of the flow 198.18.0.2:80 → 198.18.0.1:4000: the SYN, or data at stream offset {@code offset}. */
    private static ByteBuffer packet(boolean syn, long offset, int length) {
        TcpSegment s = new TcpSegment();
        s.srcPort = 80;
        s.dstPort = 4000;
        s.flags = syn ? TcpFlags.SYN | TcpFlags.ACK : TcpFlags.ACK;
        s.seq = syn ? ISN : ISN + 1 + (int) offset;
        s.payload(ByteBuffer.allocate(length), 0, length);
        ByteBuffer b = ByteBuffer.allocate(PacketWriter.tcpPacketLength(SRC, s));
        new PacketWriter().writeTcp(b, 0, SRC, DST, 64, 0, s);
        return b;
    }

    /** Offers the packets in order; returns, for each, whether it was lost. */
    private static List<Boolean> offer(Impairments imp, List<ByteBuffer> packets) {
        FaultInjector injector = new FaultInjector(imp, 1);
        List<Boolean> lost = new ArrayList<>();
        for (ByteBuffer p : packets) {
            boolean[] dropped = {false};
            injector.offer(p, 0, new FaultInjector.Output() {
                @Override
                public void onDeliver(ByteBuffer packet, long deliverAtNs) {
                }

                @Override
                public void onDrop(ByteBuffer packet, DropCause cause) {
                    assertThat(cause).isEqualTo(DropCause.LOSS);
                    dropped[0] = true;
                }
            });
            lost.add(dropped[0]);
        }
        return lost;
    }

    @Test
    void tailLosesTheFirstTransmissionOfTheLastSegmentsBeforeEachPeriod() {
        Impairments imp = Impairments.parse("tail=2/5000");
        List<ByteBuffer> packets = new ArrayList<>();
        packets.add(packet(true, 0, 0));
        for (int k = 0; k < 10; k++) {
            packets.add(packet(false, k * MSS, MSS));
        }
        // The tail of the first period again (a retransmission), then of the second.
        packets.add(packet(false, 3 * MSS, MSS));
        packets.add(packet(false, 4 * MSS, MSS));
        List<Boolean> lost = offer(imp, packets);

        assertThat(lost.subList(0, 11)).containsExactly(false, false, false, false, true, true, false, false, false,
                true, true);
        assertThat(lost.subList(11, 13)).as("retransmissions pass").containsExactly(false, false);
    }

    @Test
    void reloseLosesTheRetransmissionsOfALostSegmentThatManyTimes() {
        Impairments imp = Impairments.parse("tail=1/3000,relose=2");
        List<ByteBuffer> packets = new ArrayList<>();
        packets.add(packet(true, 0, 0));
        packets.add(packet(false, 0, MSS));
        packets.add(packet(false, MSS, MSS));
        packets.add(packet(false, 2 * MSS, MSS)); // the tail rule loses it
        for (int k = 0; k < 3; k++) {
            packets.add(packet(false, 2 * MSS, MSS)); // resent three times
        }
        packets.add(packet(false, 2 * MSS + 500, 1000)); // new data overlapping nothing lost
        List<Boolean> lost = offer(imp, packets);

        assertThat(lost).containsExactly(false, false, false, true, true, true, false, false);
    }

    @Test
    void reloseAppliesToRandomLossAndLeavesEverythingElseAlone() {
        Impairments imp = Impairments.parse("loss=50%,relose=1");
        List<ByteBuffer> packets = new ArrayList<>();
        packets.add(packet(true, 0, 0));
        for (int k = 0; k < 200; k++) {
            packets.add(packet(false, k * MSS, MSS));
        }
        List<Boolean> first = offer(Impairments.parse("loss=50%"), packets);
        List<Boolean> withRelose = offer(imp, packets);
        assertThat(withRelose).as("the random draws are the same").isEqualTo(first);
        // Each lost segment, resent: lost again the first time, through the second.
        List<ByteBuffer> again = new ArrayList<>(packets);
        for (int k = 0; k < 200; k++) {
            if (first.get(k + 1)) {
                again.add(packet(false, k * MSS, MSS));
                again.add(packet(false, k * MSS, MSS));
            }
        }
        FaultInjector injector = new FaultInjector(imp, 1);
        List<Boolean> fates = new ArrayList<>();
        for (ByteBuffer p : again) {
            boolean[] dropped = {false};
            injector.offer(p, 0, new FaultInjector.Output() {
                @Override
                public void onDeliver(ByteBuffer packet, long deliverAtNs) {
                }

                @Override
                public void onDrop(ByteBuffer packet, DropCause cause) {
                    dropped[0] = true;
                }
            });
            fates.add(dropped[0]);
        }
        List<Boolean> resends = fates.subList(packets.size(), fates.size());
        for (int i = 0; i < resends.size(); i += 2) {
            assertThat(resends.get(i)).as("first resend").isTrue();
        }
        // The second resends still draw random loss: about half are lost, never all.
        long secondLost = java.util.stream.IntStream.range(0, resends.size() / 2)
                .filter(i -> resends.get(2 * i + 1)).count();
        assertThat(secondLost).isLessThan(resends.size() / 2);
    }
}
