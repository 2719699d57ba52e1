package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.testutil.TwoHosts;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The off-path attack on the challenge-ACK budget (CVE-2016-5696, Cao et al., "Off-Path TCP
 * Exploits", USENIX Security 2016), played against jtcp on the simulator. Each round, at the start of
 * a one-second interval, the attacker sends one RST into the victim connection's 4-tuple at a guessed
 * sequence number (spoofing the victim client), then spends the server's challenge-ACK budget from
 * connections of its own and counts the challenge ACKs it gets back. A hit (the guess was in the
 * victim's window) costs the budget one challenge ACK, sent to the victim, not to the attacker.
 *
 * <p>With a fixed host-wide budget of 1,000 the attacker counts 999 on a hit and 1,000 on a miss,
 * every round. Now it must not be able to tell: its own connection answers at most once per 500 ms,
 * and the host budget is drawn anew each second.
 */
class ChallengeAckSideChannelTest {
    private static final long MS = TwoHosts.MS;
    private static final long S = TwoHosts.S;
    private static final int ROUNDS = 40;

    /** The server, the victim connection and the attacker's connections, all to port 80. */
    private static final class Stage {
        final TwoHosts t;
        final TcpConnection victim;
        final List<TcpConnection> attacker = new ArrayList<>();
        final List<TcpConnection> attackerAtServer = new ArrayList<>();
        TcpConnection victimAtServer;
        final ByteBuffer buf = ByteBuffer.allocate(256);
        final PacketWriter writer = new PacketWriter();

        Stage(long seed, int attackerConnections) {
            t = new TwoHosts(seed, TcpConfig.builder().timestamps(false).build(),
                    Impairments.builder().delayNs(1 * MS).build());
            TcpListener l = t.server.listen(t.now(), 80, 4096);
            victim = t.client.connect(t.now(), TwoHosts.SERVER, 80);
            t.runFor(10 * MS);
            victimAtServer = l.accept();
            for (int i = 0; i < attackerConnections; i++) {
                attacker.add(t.client.connect(t.now(), TwoHosts.SERVER, 80));
                if (i % 200 == 199 || i == attackerConnections - 1) {
                    t.runFor(10 * MS);
                    for (TcpConnection c; (c = l.accept()) != null; ) {
                        attackerAtServer.add(c);
                    }
                }
            }
            assertThat(attackerAtServer).hasSize(attackerConnections);
        }

        /** A RST from {@code at}'s peer, as the server sees it, at {@code seq}. */
        void rst(TcpConnection at, int seq) {
            TcpSegment seg = new TcpSegment();
            seg.flags = TcpFlags.RST;
            seg.srcPort = at.key().remotePort();
            seg.dstPort = 80;
            seg.seq = seq;
            buf.clear();
            int n = writer.writeTcp(buf, 0, TwoHosts.CLIENT, TwoHosts.SERVER, 64, 0, seg);
            buf.limit(n);
            t.server.onPacket(t.now(), buf);
        }

        /**
         * One round: waits for the next second, sends the guess, then {@code perConnection} in-window
         * RSTs on each attacker connection; returns the challenge ACKs the attacker received.
         */
        int round(boolean hit, int perConnection, SplittableRandom r) {
            t.runFor(S - t.now() % S + 10 * MS);
            t.events.clear();
            ConnectionStatus v = victimAtServer.status();
            int guess = hit ? v.rcvNxt() + 1 + r.nextInt(v.rcvWnd() - 1)
                    : v.rcvNxt() + v.rcvWnd() + r.nextInt(1 << 30);
            rst(victimAtServer, guess);
            for (TcpConnection c : attackerAtServer) {
                int rcvNxt = c.status().rcvNxt();
                for (int i = 0; i < perConnection; i++) {
                    rst(c, rcvNxt + 1 + i);
                }
            }
            t.runFor(100 * MS);
            int victimPort = victim.key().localPort();
            int count = 0;
            for (TraceEvent e : t.events) {
                if (e instanceof TraceEvent.SegmentEvent s && s.host().equals("client")
                        && s.direction() == TraceEvent.Direction.RECEIVED && s.header().has(TcpFlags.ACK)
                        && !s.header().has(TcpFlags.RST) && s.header().dstPort() != victimPort) {
                    count++;
                }
            }
            return count;
        }
    }

    /** Challenge ACKs counted in hit rounds and in miss rounds. */
    private record Counts(int[] hits, int[] misses) {}

    private static Counts play(int attackerConnections, int perConnection) {
        Stage stage = new Stage(7, attackerConnections);
        SplittableRandom r = new SplittableRandom(11);
        int[] hits = new int[ROUNDS / 2];
        int[] misses = new int[ROUNDS / 2];
        for (int i = 0; i < ROUNDS; i++) {
            boolean hit = i % 2 == 0;
            int n = stage.round(hit, perConnection, r);
            if (hit) {
                hits[i / 2] = n;
            } else {
                misses[i / 2] = n;
            }
        }
        assertThat(stage.victim.state().isSynchronized()).as("the victim survives every round").isTrue();
        return new Counts(hits, misses);
    }

    /**
     * The accuracy of the best threshold classifier ("hit when the count is at most (or, the other
     * way, above) x", for every x): 1.0 means the attacker tells every round apart, 0.5 is chance.
     * With equal classes this is 1/2 + D/2, D the two-sample Kolmogorov-Smirnov statistic.
     */
    static double bestThresholdAccuracy(int[] hits, int[] misses) {
        int[] all = new int[hits.length + misses.length];
        System.arraycopy(hits, 0, all, 0, hits.length);
        System.arraycopy(misses, 0, all, hits.length, misses.length);
        Arrays.sort(all);
        double best = 0.5;
        for (int i = -1; i < all.length; i++) {
            int x = i < 0 ? Integer.MIN_VALUE : all[i];
            int hitsAtOrBelow = (int) Arrays.stream(hits).filter(h -> h <= x).count();
            int missesAbove = (int) Arrays.stream(misses).filter(m -> m > x).count();
            double acc = (hitsAtOrBelow + missesAbove) / (double) all.length;
            best = Math.max(best, Math.max(acc, 1 - acc));
        }
        return best;
    }

    /** The attack as reported: 1,100 in-window RSTs on one connection of the attacker's. */
    @Test
    void oneConnectionCannotCountTheBudget() {
        Counts c = play(1, 1100);
        // The connection answers once per 500 ms: one challenge ACK, hit or miss.
        assertThat(c.hits()).containsOnly(1);
        assertThat(c.misses()).containsOnly(1);
        assertThat(bestThresholdAccuracy(c.hits(), c.misses())).isEqualTo(0.5);
    }

    /**
     * The stronger attack: one RST on each of 1,600 connections (more than the largest budget, 1,499),
     * so the per-connection limit does not hide the host budget. The budget, drawn uniformly from
     * [500, 1,500) each second, moves the count by hundreds; a hit moves it by one. The two
     * distributions are the same up to a shift of 1 in 1,000 values, so the best classifier's true
     * accuracy is 0.5005. Over 20 + 20 rounds, the best threshold found by chance reaches 0.75
     * (KS D = 0.5) with probability about 1.2% (two-sample KS, n = m = 20); a fixed budget gives 1.0.
     */
    @Test
    void manyConnectionsCannotTellHitsFromMisses() {
        Counts c = play(1600, 1);
        assertThat(Arrays.stream(c.hits()).min().orElseThrow()).isGreaterThanOrEqualTo(499);
        assertThat(Arrays.stream(c.misses()).max().orElseThrow()).isLessThanOrEqualTo(1499);
        assertThat(Arrays.stream(c.misses()).distinct().count()).as("budgets vary").isGreaterThan(10);
        assertThat(bestThresholdAccuracy(c.hits(), c.misses())).isLessThan(0.75);
    }
}
