package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Linux's tcp_cwnd_validate / tcp_is_cwnd_limited bookkeeping, and the controllers obeying it. */
class CwndUseTest {
    private static final int MSS = 1000;
    private static final int NO_SSTHRESH = Integer.MAX_VALUE;

    @Test
    void beforeAnySendTheWindowMayGrow() {
        assertThat(new CwndUse().isCwndLimited(10 * MSS, NO_SSTHRESH)).isTrue();
    }

    @Test
    void slowStartGrowsToTwiceTheMostOutstandingAndNoFurther() {
        CwndUse u = new CwndUse();
        u.onSendLoop(0, 6 * MSS, 6 * MSS, false);
        assertThat(u.isCwndLimited(10 * MSS, NO_SSTHRESH)).isTrue();
        assertThat(u.isCwndLimited(12 * MSS, NO_SSTHRESH)).isFalse();
        CwndUse five = new CwndUse();
        five.onSendLoop(0, 5 * MSS, 5 * MSS, false);
        assertThat(five.isCwndLimited(10 * MSS, NO_SSTHRESH)).isFalse();
    }

    @Test
    void congestionAvoidanceGrowsOnlyAfterTheWindowStoppedTheSender() {
        CwndUse u = new CwndUse();
        u.onSendLoop(0, 6 * MSS, 6 * MSS, false);
        assertThat(u.isCwndLimited(10 * MSS, 5 * MSS)).isFalse();
        u.onSendLoop(0, 10 * MSS, 10 * MSS, true);
        assertThat(u.isCwndLimited(10 * MSS, 5 * MSS)).isTrue();
    }

    @Test
    void theRecordLastsOneWindowOfData() {
        CwndUse u = new CwndUse();
        u.onSendLoop(0, 10 * MSS, 10 * MSS, true);
        // Within the window a smaller send loop does not erase the cwnd-limited mark.
        u.onSendLoop(2 * MSS, 11 * MSS, 9 * MSS, false);
        assertThat(u.isCwndLimited(10 * MSS, 5 * MSS)).isTrue();
        // Once SND.UNA passes the end of that window, the next loop starts a new record.
        u.onSendLoop(10 * MSS, 12 * MSS, 2 * MSS, false);
        assertThat(u.isCwndLimited(10 * MSS, 5 * MSS)).isFalse();
        assertThat(u.isCwndLimited(3 * MSS, NO_SSTHRESH)).isTrue();
    }

    @Test
    void controllersDoNotGrowTheWindowForAnApplicationLimitedFlight() {
        for (CongestionControl cc : new CongestionControl[] {new NewReno(10 * MSS), new Cubic(10 * MSS, false, true)}) {
            AckSample s = new AckSample();
            s.reset(1_000_000, 2 * MSS, MSS);
            s.sndNxt = 4 * MSS;
            s.deliveredBytes = 2 * MSS;
            s.rttNs = 100_000_000;
            s.srttNs = 100_000_000;
            s.cwndLimited = false;
            cc.onAck(s);
            assertThat(cc.cwnd()).as(cc.algorithm().name()).isEqualTo(10 * MSS);
            s.cwndLimited = true;
            cc.onAck(s);
            assertThat(cc.cwnd()).as(cc.algorithm().name()).isEqualTo(12 * MSS);
        }
    }
}
