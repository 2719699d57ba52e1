package dev.jtcp.link.impair;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.link.impair.Impairments.GilbertElliott;
import dev.jtcp.testutil.TestPackets;
import dev.jtcp.wire.Checksum;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fault injector on its own, as a real link would use it: packets offered at given times. */
class FaultInjectorTest {

    private static final long MS = 1_000_000L;

    /** Records the injector's decisions. */
    private static final class Recorder implements FaultInjector.Output {
        record Delivery(long atNs, byte[] bytes) {
            int seq() {
                return ByteBuffer.wrap(bytes).getInt(0);
            }
        }

        final List<Delivery> deliveries = new ArrayList<>();
        final List<DropCause> drops = new ArrayList<>();
        final List<Fault> faults = new ArrayList<>();

        @Override
        public void onDeliver(ByteBuffer packet, long deliverAtNs) {
            deliveries.add(new Delivery(deliverAtNs, TestPackets.bytes(packet)));
        }

        @Override
        public void onDrop(ByteBuffer packet, DropCause cause) {
            drops.add(cause);
        }

        @Override
        public void onFault(ByteBuffer packet, Fault fault) {
            faults.add(fault);
        }
    }

    private final Recorder out = new Recorder();

    @Test
    void perfectLinkDeliversAtOnceUnchanged() {
        FaultInjector injector = new FaultInjector(Impairments.NONE, 1);
        ByteBuffer packet = TestPackets.numbered(7, 100);

        injector.offer(packet, 5 * MS, out);

        assertThat(out.deliveries).singleElement().satisfies(d -> {
            assertThat(d.atNs()).isEqualTo(5 * MS);
            assertThat(d.bytes()).isEqualTo(TestPackets.bytes(TestPackets.numbered(7, 100)));
        });
        assertThat(out.drops).isEmpty();
        assertThat(out.faults).isEmpty();
    }

