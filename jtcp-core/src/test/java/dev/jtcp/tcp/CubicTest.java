package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** RFC 9438's window over time, and RFC 9406's exit from slow start, driven by a fluid model of ACKs. */
class CubicTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;

    /** Delivers one window of ACKs (one per segment) per RTT for {@code rounds} rounds from {@code t0}. */
    private static long run(Cubic c, long t0, long rttNs, int rounds, int[] seq) {
        long t = t0;
        for (int r = 0; r < rounds; r++) {
            int segments = Math.max(1, c.cwnd() / MSS);
            int roundEnd = seq[0] + segments * MSS;
            for (int i = 0; i < segments; i++) {
                seq[0] += MSS;
                c.onAck(t + i * rttNs / segments, seq[0], roundEnd, MSS, rttNs, rttNs, MSS);
            }
            t += rttNs;
        }
        return t;
    }

    @Test
    void afterALossTheWindowReturnsToWmaxAfterKSeconds() {
        Cubic c = new Cubic(100 * MSS, false, true);
        c.onCongestionEvent(MSS);
        c.reduceToSsthresh();
        assertThat(c.ssthresh()).isEqualTo(70 * MSS);
        assertThat(c.cwnd()).isEqualTo(70 * MSS);
        double k = Math.cbrt(100 * (1 - Cubic.BETA) / Cubic.C);
        // 100 ms RTT: K ≈ 4.2 s is about 42 rounds.
        long rtt = 100 * MS;
        int[] seq = {0};
        run(c, 0, rtt, (int) Math.round(k * 10), seq);
        assertThat(c.kSeconds()).isCloseTo(k, within(1e-9));
        assertThat(c.cwnd() / (double) MSS).as("at t = K the window is back near W_max").isCloseTo(100, within(6.0));
        // The plateau: within a few RTTs around K it barely moves; far beyond K it grows fast.
        int atK = c.cwnd();
        run(c, (long) (k * 1e9), rtt, 5, seq);
        assertThat(c.cwnd() - atK).isLessThan(3 * MSS);
        run(c, (long) ((k + 0.5) * 1e9), rtt, 40, seq);
        assertThat(c.cwnd()).isGreaterThan(130 * MSS);
    }

    @Test
    void withShortRttsTheRenoFriendlyEstimateLeads() {
        Cubic c = new Cubic(10 * MSS, false, true);
        c.onCongestionEvent(MSS);
        c.reduceToSsthresh();
        // 1 ms RTT: in 200 rounds (0.2 s) the cubic curve hardly moves, Reno gains ~0.53 segment a round.
        run(c, 0, MS, 200, new int[] {0});
        assertThat(c.cwnd()).isGreaterThan(60 * MSS);
    }

    @Test
    void fastConvergenceLowersWmaxWhenTheWindowDidNotRegainIt() {
        Cubic c = new Cubic(100 * MSS, false, true);
        c.onCongestionEvent(MSS);
        c.reduceToSsthresh();
        assertThat(c.wMaxSegments()).isEqualTo(100.0);
        c.onCongestionEvent(MSS);
        assertThat(c.wMaxSegments()).isCloseTo(70 * (1 + Cubic.BETA) / 2, within(1e-9));
        Cubic plain = new Cubic(100 * MSS, false, false);
        plain.onCongestionEvent(MSS);
        plain.reduceToSsthresh();
        plain.onCongestionEvent(MSS);
        assertThat(plain.wMaxSegments()).isEqualTo(70.0);
    }

    @Test
    void aSpuriousEventIsUndone() {
        Cubic c = new Cubic(50 * MSS, false, true);
        run(c, 0, 10 * MS, 2, new int[] {0});
        int before = c.cwnd();
        c.onCongestionEvent(MSS);
        c.reduceToSsthresh();
        c.undo();
        assertThat(c.cwnd()).isEqualTo(before);
        assertThat(c.ssthresh()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aTimeoutLeavesOneSegmentAndSlowStartsBackToSsthresh() {
        Cubic c = new Cubic(40 * MSS, false, true);
        c.onRetransmitTimeout(MSS, false);
        assertThat(c.cwnd()).isEqualTo(MSS);
        assertThat(c.ssthresh()).isEqualTo(28 * MSS);
        assertThat(c.inSlowStart()).isTrue();
    }

    @Test
    void slowStartDoublesPerRoundWhileTheRttStaysFlat() {
        Cubic c = new Cubic(10 * MSS, false, true);
        run(c, 0, 20 * MS, 4, new int[] {0});
        assertThat(c.cwnd()).isEqualTo(160 * MSS);
        assertThat(c.inSlowStart()).isTrue();
    }
}
