package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.stack.Host;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.TcpPacket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Initial sequence numbers (RFC 9293 §3.4.1, RFC 6528): ISN = M + F(4-tuple, secret key), M a
 * clock ticking every 4 microseconds, F keyed from the host's random source.
 */
class IsnTest {
    private static final IpAddress A = IpAddress.parse("198.18.0.2");
    private static final IpAddress B = IpAddress.parse("198.18.0.1");

    private static int isn(IsnSource g, long nowNs, int remotePort) {
        return g.isn(nowNs, A.hi(), A.lo(), 80, B.hi(), B.lo(), remotePort);
    }

    @Test
    @Requirement("MUST-8")
    void advancesWithAClockTickingEveryFourMicroseconds() {
        IsnGenerator g = new IsnGenerator(new SplittableRandom(1));
        long t = 123_456_000L;
        int base = isn(g, t, 40000);
        assertThat(isn(g, t + 3_999, 40000)).isEqualTo(base);
        assertThat(isn(g, t + 4_000, 40000) - base).isEqualTo(1);
        assertThat(isn(g, t + 4_000_000, 40000) - base).isEqualTo(1_000);
        assertThat(isn(g, t + 60_000_000_000L, 40000) - base).isEqualTo(15_000_000);
    }

    @Test
    @Requirement("SHLD-1")
    void differsPerFourTupleAtTheSameInstant() {
        IsnGenerator g = new IsnGenerator(new SplittableRandom(1));
        Set<Integer> isns = new HashSet<>();
        List<Integer> steps = new ArrayList<>();
        for (int port = 40000; port < 41000; port++) {
            isns.add(isn(g, 0, port));
            steps.add(isn(g, 0, port + 1) - isn(g, 0, port));
        }
        assertThat(isns).hasSize(1000);
        assertThat(new HashSet<>(steps)).as("neighbouring tuples are not a fixed step apart").hasSizeGreaterThan(990);
    }

    @Test
    @Requirement({"MUST-9", "SHLD-1"})
    void cannotBePredictedWithoutTheHostsKey() {
        IsnGenerator one = new IsnGenerator(new SplittableRandom(1));
        IsnGenerator same = new IsnGenerator(new SplittableRandom(1));
        IsnGenerator other = new IsnGenerator(new SplittableRandom(2));
        Set<Integer> offsets = new HashSet<>();
        for (int port = 40000; port < 40100; port++) {
            assertThat(isn(same, 0, port)).isEqualTo(isn(one, 0, port));
            assertThat(isn(other, 0, port)).isNotEqualTo(isn(one, 0, port));
            offsets.add(isn(other, 0, port) - isn(one, 0, port));
        }
        assertThat(offsets).as("another key is not a constant shift").hasSize(100);
    }

    @Test
    @Requirement({"MUST-8", "MUST-9"})
    void hostsWithDifferentSeedsChooseDifferentIsnsForTheSameConnection() {
        List<Integer> syns = new ArrayList<>();
        for (long seed : new long[] {1, 2, 1}) {
            IpPacket ip = new IpPacket();
            TcpPacket tcp = new TcpPacket();
            Host h = new Host("h", TcpConfig.defaults(), new SplittableRandom(seed)).addAddress("198.18.0.2/24");
            h.attach(pkt -> {
                ip.wrap(pkt, pkt.position(), pkt.remaining()).check();
                syns.add(tcp.wrap(pkt, ip.payloadOffset(), ip.payloadLength()).seq());
            });
            h.connect(5_000_000, ScriptedPeer.REMOTE, 80, 40000);
        }
        assertThat(syns).hasSize(3);
        assertThat(syns.get(0)).isNotEqualTo(syns.get(1)).isEqualTo(syns.get(2));
    }
}
