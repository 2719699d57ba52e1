package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Linux's classic HyStart: the delay increase and the ACK train end slow start. */
class HyStartTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;

    @Test
    void ninthSampleOfARoundAboveMinimumPlusAnEighthEndsSlowStart() {
        HyStart h = new HyStart(HyStart.DELAY);
        h.onAck(0, 10_000, 30_000, 10 * MSS, 100 * MS, 10 * MSS, MSS); // below 16 segments: minimum only
        int ack = 10_000;
        for (int n = 1; n <= 8; n++) {
            ack += 2 * MSS;
            assertThat(h.onAck(n * MS, ack, 30_000, 2 * MSS, 130 * MS, 20 * MSS, MSS)).isEqualTo(2 * MSS);
            assertThat(h.shouldEnterCongestionAvoidance()).isFalse();
        }
        assertThat(h.onAck(9 * MS, ack + 2 * MSS, 30_000, 2 * MSS, 130 * MS, 20 * MSS, MSS)).isZero();
        assertThat(h.shouldEnterCongestionAvoidance()).isTrue();
    }

    @Test
    void aSampleBelowTheMinimumLowersBothAndSlowStartGoesOn() {
        HyStart h = new HyStart(HyStart.DELAY);
        h.onAck(0, 10_000, 30_000, 10 * MSS, 200 * MS, 10 * MSS, MSS);
        int ack = 10_000;
        for (int n = 1; n <= 9; n++) {
            ack += 2 * MSS;
            h.onAck(n * MS, ack, 30_000, 2 * MSS, (200 + n) * MS, 20 * MSS, MSS);
        }
        h.onAck(10 * MS, ack + 2 * MSS, 30_000, 2 * MSS, 29 * MS, 20 * MSS, MSS);
        assertThat(h.shouldEnterCongestionAvoidance()).isFalse();
    }

    @Test
    void anAckTrainLongerThanHalfTheMinimumRttEndsSlowStart() {
        HyStart h = new HyStart(HyStart.ACK_TRAIN);
        h.onAck(0, 10_000, 30_000, 10 * MSS, 10 * MS, 16 * MSS, MSS);
        long t = 0;
        int ack = 10_000;
        while (!h.shouldEnterCongestionAvoidance() && t < 20 * MS) {
            t += MS;
            ack += MSS;
            h.onAck(t, ack, 30_000, MSS, 12 * MS, 16 * MSS, MSS);
        }
        assertThat(t).isEqualTo(6 * MS); // the round began at 0: 6 ms > 10 ms / 2
    }
}
