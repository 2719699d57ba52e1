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
            int sndcnt = prr.onAck(MSS, pipe, MSS, false, false);
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
        assertThat(prr.onAck(2 * MSS, 3 * MSS, MSS, false, false)).isEqualTo(3 * MSS);
        prr.onSent(3 * MSS);
        assertThat(prr.allowance()).isZero();
        // Never past ssthresh.
        assertThat(prr.onAck(5 * MSS, 9 * MSS, MSS, false, false)).isEqualTo(MSS);
    }

    @Test
    void nothingMayBeSentWhenDeliveriesDoNotYetJustifyIt() {
        Prr prr = new Prr();
        prr.enter(7 * MSS, 10 * MSS);
        prr.onSent(MSS); // the fast retransmit
        assertThat(prr.onAck(0, 9 * MSS, MSS, false, false)).isZero();
    }

    @Test
    void theFastRetransmitGoesWhateverThePipe() {
        Prr prr = new Prr();
        prr.enter(7 * MSS, 10 * MSS);
        assertThat(prr.onAck(0, 9 * MSS, MSS, false, false)).isEqualTo(MSS);
    }

    @Test
    void withSafeAckOnlyTheReductionBoundAddsNoSegmentForAnAckThatOnlySacks() {
        // Linux's tcp_cwnd_reduction (prr-ss-10pkt-lost-1.pkt's arithmetic): 10 in flight, 1 lost,
        // 3 SACKed, ssthresh 7: the pipe (6) is below ssthresh, and the ACK delivered one segment.
        Prr linux = new Prr();
        linux.enter(7 * MSS, 10 * MSS);
        assertThat(linux.onAck(MSS, 6 * MSS, MSS, true, false)).isEqualTo(MSS);
        Prr rfc = new Prr();
        rfc.enter(7 * MSS, 10 * MSS);
        assertThat(rfc.onAck(MSS, 6 * MSS, MSS, false, false)).isEqualTo(MSS);
        // An ACK that advances SND.UNA with no new loss earns the extra segment in both.
        linux.onSent(MSS);
        assertThat(linux.onAck(2 * MSS, 4 * MSS, MSS, true, true)).isEqualTo(3 * MSS);
        linux.onSent(3 * MSS);
        assertThat(linux.onAck(MSS, 6 * MSS, MSS, true, false)).isEqualTo(MSS);
    }
}
