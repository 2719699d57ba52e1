package dev.jtcp.link.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.link.impair.DropCause;
import dev.jtcp.link.impair.Fault;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.testutil.TestPackets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** The same seed and traffic give byte-identical runs; another seed gives another run. */
class SimDeterminismTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final int PINGS = 3_000;

    /** Sends a numbered IPv4 packet every millisecond, driven by its timer. */
    private static final class Pinger implements SimNode {
        private final String src;
        private final String dst;
        SimPort port;
        int sent;
        int echoes;
        private long nextSendNs = 0;

        Pinger(String src, String dst) {
            this.src = src;
            this.dst = dst;
        }

        @Override
        public void onPacket(SimPort port, ByteBuffer packet, long nowNs) {
            echoes++;
        }

        @Override
        public long nextDeadlineNs() {
            return sent < PINGS ? nextSendNs : Long.MAX_VALUE;
        }

        @Override
        public void onTimer(long nowNs) {
            ByteBuffer packet = TestPackets.ipv4(src, dst, sent, 40 + sent * 37 % 1400);
            if (sent % 2 == 0) {
                packet.put(1, (byte) 0b10); // ECT(0): ECN-capable, so links may mark it CE
            }
            port.transmit(packet);
            sent++;
            nextSendNs = nowNs + MS;
        }
    }

    /** Sends every IPv4 packet back with source and destination swapped. */
    private static final class Echo implements SimNode {
        @Override
        public void onPacket(SimPort port, ByteBuffer packet, long nowNs) {
            TestPackets.swapIpv4Addresses(packet);
            port.transmit(packet);
        }
    }

    /** Feeds every event into a SHA-256 and counts drops and faults. */
    private static final class DigestTap implements SimTap {
        private final MessageDigest digest;
        private final IntPredicate linkFilter;
        final Map<DropCause, Integer> drops = new EnumMap<>(DropCause.class);
        final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
        long deliveries;

        DigestTap(IntPredicate linkFilter) {
            this.linkFilter = linkFilter;
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void onDeliver(long nowNs, SimPort to, ByteBuffer packet) {
            deliveries++;
            record("deliver", nowNs, to, packet);
        }

        @Override
        public void onDrop(long nowNs, SimPort port, ByteBuffer packet, DropCause cause) {
            drops.merge(cause, 1, Integer::sum);
            record("drop " + cause, nowNs, port, packet);
        }

        @Override
        public void onFault(long nowNs, SimPort from, ByteBuffer packet, Fault fault) {
            faults.merge(fault, 1, Integer::sum);
        }

        private void record(String what, long nowNs, SimPort port, ByteBuffer packet) {
            if (linkFilter.test(port.link().index())) {
                digest.update((what + " " + nowNs + " " + port + " " + packet.remaining() + ":")
                        .getBytes(StandardCharsets.US_ASCII));
                digest.update(packet);
            }
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    @Test
    void sameSeedGivesByteIdenticalRuns() {
        DigestTap first = runRoutedPingPong(42);
        DigestTap second = runRoutedPingPong(42);

        assertThat(second.hex()).isEqualTo(first.hex());
        assertThat(second.deliveries).isEqualTo(first.deliveries);
        assertThat(first.drops.keySet()).contains(DropCause.LOSS, DropCause.QUEUE_FULL);
        assertThat(first.faults.keySet()).containsExactlyInAnyOrder(Fault.values());
    }

    @Test
    void anotherSeedGivesAnotherRun() {
        assertThat(runRoutedPingPong(43).hex()).isNotEqualTo(runRoutedPingPong(42).hex());
    }

    @Test
    void linksMadeLaterDoNotChangeAnEarlierLinksChoices() {
        String alone = runDirectPingPongs(7, 1).hex();
        String withNeighbours = runDirectPingPongs(7, 3).hex();

        assertThat(withNeighbours).isEqualTo(alone);
    }

    /** Two pingers and an echo host behind a router, every access link impaired differently. */
    private static DigestTap runRoutedPingPong(long seed) {
        SimNetwork net = new SimNetwork(seed);
        DigestTap tap = new DigestTap(index -> true);
        net.addTap(tap);
        SimRouter router = new SimRouter("r");
        Pinger lossy = new Pinger("10.0.1.1", "10.0.9.9");
        Pinger narrow = new Pinger("10.0.2.1", "10.0.9.9");
        Echo echo = new Echo();
        SimLink lossyLink = net.connect(lossy, router, Impairments.parse(
                "delay=5ms,jitter=2ms,loss=2%,reorder=3%,duplicate=2%,corrupt=1%,corruptbits=2"));
        SimLink narrowLink = net.connect(narrow, router,
                Impairments.parse("delay=3ms,gilbert=1%/30%,rate=2mbit,queue=8,cethreshold=4"));
        SimLink echoLink = net.connect(router, echo, Impairments.parse(
                "delay=1ms,jitter=500us,jitterdist=normal,rate=20mbit,queue=50,duplicate=1%,ce=1%"));
        lossy.port = lossyLink.a();
        narrow.port = narrowLink.a();
        router.route("10.0.1.1/32", lossyLink.b());
        router.route("10.0.2.1/32", narrowLink.b());
        router.route("10.0.9.0/24", echoLink.a());

        net.runUntilIdle(60 * S);

        assertThat(lossy.sent).isEqualTo(PINGS);
        assertThat(narrow.sent).isEqualTo(PINGS);
        assertThat(lossy.echoes).isPositive();
        assertThat(narrow.echoes).isPositive();
        return tap;
    }

    /** {@code pairs} pinger–echo pairs on direct links; only link 0's events are digested. */
    private static DigestTap runDirectPingPongs(long seed, int pairs) {
        SimNetwork net = new SimNetwork(seed);
        DigestTap tap = new DigestTap(index -> index == 0);
        net.addTap(tap);
        Impairments imp = Impairments.parse("delay=2ms,jitter=1ms,loss=5%,reorder=5%,duplicate=5%,corrupt=5%");
        for (int i = 0; i < pairs; i++) {
            Pinger pinger = new Pinger("10.0.0.1", "10.0.0.2");
            pinger.port = net.connect(pinger, new Echo(), imp).a();
        }
        net.runUntilIdle(60 * S);
        return tap;
    }
}
