package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 6937: sending during recovery follows deliveries, then the reduction bound. */
class PrrTest {
    private static final int MSS = 1000;

    @Test
    void aboveSsthreshSendingIsProportionalToDeliveries() {
        Prr prr = new Prr();
        // RFC 6937 §3's example shape: ssthresh is half of RecoverFS, so one segment goes per two delivered.
        prr.enter(10 * MSS, 20 * MSS);
        int pipe = 19 * MSS;
        int sent = 0;
        StringBuilder pattern = new StringBuilder();
        for (int ack = 0; ack < 8; ack++) {
            pipe -= MSS;
            int sndcnt = prr.onAck(MSS, pipe, MSS);
            int segments = sndcnt / MSS;
            pattern.append(segments);
            prr.onSent(segments * MSS);
            pipe += segments * MSS;
            sent += segments * MSS;
        }
        assertThat(pattern.toString()).isEqualTo("10101010");
        assertThat(sent).isEqualTo(4 * MSS);
        assertThat(prr.sentBytes()).isEqualTo(4 * MSS);
    }

    @Test
    void belowSsthreshTheReductionBoundAllowsOneSegmentMoreThanDelivered() {
        Prr prr = new Prr();
        prr.enter(10 * MSS, 20 * MSS);
        // A burst of losses left the pipe far below ssthresh: grow back by delivered + 1 MSS per ACK.
        assertThat(prr.onAck(2 * MSS, 3 * MSS, MSS)).isEqualTo(3 * MSS);
        prr.onSent(3 * MSS);
        assertThat(prr.allowance()).isZero();
        // Never past ssthresh.
        assertThat(prr.onAck(5 * MSS, 9 * MSS, MSS)).isEqualTo(MSS);
    }

    @Test
    void nothingMayBeSentWhenDeliveriesDoNotYetJustifyIt() {
        Prr prr = new Prr();
        prr.enter(7 * MSS, 10 * MSS);
        assertThat(prr.onAck(0, 9 * MSS, MSS)).isZero();
    }
}