    @Test
    void leavesTheCallersBufferAsItWasAndAcceptsReadOnlyBuffers() {
        FaultInjector injector = new FaultInjector(Impairments.parse("corrupt=100%,duplicate=100%"), 1);
        ByteBuffer packet = ByteBuffer.allocate(64).put(TestPackets.numbered(3, 40)).flip().position(0);
        byte[] before = TestPackets.bytes(packet);

        injector.offer(packet.asReadOnlyBuffer(), 0, out);

        assertThat(packet.position()).isZero();
        assertThat(packet.limit()).isEqualTo(40);
        assertThat(TestPackets.bytes(packet)).isEqualTo(before);
        assertThat(out.deliveries).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"uniform", "normal"})
    void jitterStaysWithinItsBoundsAndNeverReorders(String distribution) {
        long delayNs = 10 * MS;
        long jitterNs = 4 * MS;
        FaultInjector injector = new FaultInjector(
                Impairments.parse("delay=10ms,jitter=4ms,jitterdist=" + distribution), 42);
        long spacingNs = MS / 10;
        for (int i = 0; i < 10_000; i++) {
            injector.offer(TestPackets.numbered(i, 40), i * spacingNs, out);
        }

        assertThat(out.deliveries).hasSize(10_000);
        long previousNs = Long.MIN_VALUE;
        int clamped = 0;
        for (int i = 0; i < out.deliveries.size(); i++) {
            Recorder.Delivery d = out.deliveries.get(i);
            long sentNs = i * spacingNs;
            assertThat(d.seq()).isEqualTo(i);
            assertThat(d.atNs()).isBetween(sentNs + delayNs - jitterNs, sentNs + delayNs + jitterNs);
            assertThat(d.atNs()).isGreaterThanOrEqualTo(previousNs);
            clamped += d.atNs() == previousNs ? 1 : 0;
            previousNs = d.atNs();
        }
        assertThat(clamped).as("packets held to keep FIFO order").isPositive();
        assertThat(out.deliveries.stream().map(d -> d.atNs() % spacingNs).distinct().count())
                .as("distinct jitter offsets").isGreaterThan(100);
    }

    @Test
    void randomLossRateIsWithinFiveSigmaOverOneHundredThousandPackets() {
        FaultInjector injector = new FaultInjector(Impairments.parse("loss=5%"), 2024);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            injector.offer(TestPackets.numbered(i, 20), i, out);
        }

        // Binomial(100000, 0.05): mean 5000, standard deviation 68.9.
        assertThat(injector.dropped(DropCause.LOSS)).isBetween(5000L - 345, 5000L + 345);
        assertThat(out.drops).containsOnly(DropCause.LOSS);
        assertThat(injector.offered()).isEqualTo(n);
        assertThat(injector.delivered() + injector.dropped(DropCause.LOSS)).isEqualTo(n);
    }

    @Test
    void gilbertElliottLosesInLongerRunsThanBernoulliAtTheSameAverageRate() {
        // P(good→bad) 1%, P(bad→good) 25%, all lost in bad: loss rate 0.01/0.26 ≈ 3.85%, mean run 4.
        GilbertElliott ge = new GilbertElliott(0.01, 0.25, 1, 0);
        double rate = 0.01 / 0.26;
        int n = 100_000;
        LossRuns burst = lossRuns(Impairments.builder().gilbertElliott(ge).build(), n);
        LossRuns random = lossRuns(Impairments.builder().lossProbability(rate).build(), n);

        assertThat(burst.lost / (double) n).isBetween(rate * 0.85, rate * 1.15);
        assertThat(random.lost / (double) n).isBetween(rate * 0.9, rate * 1.1);
        assertThat(burst.meanRunLength()).isBetween(3.5, 4.5);
        assertThat(random.meanRunLength()).isLessThan(1.1);
    }

    private record LossRuns(long lost, long runs) {
        double meanRunLength() {
            return lost / (double) runs;
        }
    }

    private static LossRuns lossRuns(Impairments imp, int n) {
        FaultInjector injector = new FaultInjector(imp, 99);
        Recorder recorder = new Recorder();
        long runs = 0;
        boolean lastLost = false;
        for (int i = 0; i < n; i++) {
            int dropsBefore = recorder.drops.size();
            injector.offer(TestPackets.numbered(i, 20), i, recorder);
            boolean lost = recorder.drops.size() > dropsBefore;
            runs += lost && !lastLost ? 1 : 0;
            lastLost = lost;
        }
        return new LossRuns(recorder.drops.size(), runs);
    }

    @Test
    void reorderingHoldsPacketsBackSoLaterOnesOvertake() {
        FaultInjector injector = new FaultInjector(Impairments.parse("delay=5ms,reorder=10%,reorderdelay=3ms"), 5);
        for (int i = 0; i < 1_000; i++) {
            injector.offer(TestPackets.numbered(i, 40), i * MS, out);
        }

        long held = injector.faulted(Fault.REORDERED);
        assertThat(held).isBetween(60L, 140L);
        List<Integer> arrivalOrder = out.deliveries.stream()
                .sorted((x, y) -> Long.compare(x.atNs(), y.atNs()))
                .map(Recorder.Delivery::seq)
                .toList();
        int overtaken = 0;
        for (int i = 1; i < arrivalOrder.size(); i++) {
            overtaken += arrivalOrder.get(i) < arrivalOrder.get(i - 1) ? 1 : 0;
        }
        assertThat(overtaken).isPositive().isLessThanOrEqualTo((int) held);
        assertThat(out.deliveries.stream().filter(d -> d.atNs() != d.seq() * MS + 5 * MS).count())
                .isEqualTo(held);
    }

    @Test
    void duplicationDeliversASecondIdenticalCopyRightAfterTheFirst() {
        FaultInjector injector = new FaultInjector(Impairments.parse("delay=1ms,duplicate=20%"), 11);
        for (int i = 0; i < 1_000; i++) {
            injector.offer(TestPackets.numbered(i, 40), i * MS, out);
        }

        long copies = injector.faulted(Fault.DUPLICATED);
        assertThat(copies).isBetween(150L, 250L);
        assertThat(out.deliveries).hasSize(1_000 + (int) copies);
        assertThat(injector.delivered()).isEqualTo(1_000 + copies);
        for (int i = 1; i < out.deliveries.size(); i++) {
            Recorder.Delivery previous = out.deliveries.get(i - 1);
            Recorder.Delivery d = out.deliveries.get(i);
            if (d.seq() == previous.seq()) {
                assertThat(d.atNs()).isEqualTo(previous.atNs());
                assertThat(d.bytes()).isEqualTo(previous.bytes());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void corruptionFlipsExactlyTheConfiguredNumberOfBitsInOneByte(int bits) {
        FaultInjector injector = new FaultInjector(Impairments.parse("corrupt=100%,corruptbits=" + bits), bits);
        for (int i = 0; i < 200; i++) {
            ByteBuffer packet = TestPackets.numbered(i, 1 + i % 100 + 4);
            byte[] sent = TestPackets.bytes(packet);

            injector.offer(packet, i, out);

            byte[] received = out.deliveries.getLast().bytes();
            int changedBytes = 0;
            int flippedBits = 0;
            for (int k = 0; k < sent.length; k++) {
                int diff = (sent[k] ^ received[k]) & 0xff;
                changedBytes += diff != 0 ? 1 : 0;
                flippedBits += Integer.bitCount(diff);
            }
            assertThat(changedBytes).isEqualTo(1);
            assertThat(flippedBits).isEqualTo(bits);
        }
        assertThat(out.faults).hasSize(200).containsOnly(Fault.CORRUPTED);
    }

    @Test
    void rateLimitSpacesDeparturesBySerializationTime() {
        // 1250 bytes at 10 Mbit/s take exactly 1 ms to serialize.
        FaultInjector injector = new FaultInjector(Impairments.parse("delay=2ms,rate=10mbit"), 1);
        for (int i = 0; i < 10; i++) {
            injector.offer(TestPackets.numbered(i, 1250), 0, out);
        }
        injector.offer(TestPackets.numbered(10, 1250), 50 * MS, out);

        assertThat(out.deliveries.stream().map(Recorder.Delivery::atNs).toList()).containsExactly(
                3 * MS, 4 * MS, 5 * MS, 6 * MS, 7 * MS, 8 * MS, 9 * MS, 10 * MS, 11 * MS, 12 * MS, 53 * MS);
    }

    @Test
    void fullQueueTailDropsUntilSerializationMakesRoom() {
        FaultInjector injector = new FaultInjector(Impairments.parse("rate=10mbit,queue=3"), 1);
        for (int i = 0; i < 5; i++) {
            injector.offer(TestPackets.numbered(i, 1250), 0, out);
        }
        injector.offer(TestPackets.numbered(5, 1250), MS, out);
        injector.offer(TestPackets.numbered(6, 1250), MS, out);

        assertThat(out.deliveries.stream().map(Recorder.Delivery::seq).toList()).containsExactly(0, 1, 2, 5);
        assertThat(out.drops).containsExactly(DropCause.QUEUE_FULL, DropCause.QUEUE_FULL, DropCause.QUEUE_FULL);
        assertThat(out.deliveries.getLast().atNs()).isEqualTo(4 * MS);
    }

    @Test
    void byteLimitCountsBytesNotPackets() {
        FaultInjector injector = new FaultInjector(Impairments.parse("rate=1mbit,queuebytes=3000"), 1);
        injector.offer(TestPackets.numbered(0, 1500), 0, out);
        injector.offer(TestPackets.numbered(1, 1000), 0, out);
        injector.offer(TestPackets.numbered(2, 600), 0, out);
        injector.offer(TestPackets.numbered(3, 500), 0, out);

        assertThat(out.deliveries.stream().map(Recorder.Delivery::seq).toList()).containsExactly(0, 1, 3);
        assertThat(injector.dropped(DropCause.QUEUE_FULL)).isEqualTo(1);
    }

    /** An IPv4 packet with the ECN field {@code ecn} and a valid header checksum. */
    private static ByteBuffer ipv4WithEcn(int id, int ecn) {
        ByteBuffer p = TestPackets.ipv4("198.18.0.1", "198.18.0.2", id, 100);
        p.put(1, (byte) (0xB8 | ecn)); // DSCP EF, which marking must leave alone
        p.putShort(10, (short) Checksum.finish(Checksum.sum(p, 0, 20)));
        return p;
    }

    @Test
    void ceMarkingTouchesOnlyEcnCapablePacketsAndKeepsTheHeaderChecksumValid() {
        FaultInjector injector = new FaultInjector(Impairments.parse("ce=100%"), 1);
        injector.offer(ipv4WithEcn(0, 0b00), 0, out); // Not-ECT: never marked
        injector.offer(ipv4WithEcn(1, 0b10), 0, out); // ECT(0)
        injector.offer(ipv4WithEcn(2, 0b01), 0, out); // ECT(1)
        injector.offer(ipv4WithEcn(3, 0b11), 0, out); // already CE
        ByteBuffer v6 = TestPackets.ipv6("fd00::1", "fd00::2", 5, 20);
        v6.putInt(0, 0x6000_0000 | (0xBA << 20) | 5); // traffic class 0xBA: DSCP EF, ECT(0)
        injector.offer(v6, 0, out);

        List<Integer> ecn = out.deliveries.subList(0, 4).stream().map(d -> d.bytes()[1] & 0xFF).toList();
        assertThat(ecn).containsExactly(0xB8, 0xBB, 0xBB, 0xBB);
        for (Recorder.Delivery d : out.deliveries.subList(0, 4)) {
            assertThat(Checksum.finish(Checksum.sum(d.bytes(), 0, 20))).as("IPv4 header checksum").isZero();
        }
        assertThat(ByteBuffer.wrap(out.deliveries.get(4).bytes()).getInt(0)).isEqualTo(0x6000_0000 | (0xBB << 20) | 5);
        assertThat(out.faults).as("ECT(0), ECT(1) and the IPv6 packet; CE stays CE").containsExactly(
                Fault.CE_MARKED, Fault.CE_MARKED, Fault.CE_MARKED);
        assertThat(injector.faulted(Fault.CE_MARKED)).isEqualTo(3);
    }

    @Test
    void ceThresholdMarksPacketsThatFindAQueue() {
        // 1250 bytes at 10 Mbit/s: 1 ms each; the fourth packet offered at once finds three ahead.
        FaultInjector injector = new FaultInjector(Impairments.parse("rate=10mbit,cethreshold=3"), 1);
        for (int i = 0; i < 6; i++) {
            ByteBuffer p = TestPackets.ipv4("198.18.0.1", "198.18.0.2", i, 1250);
            p.put(1, (byte) 0b10);
            injector.offer(p, 0, out);
        }
        injector.offer(ipv4WithEcn(6, 0b10), 10 * MS, out); // the queue has drained

        assertThat(out.deliveries.stream().map(d -> d.bytes()[1] & 0b11).toList())
                .containsExactly(0b10, 0b10, 0b10, 0b11, 0b11, 0b11, 0b10);
        assertThat(out.drops).isEmpty();
    }

    @Test
    void sameSeedMakesTheSameDecisionsAndAnotherSeedDoesNot() {
        Impairments imp = Impairments.parse("loss=10%,jitter=1ms,reorder=5%,duplicate=5%,corrupt=5%");
        assertThat(decisions(imp, 1)).isEqualTo(decisions(imp, 1)).isNotEqualTo(decisions(imp, 2));
    }

    private static List<String> decisions(Impairments imp, long seed) {
        FaultInjector injector = new FaultInjector(imp, seed);
        List<String> log = new ArrayList<>();
        FaultInjector.Output output = new FaultInjector.Output() {
            @Override
            public void onDeliver(ByteBuffer packet, long deliverAtNs) {
                log.add("deliver " + deliverAtNs + " " + Arrays.toString(TestPackets.bytes(packet)));
            }

            @Override
            public void onDrop(ByteBuffer packet, DropCause cause) {
                log.add("drop " + TestPackets.seq(packet) + " " + cause);
            }
        };
        for (int i = 0; i < 500; i++) {
            injector.offer(TestPackets.numbered(i, 30), i * MS, output);
        }
        return log;
    }
}
