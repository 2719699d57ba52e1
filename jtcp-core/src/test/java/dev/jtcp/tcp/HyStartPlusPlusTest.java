package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 9406: slow start ends when a round's minimum RTT rises, after five rounds of CSS. */
class HyStartPlusPlusTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;

    /** One round of {@code acks} ACKs, each with an RTT sample of {@code rttNs}; returns the growth. */
    private static int round(HyStartPlusPlus h, int[] seq, int acks, long rttNs) {
        int end = seq[0] + acks * MSS;
        int growth = 0;
        for (int i = 0; i < acks; i++) {
            seq[0] += MSS;
            growth += h.onAck(seq[0], end, MSS, rttNs, MSS);
        }
        return growth;
    }

    @Test
    void aFlatRttKeepsSlowStart() {
        HyStartPlusPlus h = new HyStartPlusPlus(false);
        int[] seq = {0};
        for (int r = 0; r < 10; r++) {
            assertThat(round(h, seq, 16, 50 * MS)).isEqualTo(16 * MSS);
        }
        assertThat(h.inCss()).isFalse();
    }

    @Test
    void aRisingRttEntersConservativeSlowStartAndThenCongestionAvoidance() {
        HyStartPlusPlus h = new HyStartPlusPlus(false);
        int[] seq = {0};
        round(h, seq, 16, 50 * MS);
        // The threshold is clamp(50 / 8, 4, 16) = 6.25 ms: 57 ms is over it.
        round(h, seq, 16, 57 * MS);
        assertThat(h.inCss()).isTrue();
        int growth = round(h, seq, 16, 57 * MS);
        assertThat(growth).as("a quarter of slow start's growth").isEqualTo(16 * MSS / 4);
        for (int r = 0; r < HyStartPlusPlus.CSS_ROUNDS && !h.shouldEnterCongestionAvoidance(); r++) {
            round(h, seq, 16, 57 * MS);
        }
        assertThat(h.shouldEnterCongestionAvoidance()).isTrue();
    }

    @Test
    void anRttThatFallsBackInCssResumesSlowStart() {
        HyStartPlusPlus h = new HyStartPlusPlus(false);
        int[] seq = {0};
        round(h, seq, 16, 50 * MS);
        round(h, seq, 16, 60 * MS);
        assertThat(h.inCss()).isTrue();
        round(h, seq, 16, 51 * MS);
        assertThat(h.inCss()).isFalse();
        assertThat(h.shouldEnterCongestionAvoidance()).isFalse();
    }

    @Test
    void unpacedSendersGrowAtMostEightSegmentsPerAck() {
        assertThat(new HyStartPlusPlus(false).onAck(100 * MSS, 200 * MSS, 100 * MSS, -1, MSS)).isEqualTo(8 * MSS);
        assertThat(new HyStartPlusPlus(true).onAck(100 * MSS, 200 * MSS, 100 * MSS, -1, MSS)).isEqualTo(100 * MSS);
    }
}
